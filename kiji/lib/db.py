"""Read replica routing: anonymous reader pages read from the `replica` alias when one is configured.

Set KIJI_REPLICA_URL (same form as DATABASE_URL) to add the alias. Writes, migrations, the admin
and every request carrying a session cookie (staff) use the primary: an editor always sees what
they just saved, while readers' pages may lag by the replica's delay (the page cache does too).
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_reader_request: ContextVar[bool] = ContextVar("kiji_reader_request", default=False)

PRIMARY_ONLY_PREFIXES = ("/admin/", "/preview/")


def has_replica() -> bool:
    return "replica" in settings.DATABASES


@contextmanager
def reading_from_replica():
    """Inside this block, reads (outside transactions) go to the replica if there is one."""
    token = _reader_request.set(True)
    try:
        yield
    finally:
        _reader_request.reset(token)


class ReplicaRouter:
    """Reads of reader requests to `replica`; everything else to `default`."""

    def db_for_read(self, model, **hints):
        if _reader_request.get() and has_replica():
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"  # the replica gets its schema by replication


class ReplicaMiddleware:
    """Marks anonymous GET/HEAD requests outside the admin as reader requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and has_replica()
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path_info.startswith(PRIMARY_ONLY_PREFIXES)
        ):
            with reading_from_replica():
                return self.get_response(request)
        return self.get_response(request)


def refresh_statistics(using: str = "default") -> None:
    """ANALYZE: the query planner's statistics, after an import and every few hours.

    Without them a planner guesses: after a large import the side lists scanned every published
    article instead of using their index. SQLite samples (analysis_limit) so that this stays a
    matter of seconds on a large archive; PostgreSQL's ANALYZE samples by itself.
    """
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


# Pages of SQLite's own cache (KiB when negative) while one transaction writes a whole archive: with the
# default 2 MB, a long import re-read its own uncommitted pages from the write-ahead log, ever more of
# them as it grew (100x corpus: CPU per 50,000 files 46, 69, 88, 113 s; at 10x 7.13 M reads and 87.9 s
# of CPU, with this cache 1.27 M reads and 66.4 s: bench/RESULTS.md, "Import and search measured at 100x").
LARGE_WRITE_CACHE_KIB = 256 * 1024


@contextmanager
def large_write_cache(using: str = "default"):
    """A larger SQLite page cache for one long import transaction, back to the default after it."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size=-{LARGE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(before)}")


# SQLite's busy handler looks for the lock again every 100 ms at most: a background pass writing batch
# after batch without a gap kept the regular scheduler's writes waiting past busy_timeout
# ("database is locked": bench/slow_writes.py). A pause this long lets every waiting writer in.
BATCH_PAUSE = 0.1


def pause_for_writers(using: str = "default") -> None:
    """After one batch of a long background write pass (the slow scheduler process) has committed: on
    SQLite, a pause so that other processes' writers, publishing among them, get the one write lock."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and not connection.in_atomic_block and BATCH_PAUSE:
        time.sleep(BATCH_PAUSE)
