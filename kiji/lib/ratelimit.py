"""Fixed-window hit counters shared by every process serving the site: the rate limiter of the API and
the admin login.

The counts live where the comments' limits keep theirs (kiji.comments.counters: Redis when REDIS_URL is
set, else the database), which that app hands over at start-up (`share`), as lib imports no app. The
cache would not do without Redis: each worker of one machine has its own locmem cache, so two granian
workers let a client through twice the limit, and the API's X-RateLimit-Remaining went 59, 59, 58, 58.
Until a store is shared (a process without the comments app), the cache counts.
"""

import time
from collections.abc import Callable

from django.core.cache import cache

_shared: list[Callable] = []


def share(counters: Callable) -> None:
    """Count in `counters()` from now on: an object with incr(key, window, now=) and get(key, window, now=)."""
    _shared[:] = [counters]


def _redis_error() -> type[Exception]:
    # Imported when needed: a site without Redis never loads the redis package (~9 MB a worker).
    from redis.exceptions import RedisError

    return RedisError


def hit(key: str, window: int, *, count: bool = True) -> tuple[int, float] | None:
    """(hits in the current window including this one, the window's end); `count=False` only reads.
    None when Redis is unreachable: callers fail open (and the outage is logged where it is met)."""
    now = time.time()
    start = int(now // window) * window
    try:
        if _shared:
            counters, name = _shared[0](), f"rate:{key}"
            seen = counters.incr(name, window, now=now) if count else counters.get(name, window, now=now)
            return seen, start + window
        return _in_cache(f"rate:{key}:{start}", window, count), start + window
    except _redis_error():  # evaluated only when something else went wrong
        return None


def _in_cache(name: str, window: int, count: bool) -> int:
    if not count:
        return int(cache.get(name) or 0)
    cache.add(name, 0, timeout=window + 1)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window + 1)
        return 1
