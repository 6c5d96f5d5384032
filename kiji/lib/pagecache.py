"""Purging readers' cached pages. Any app may call these; the page cache honours them.

The page store (kiji.reader.pagestore) stores each page with the versions it was rendered under:
the site version, and for an article page that article's version. Purging changes a version,
so the next request on every app server renders afresh. Behind nginx, pages are micro-cached
for about a second, so a purge is visible there within that second too.

Where the versions live must be shared by every worker process: with REDIS_URL (or any
shared Django cache) they are cache keys; with the per-process locmem cache they are small
files under KIJI_PAGECACHE_DIR (one machine, several workers). A version is a random token,
not a counter, so a lost or restarted store can never bring an old version back.
"""

import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from kiji.lib.memo import Memo

SITE_KEY = "pagecache:site"

# Each process remembers versions KIJI_PAGECACHE_VERSION_TTL seconds before reading the shared store
# again; a purge from this process is seen at once, one from another process within that time.
_memo = Memo(seconds=0.2, max_entries=10_000)


def _article_key(pk: int) -> str:
    return f"pagecache:article:{pk}"


def shared_cache() -> bool:
    """Is Django's cache shared by every process (Redis), not this process's memory (locmem)?"""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _dir() -> Path:
    return Path(settings.KIJI_PAGECACHE_DIR)


def _read(keys: list[str]) -> dict[str, int]:
    if shared_cache():
        try:
            return cache.get_many(keys)
        except Exception:  # the cache is down: treat as "unknown version", so nothing stale is served
            return {k: -1 for k in keys}
    found = {}
    for key in keys:
        try:
            found[key] = int((_dir() / key.replace(":", "_")).read_text() or 0)
        except (FileNotFoundError, ValueError):
            pass
    return found


def _bump(key: str) -> None:
    token = secrets.randbits(62)
    _memo.pop(key)
    if shared_cache():
        cache.set(key, token, None)
        return
    folder = _dir()
    folder.mkdir(parents=True, exist_ok=True)
    # Write then rename: a reader in another process never sees a half-written token.
    fd, tmp = tempfile.mkstemp(dir=folder)
    with os.fdopen(fd, "w") as f:
        f.write(str(token))
    os.replace(tmp, folder / key.replace(":", "_"))


def purge_article(pk: int) -> None:
    """The article's own page (comments, count, body) must render afresh."""
    _bump(_article_key(pk))


def purge_site() -> None:
    """Every list page (home, categories, tags, writers, feeds) must render afresh."""
    _bump(SITE_KEY)


def versions(article_pk: int | None = None) -> tuple[int, int]:
    """(site version, article version) that a cached page must match to be served."""
    keys = [SITE_KEY] + ([_article_key(article_pk)] if article_pk else [])
    values, missing = {}, []
    for key in keys:
        hit = _memo.get(key)
        if hit is not None:
            values[key] = hit
        else:
            missing.append(key)
    if missing:
        found = _read(missing)
        for key in missing:
            if key not in found:
                # Never seen, or the store was emptied (Redis restarted, cache cleared): start from a new
                # random version, so nothing remembered under an earlier "no version yet" can match.
                _bump(key)
                found[key] = _read([key]).get(key, -1)
            values[key] = found[key]
            if values[key] != -1:
                _memo.set(key, values[key], settings.KIJI_PAGECACHE_VERSION_TTL)
    return values[SITE_KEY], values[keys[-1]] if article_pk else 0
