"""The editorial workflow: saving, reviewing, scheduling, publishing, revisions."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kiji.lib import metrics
from kiji.newsroom.models import Article, Notification, Revision
from kiji.newsroom.permissions import ensure_can_edit, ensure_can_publish, is_editor
from kiji.newsroom.services.notifying import notify
from kiji.newsroom.signals import article_changed

Status = Article.Status

# The fields a revision keeps and a restore puts back.
REVISION_FIELDS = [
    "headline",
    "deck",
    "slug",
    "body",
    "lead_image_id",
    "category_id",
    "status",
    "published_at",
    "updated_at",
    "source_url",
    "source_credit",
    "short_headline",
]

# What a restore puts back: the content. Never the status, the publication time (a live article would
# leave the site, or look brand new when published again), the update time (set by the restore itself)
# or the slug (the address readers and search engines already have).
RESTORED_FIELDS = [
    "headline",
    "short_headline",
    "deck",
    "body",
    "lead_image_id",
    "category_id",
    "source_url",
    "source_credit",
]


def announce_change(article: Article, *, deleted: bool = False) -> None:
    """Tell listeners (search, caches, lists) once the transaction has committed."""
    if deleted:
        # By the commit its bylines and tags are gone with it: read them now for the listeners that
        # need them (the WebSub pings for its writers' and tags' feeds).
        prefetch_related_objects([article], "writers", "tags")
    transaction.on_commit(lambda: article_changed.send(sender=Article, article=article, deleted=deleted))


def snapshot(article: Article, *, tag_ids: list[int] | None = None, writer_ids: list[int] | None = None) -> dict:
    """The revision data; an import writing in bulk passes the tags and writers it already knows."""
    data = {}
    for name in REVISION_FIELDS:
        value = getattr(article, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    if tag_ids is None:
        tag_ids = article.tags.values_list("pk", flat=True)
    if writer_ids is None:
        writer_ids = article.byline_set.order_by("position", "pk").values_list("writer_id", flat=True)
    data["tag_ids"] = sorted(tag_ids)
    data["writer_ids"] = list(writer_ids)
    return data


def record_revision(article: Article, *, by=None, note: str = "") -> Revision:
    return Revision.objects.create(article=article, created_by=by, note=note[:200], data=snapshot(article))


@transaction.atomic
def restore_revision(*, revision: Revision, by) -> Article:
    """Put an article's content back as it was in a revision, recorded as a new revision.

    Status and publication time stay as they are now; a live article gets a new update time.
    """
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    ensure_can_edit(by, article)
    data = revision.data
    for name in RESTORED_FIELDS:
        value = data.get(name)
        if name not in data or (name == "category_id" and value is None):
            continue  # a field the revision predates; an article always has a category
        setattr(article, name, value if value is not None or name.endswith("_id") else "")
    if article.is_visible():
        article.updated_at = timezone.now()  # readers see changed text: an honest update time
    article.save()
    article.tags.set(data.get("tag_ids", []))
    article.byline_set.all().delete()
    for position, writer_id in enumerate(data.get("writer_ids", [])):
        article.byline_set.create(writer_id=writer_id, position=position)
    record_revision(
        article,
        by=by,
        note=_("Restored the revision of %(time)s")
        % {"time": timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")},
    )
    announce_change(article)
    return article


@transaction.atomic
def submit_for_review(*, article: Article, by) -> Article:
    ensure_can_edit(by, article)
    if not is_editor(by) and not article.byline_set.filter(writer__user=by).exists():
        raise PermissionDenied(_("A writer may only send to review an article that carries their byline."))
    article.status = Status.REVIEW
    article.returned_note, article.returned_at = "", None  # back with the desk: no longer "returned to me"
    article.save(update_fields=["status", "returned_note", "returned_at", "modified_at"])
    record_revision(article, by=by, note=pgettext("revision note", "Submitted for review"))
    notify(article=article, kind=Notification.Kind.SUBMITTED, by=by)
    return article


@transaction.atomic
def return_to_writer(*, article: Article, by, note: str) -> Article:
    """An editor sends an article in review back to its writer as a draft, with a note saying why."""
    ensure_can_publish(by)
    note = note.strip()
    if not note:
        raise ValueError(_("Write a note telling the writer what to change."))
    if article.status != Status.REVIEW:
        raise ValueError(_("Only an article in review can be returned to its writer."))
    article.status = Status.DRAFT
    article.returned_note, article.returned_at = note, timezone.now()
    article.save(update_fields=["status", "returned_note", "returned_at", "modified_at"])
    record_revision(article, by=by, note=pgettext("revision note", "Returned to the writer: %(note)s") % {"note": note})
    notify(article=article, kind=Notification.Kind.RETURNED, by=by, note=note)
    return article


@transaction.atomic
def publish_article(*, article: Article, by, at: datetime | None = None) -> Article:
    """Publish now, or schedule when `at` is in the future."""
    ensure_can_publish(by)
    was_published = article.status == Status.PUBLISHED
    now = timezone.now()
    when = at or now
    article.status = Status.SCHEDULED if when > now else Status.PUBLISHED
    article.published_at = when
    article.save(update_fields=["status", "published_at", "modified_at"])
    note = (
        pgettext("revision note", "Scheduled")
        if article.status == Status.SCHEDULED
        else pgettext("revision note", "Published")
    )
    record_revision(article, by=by, note=note)
    if article.status == Status.PUBLISHED and not was_published:
        notify(article=article, kind=Notification.Kind.PUBLISHED, by=by)
    announce_change(article)
    return article


@transaction.atomic
def unpublish_article(*, article: Article, by) -> Article:
    ensure_can_publish(by)
    article.status = Status.UNPUBLISHED
    article.save(update_fields=["status", "modified_at"])
    record_revision(article, by=by, note=pgettext("revision note", "Unpublished"))
    announce_change(article)
    return article


def publish_due_articles(*, now: datetime | None = None) -> int:
    """Publish every scheduled article whose time has come; returns how many this call published."""
    now = now or timezone.now()
    published = 0
    due = Article.objects.filter(status=Status.SCHEDULED, published_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            # Claim the row with a conditional UPDATE: two schedulers may see the same due
            # article, and only the one whose UPDATE changed a row may publish it.
            claimed = Article.objects.filter(pk=pk, status=Status.SCHEDULED).update(
                status=Status.PUBLISHED, modified_at=now
            )
            if not claimed:
                continue
            article = Article.objects.get(pk=pk)
            record_publish_lag((now - article.published_at).total_seconds())
            record_revision(article, by=None, note=_("Published by the scheduler"))
            notify(article=article, kind=Notification.Kind.PUBLISHED)
            announce_change(article)
            published += 1
    return published


def record_publish_lag(seconds: float) -> None:
    """How late the scheduler published an article (a metric operators watch)."""
    metrics.observe("kiji_publish_lag_seconds", seconds)
    metrics.set_gauge("kiji_publish_last_lag_seconds", seconds)
