"""WebSub: the public feeds name a hub; a publish, correction or withdrawal owes it a ping per feed.

Saving queues the pings (one row per feed, merged with any still pending) and returns at once; the
scheduler's `websub` job sends them, retrying with a growing delay. Several schedulers may run: each
claims a ping with a conditional UPDATE before sending it.
"""

import logging
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kiji.distribution.models import HubPing
from kiji.newsroom.models import Article, Category, Revision, Tag, Writer

log = logging.getLogger("kiji.distribution")

MAX_ATTEMPTS = 6  # 30 s, 1, 2, 4, 8 min apart: about a quarter of an hour, then we give up
FIRST_RETRY = timedelta(seconds=30)
CLAIM = timedelta(minutes=2)  # a claimed ping is retried by another scheduler if this one dies
BATCH = 20
TIMEOUT = 5  # seconds per hub request: the scheduler has other jobs


# The feeds of each scope an article is filed under; each names the hub (ArticleFeed.feed_extra_kwargs).
SITE_FEEDS = ("reader:feed_rss", "reader:feed_atom", "reader:feed_json")
SCOPED_FEEDS = {
    "category": ("reader:category_feed_rss", "reader:category_feed_atom", "reader:category_feed_json"),
    "writer": ("reader:writer_feed_rss", "reader:writer_feed_atom"),
    "tag": ("reader:tag_feed_rss", "reader:tag_feed_atom"),
}


def topics_for(article: Article) -> list[str]:
    """The public feeds an article appears in, or has just left: the site's, and those of its category,
    each of its writers and each of its tags (RSS, Atom, and JSON Feed where there is one)."""
    scopes = [("category", article.category.slug)]
    scopes += [("writer", writer.slug) for writer in article.writers.all()]
    scopes += [("tag", tag.slug) for tag in article.tags.all()]
    scopes += _scopes_before(article)
    paths = [reverse(name) for name in SITE_FEEDS]
    paths += [reverse(name, args=[slug]) for scope, slug in dict.fromkeys(scopes) for name in SCOPED_FEEDS[scope]]
    return [settings.SITE_URL + path for path in paths]


def _scopes_before(article: Article) -> list[tuple[str, str]]:
    """The category, writers and tags of the article's revision before its latest (the latest is the article
    as it is): an edit that moved it, or took a byline or a tag off, changed those feeds too."""
    revisions = Revision.objects.filter(article=article.pk).order_by("-pk").values_list("data", flat=True)
    data = next(iter(revisions[1:2]), None)
    if not data:
        return []
    filed = (
        ("category", Category, [data.get("category_id")]),
        ("writer", Writer, data.get("writer_ids", [])),
        ("tag", Tag, data.get("tag_ids", [])),
    )
    return [
        (scope, slug)
        for scope, model, ids in filed
        for slug in model.objects.filter(pk__in=ids).values_list("slug", flat=True)
    ]


def queue_pings(article: Article, *, now=None) -> int:
    """Owe the hub a ping for each of the article's feeds; returns how many are now pending."""
    if not settings.KIJI_WEBSUB_HUB:
        return 0
    now = now or timezone.now()
    topics = topics_for(article)
    for topic in topics:
        pending = HubPing.objects.filter(topic=topic, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        if not pending.update(next_attempt_at=now):
            HubPing.objects.create(topic=topic, next_attempt_at=now)
    return len(topics)


def forget_old_pings(*, now=None) -> int:
    """Delete pings sent (or given up) more than a day ago; returns how many."""
    now = now or timezone.now()
    old = HubPing.objects.filter(created_at__lt=now - timedelta(days=1))
    return old.exclude(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).delete()[0]


def send_due_pings(*, now=None) -> int:
    """Send the pings whose time has come; returns how many the hub accepted."""
    hub = settings.KIJI_WEBSUB_HUB
    if not hub:
        return 0
    now = now or timezone.now()
    due = HubPing.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now)
    sent = 0
    for ping in due[:BATCH]:
        claimed = HubPing.objects.filter(pk=ping.pk, sent_at__isnull=True, next_attempt_at=ping.next_attempt_at)
        if not claimed.update(next_attempt_at=now + CLAIM):
            continue  # another scheduler has it
        error = _post(hub, ping.topic)
        if error is None:
            HubPing.objects.filter(pk=ping.pk).update(sent_at=timezone.now(), last_error="")
            sent += 1
        else:
            delay = FIRST_RETRY * 2**ping.attempts
            HubPing.objects.filter(pk=ping.pk).update(
                attempts=F("attempts") + 1, next_attempt_at=now + delay, last_error=error[:300]
            )
            log.warning("WebSub ping for %s failed: %s", ping.topic, error)
    return sent


def _post(hub: str, topic: str) -> str | None:
    """POST hub.mode=publish for one topic; None when the hub answered 2xx, else why not."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
    request = urllib.request.Request(hub, data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (the hub is a setting)
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return str(getattr(error, "reason", error))
