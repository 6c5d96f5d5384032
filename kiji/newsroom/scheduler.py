"""Periodic jobs run by `kiji scheduler` (started by `kiji serve`).

Every job must be safe when several schedulers run at once (one per app server): each claims
its work atomically. Other apps register their jobs with `register(name, func)`.
"""

import logging
from collections.abc import Callable

from django.utils import timezone

from kiji.newsroom.services.publishing import publish_due_articles

log = logging.getLogger("kiji.scheduler")

JOBS: dict[str, Callable[[], object]] = {}


def register(name: str, func: Callable[[], object]) -> None:
    JOBS[name] = func


def run_due_jobs() -> None:
    for name, job in list(JOBS.items()):
        try:
            job()
        except Exception:
            log.exception("scheduler job %s failed", name)


register("publish_due", lambda: publish_due_articles(now=timezone.now()))
