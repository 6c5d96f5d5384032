"""Telling the people concerned: a submitted article reaches the editors, a returned or published one its
writers. Each hears it in the admin (a Notification on their home page) and by e-mail, through Django's
mail settings (the console unless KIJI_SMTP_URL is set)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kiji.newsroom.models import Article, Notification
from kiji.newsroom.services.editing import display_name

Kind = Notification.Kind


def editors():
    """Everyone who may publish: the people a submitted article waits for."""
    return get_user_model().objects.with_perm("newsroom.publish_article").filter(is_staff=True)


def writers_of(article: Article):
    """The article's writers with a login, and whoever created it."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(writer__byline__article=article) | users.filter(pk=article.created_by_id or 0)


def notify(*, article: Article, kind: str, by=None, note: str = "") -> list[Notification]:
    """One notification per person concerned (never the one who acted), e-mailed once the change commits."""
    recipients = editors() if kind == Kind.SUBMITTED else writers_of(article)
    if by is not None:
        recipients = recipients.exclude(pk=by.pk)
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, article=article, kind=kind, actor=by, note=note)
        for user in recipients.distinct().order_by("pk")
    )
    transaction.on_commit(lambda: _send_mail(notifications))
    return notifications


def _send_mail(notifications: list[Notification]) -> None:
    messages = [(_subject(n), _body(n), None, [n.recipient.email]) for n in notifications if n.recipient.email]
    if messages:
        send_mass_mail(messages, fail_silently=True)  # the admin notification stays, whatever SMTP does


def _subject(notification: Notification) -> str:
    return f"[{settings.SITE_NAME}] {notification.get_kind_display()}: {notification.article.headline}"


def _body(notification: Notification) -> str:
    lines = [
        _("%(kind)s: “%(headline)s”")
        % {"kind": notification.get_kind_display(), "headline": notification.article.headline},
    ]
    if notification.actor is not None:
        lines.append(_("By: %(name)s") % {"name": display_name(notification.actor)})
    if notification.note:
        lines += ["", _("Note:"), notification.note]
    url = settings.SITE_URL.rstrip("/") + reverse("admin:newsroom_article_change", args=[notification.article_id])
    lines += ["", url]
    return "\n".join(lines) + "\n"


def mark_read(*, user, pks=None) -> int:
    """Mark the user's unread notifications (all, or those pks) read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())
