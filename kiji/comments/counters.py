"""Fixed-window counters for rate limits and flood detection: Redis when configured, else the database.

Both backends answer `incr(key, window)` with the number of hits in the current window (this one
included), so a limit is `incr(...) <= limit`; `incr_many` does several at once. Redis shares the
counts across app servers; the database backend shares them across the processes of one machine
(locmem would not).
"""

import hashlib
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kiji.comments.models import Counter


def _bucket(window: int, now: float) -> int:
    return int(now // window)


def _row_key(key: str, window: int, now: float) -> str:
    """The counter's row: key, window and bucket, within the key column. A key may hold what a client sent
    (the admin login's counts hold the login name, up to 150 characters, and an IPv6 address): a key too
    long for the column counts under its SHA-256 (PostgreSQL refuses a longer value with an error)."""
    suffix = f":{window}:{_bucket(window, now)}"
    if len(key) + len(suffix) > Counter._meta.get_field("key").max_length:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return key + suffix


class DatabaseCounters:
    def incr(self, key: str, window: int, *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        expires = datetime.fromtimestamp((_bucket(window, now) + 1) * window, tz=UTC)
        # One atomic statement on SQLite (3.35+) and PostgreSQL: no read-then-write race between processes.
        q = connection.ops.quote_name
        table, k, n = q(Counter._meta.db_table), q("key"), q("count")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({k}, {n}, {q('expires_at')}) VALUES (%s, 1, %s) "
                f"ON CONFLICT ({k}) DO UPDATE SET {n} = {table}.{n} + 1 RETURNING {n}",
                [_row_key(key, window, now), connection.ops.adapt_datetimefield_value(expires)],
            )
            return cursor.fetchone()[0]

    def incr_many(self, hits: list[tuple[str, int]], *, now: float | None = None) -> list[int]:
        """Several counters in one transaction (one commit instead of one each)."""
        with transaction.atomic():
            return [self.incr(key, window, now=now) for key, window in hits]

    def get(self, key: str, window: int, *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return Counter.objects.filter(key=_row_key(key, window, now)).values_list("count", flat=True).first() or 0

    def purge_expired(self) -> int:
        return Counter.objects.filter(expires_at__lt=timezone.now() - timedelta(minutes=1)).delete()[0]


class RedisCounters:
    def __init__(self, url: str, prefix: str = "kiji:comments:"):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.prefix = prefix

    def incr(self, key: str, window: int, *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        name = f"{self.prefix}{key}:{window}:{_bucket(window, now)}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 60)
        return int(pipe.execute()[0])

    def incr_many(self, hits: list[tuple[str, int]], *, now: float | None = None) -> list[int]:
        """Several counters in one round trip."""
        now = time.time() if now is None else now
        pipe = self.client.pipeline()
        for key, window in hits:
            name = f"{self.prefix}{key}:{window}:{_bucket(window, now)}"
            pipe.incr(name)
            pipe.expire(name, window + 60)
        return [int(n) for n in pipe.execute()[::2]]

    def get(self, key: str, window: int, *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return int(self.client.get(f"{self.prefix}{key}:{window}:{_bucket(window, now)}") or 0)

    def purge_expired(self) -> int:
        return 0  # keys expire by themselves


@lru_cache(maxsize=4)
def _redis(url: str) -> RedisCounters:
    return RedisCounters(url)


def counter_backend() -> DatabaseCounters | RedisCounters:
    """Redis when settings.REDIS_URL is set, else the database."""
    if settings.REDIS_URL:
        return _redis(settings.REDIS_URL)
    return DatabaseCounters()
