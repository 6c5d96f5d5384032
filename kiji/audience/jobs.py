"""The audience app's periodic jobs (run by kiji.ops.scheduler)."""

from kiji.audience import lists
from kiji.audience.backends import get_backend


def flush() -> None:
    get_backend().flush()


JOBS = {"flush": flush, "lists": lists.refresh_lists_job, "also_read": lists.refresh_also_read_job}
# The full also-read rebuild takes minutes on a large archive: the scheduler runs it in a process
# of its own, so scheduled publishing never waits behind it.
SLOW_JOBS = {"also_read"}
