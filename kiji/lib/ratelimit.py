"""Fixed-window hit counters in the cache (Redis shared by every app server, else per process): the one
rate limiter of the API and the admin login. Comments count in kiji.comments.counters, which falls back
to the database so that several processes of one machine share the counts without Redis."""

import time

from django.core.cache import cache


def _redis_error() -> type[Exception]:
    # Imported when needed: a site without Redis never loads the redis package (~9 MB a worker).
    from redis.exceptions import RedisError

    return RedisError


def hit(key: str, window: int, *, count: bool = True) -> tuple[int, float] | None:
    """(hits in the current window including this one, the window's end); `count=False` only reads.
    None when the cache is unreachable: callers fail open (and the cache backend logs the outage)."""
    now = time.time()
    start = int(now // window) * window
    name = f"rate:{key}:{start}"
    try:
        if not count:
            return int(cache.get(name) or 0), start + window
        cache.add(name, 0, timeout=window + 1)
        try:
            return cache.incr(name), start + window
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=window + 1)
            return 1, start + window
    except _redis_error():  # evaluated only when something else went wrong
        return None
