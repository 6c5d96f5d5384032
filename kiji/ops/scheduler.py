"""Periodic jobs run by `kiji scheduler` (started by `kiji serve`).

Jobs register one way: an app lists its periodic jobs in a `JOBS` mapping in its own `jobs.py`
(name -> function taking no arguments), and the scheduler finds them there. No app imports the
scheduler. Every job must be safe when several schedulers run at once (one per app server): each
claims its work atomically.

A job that may run for minutes (the full also-read rebuild) is also named in the app's `SLOW_JOBS`;
`kiji scheduler` runs those in a process of its own (`kiji scheduler --slow`), so scheduled
publishing never waits behind them, and a stop ends that process at once.
"""

import functools
import logging
import time
from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from kiji.lib import metrics

log = logging.getLogger("kiji.scheduler")


@functools.cache
def jobs() -> dict[str, Callable[[], object]]:
    """Every installed app's jobs, named `<app label>.<job>`, in INSTALLED_APPS order."""
    found = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "jobs"):
            module = import_module(f"{config.name}.jobs")
            found.update({f"{config.label}.{name}": job for name, job in module.JOBS.items()})
    return found


@functools.cache
def slow_jobs() -> frozenset[str]:
    """The names of the jobs that run in the scheduler's second process."""
    found = set()
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "jobs"):
            module = import_module(f"{config.name}.jobs")
            found.update(f"{config.label}.{name}" for name in getattr(module, "SLOW_JOBS", ()))
    return frozenset(found)


def beat() -> None:
    """Record that a scheduler round just ended (/readyz fails when this gets old)."""
    from kiji.ops.models import Heartbeat

    Heartbeat.objects.update_or_create(name="scheduler", defaults={"beat_at": timezone.now()})


def run_due_jobs(*, slow: bool | None = None) -> None:
    """Run every job (slow=None), only the quick ones (False) or only the slow ones (True)."""
    for name, job in jobs().items():
        if slow is not None and (name in slow_jobs()) != slow:
            continue
        start = time.monotonic()
        try:
            job()
        except Exception:
            log.exception("scheduler job %s failed", name)
            result = "failed"
        else:
            result = "ok"
            metrics.set_gauge("kiji_scheduler_job_last_success_timestamp_seconds", time.time(), job=name)
        metrics.observe(
            "kiji_scheduler_job_duration_seconds",
            time.monotonic() - start,
            also=metrics.counter("kiji_scheduler_job_runs_total", job=name, result=result),
            job=name,
        )
