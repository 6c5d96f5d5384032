"""The newsroom's periodic jobs (run by kiji.ops.scheduler)."""

from django.utils import timezone

from kiji.lib.db import refresh_statistics
from kiji.lib.memo import Memo
from kiji.newsroom.services.publishing import publish_due_articles

STATISTICS_EVERY = 6 * 3600  # seconds between two ANALYZEs by one scheduler (a second one is harmless)
_analyzed = Memo(seconds=STATISTICS_EVERY, max_entries=1)


def publish_due() -> int:
    return publish_due_articles(now=timezone.now())


def statistics() -> bool:
    """Refresh the planner's statistics every STATISTICS_EVERY seconds (imports do it at once)."""
    if _analyzed.get("done"):
        return False
    refresh_statistics()
    _analyzed.set("done", True)
    return True


JOBS = {"publish_due": publish_due, "statistics": statistics}
SLOW_JOBS = {"statistics"}  # never between a due article and its publication
