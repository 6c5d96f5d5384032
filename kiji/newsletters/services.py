"""Newsletter writes: double opt-in, one-click unsubscribe, daily digests, batched sending.

Sending is at most once per subscriber and issue: a delivery is claimed (committed) before its SMTP
conversation and marked sent after it, and a claimed row is never claimed again. A sender stopped with
SIGTERM finishes the message in hand; one killed outright leaves at most the message in hand
unconfirmed (claimed, not marked), which no later run sends again.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kiji.audience.lists import ranking, recommended
from kiji.lib.dates import to_jst
from kiji.newsletters.models import Delivery, Issue, Subscriber, new_token
from kiji.newsroom.models import Article

log = logging.getLogger("kiji.newsletters")
DIGEST_SIZE = 8


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def subscribe(*, email: str, now: datetime | None = None) -> Subscriber:
    """Start (or restart) a subscription and mail the confirmation link; an active one is left as is,
    and nothing tells the visitor whether the address was already known."""
    now = now or timezone.now()
    email = email.strip()
    email = email[: email.rfind("@")] + email[email.rfind("@") :].lower()
    try:
        with transaction.atomic():
            subscriber, _ = Subscriber.objects.get_or_create(email=email)
    except IntegrityError:  # two submissions at once: the other one created it
        subscriber = Subscriber.objects.get(email=email)
    if subscriber.status == Subscriber.Status.ACTIVE:
        return subscriber
    subscriber.status = Subscriber.Status.PENDING
    subscriber.token = new_token()  # an old link stops working
    subscriber.save(update_fields=["status", "token"])
    _send_confirmation(subscriber)
    return subscriber


def _send_confirmation(subscriber: Subscriber) -> None:
    context = {
        "site_name": settings.SITE_NAME,
        "confirm_url": _url("newsletters:confirm", subscriber.token),
        "sender_address": settings.KIJI_NEWSLETTER_SENDER_ADDRESS,
    }
    text = render_to_string("newsletters/mail/confirm.txt", context)
    EmailMultiAlternatives(
        f"【{settings.SITE_NAME}】メールマガジン登録の確認", text, settings.DEFAULT_FROM_EMAIL, [subscriber.email]
    ).send()


def confirm(*, token: str, now: datetime | None = None) -> Subscriber | None:
    """The second opt-in: the link from the confirmation mail activates the subscription."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None or subscriber.status not in (Subscriber.Status.PENDING, Subscriber.Status.ACTIVE):
        return None
    if subscriber.status == Subscriber.Status.PENDING:
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.confirmed_at = now or timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at"])
    return subscriber


def unsubscribe(*, token: str, now: datetime | None = None) -> Subscriber | None:
    """Stop every future mail to this subscriber (idempotent)."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is not None and subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now or timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def mark_bounced(*, email: str) -> bool:
    """A hard bounce: no more mail to this address."""
    return bool(Subscriber.objects.filter(email__iexact=email).update(status=Subscriber.Status.BOUNCED))


def digest_defaults(*, now: datetime | None = None) -> dict:
    """The daily default issue: editors' picks and おすすめ, then the day's ranking."""
    now = now or timezone.now()
    ids = list(dict.fromkeys(a.pk for a in [*recommended(limit=DIGEST_SIZE), *ranking(limit=DIGEST_SIZE)]))
    return {"subject": f"{settings.SITE_NAME} {to_jst(now):%-m月%-d日}のニュース", "article_ids": ids[:DIGEST_SIZE]}


def build_digest(*, now: datetime | None = None) -> Issue:
    """The daily default as a draft issue."""
    return Issue.objects.create(**digest_defaults(now=now))


def issue_articles(issue: Issue) -> list[Article]:
    found = Article.objects.published().filter(pk__in=issue.article_ids).select_related("category").in_bulk()
    return [found[pk] for pk in issue.article_ids if pk in found]


def build_message(issue: Issue, subscriber: Subscriber, articles: list[Article]) -> EmailMultiAlternatives:
    """The issue for one subscriber: plain text and HTML, the sender's identity, one-click unsubscribe."""
    unsubscribe_url = _url("newsletters:unsubscribe", subscriber.token)
    context = {
        "issue": issue,
        "articles": [{"article": a, "url": settings.SITE_URL + a.get_absolute_url()} for a in articles],
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "sender_address": settings.KIJI_NEWSLETTER_SENDER_ADDRESS,
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        issue.subject,
        render_to_string("newsletters/mail/issue.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [subscriber.email],
        headers={
            # RFC 2369 + RFC 8058: mailbox providers show an unsubscribe button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{settings.SITE_NAME} <newsletter.{urlsplit(settings.SITE_URL).hostname}>",
            # One id per issue and subscriber: a provider that sees it twice can drop the copy.
            "Message-ID": f"<issue-{issue.pk}.{subscriber.pk}@{urlsplit(settings.SITE_URL).hostname}>",
        },
    )
    message.attach_alternative(render_to_string("newsletters/mail/issue.html", context), "text/html")
    return message


def start_sending(*, issue: Issue, now: datetime | None = None) -> int:
    """One delivery row per active subscriber (again safe: existing rows stay); returns the rows made."""
    now = now or timezone.now()
    active = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).values_list("pk", flat=True)
    rows = [Delivery(issue=issue, subscriber_id=pk) for pk in active.iterator()]
    made = Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    Issue.objects.filter(pk=issue.pk).exclude(status=Issue.Status.SENT).update(status=Issue.Status.SENDING)
    return len(made)


def send_batch(*, issue: Issue, limit: int, stop: Callable[[], bool] = lambda: False) -> int:
    """Send up to `limit` unclaimed deliveries of the issue; returns how many were sent."""
    articles = issue_articles(issue)
    pending = Delivery.objects.filter(issue=issue, claimed_at__isnull=True).select_related("subscriber")
    sent = 0
    with get_connection() as connection:
        for delivery in pending.order_by("pk")[:limit]:
            if stop():
                break
            if not Delivery.objects.filter(pk=delivery.pk, claimed_at__isnull=True).update(claimed_at=timezone.now()):
                continue  # another sender has it
            if delivery.subscriber.status != Subscriber.Status.ACTIVE:
                continue  # unsubscribed or bounced since the issue started: claimed, never sent
            message = build_message(issue, delivery.subscriber, articles)
            message.connection = connection
            try:
                message.send()
            except Exception as error:  # a refused address; the batch goes on
                log.warning("newsletter %s to %s failed: %s", issue.pk, delivery.subscriber_id, error)
                Delivery.objects.filter(pk=delivery.pk).update(error=str(error)[:300])
                continue
            Delivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
            sent += 1
    if not Delivery.objects.filter(issue=issue, claimed_at__isnull=True).exists():
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )
    return sent


def send_test(*, issue: Issue, email: str) -> None:
    """A test mail of the issue to one address, with a dummy unsubscribe link."""
    build_message(issue, Subscriber(email=email, token="test"), issue_articles(issue)).send()


def send_due_issues(*, now: datetime | None = None) -> int:
    """The scheduler's round: start issues whose time has come, then one batch of each issue sending."""
    now = now or timezone.now()
    for issue in Issue.objects.filter(status=Issue.Status.SCHEDULED, send_at__lte=now):
        start_sending(issue=issue, now=now)
    sent = 0
    for issue in Issue.objects.filter(status=Issue.Status.SENDING):
        sent += send_batch(issue=issue, limit=settings.KIJI_NEWSLETTER_BATCH)
    return sent
