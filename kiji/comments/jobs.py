"""Scheduler jobs: refresh cached article pages when comment forms open or close by the clock."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from kiji.comments.counters import counter_backend
from kiji.comments.rules import in_quiet_hours
from kiji.lib.pagecache import purge_article, purge_site
from kiji.newsroom.models import Article

QUIET_KEY = "comments:quiet-hours-state"
AUTO_CLOSE_KEY = "comments:auto-close-checked"


def refresh_clock_changes(now=None) -> int:
    """Purge cached pages whose comment form changed with time (quiet hours, auto-close); returns purges.

    Idempotent and safe with several schedulers: a second purge of the same page costs one render.
    """
    now = now or timezone.now()
    purges = 0
    quiet = in_quiet_hours(now)
    previous = cache.get(QUIET_KEY)
    if previous is not None and previous != quiet:
        purge_site()  # every article page shows the form's state
        purges += 1
    cache.set(QUIET_KEY, quiet, None)
    if days := settings.KIJI_COMMENTS_AUTO_CLOSE_DAYS:
        since = cache.get(AUTO_CLOSE_KEY) or now - timedelta(minutes=5)
        closed = Article.objects.published().filter(
            published_at__gt=since - timedelta(days=days), published_at__lte=now - timedelta(days=days)
        )
        for pk in closed.values_list("pk", flat=True):
            purge_article(pk)
            purges += 1
        cache.set(AUTO_CLOSE_KEY, now, None)
    counter_backend().purge_expired()
    return purges


JOBS = {"clock": refresh_clock_changes}
