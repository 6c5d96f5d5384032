"""The audience app's periodic jobs (run by kiji.ops.scheduler)."""

from django.utils import timezone

from kiji.audience import lists
from kiji.audience.backends import get_backend
from kiji.audience.store import roll_up_view_hours


def flush() -> None:
    get_backend().flush()


def roll_up() -> int:
    """Once an hour across all processes: fold view hours older than a month (kiji.audience.store)."""
    return roll_up_view_hours(timezone.now()) if get_backend().claim("roll_up", 3600) else 0


JOBS = {
    "flush": flush,
    "lists": lists.refresh_lists_job,
    "also_read": lists.refresh_also_read_job,
    "roll_up": roll_up,
}
# The full also-read rebuild takes minutes on a large archive: the scheduler runs it in a process
# of its own, so scheduled publishing never waits behind it.
SLOW_JOBS = {"also_read", "roll_up"}
