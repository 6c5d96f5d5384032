"""Purging readers' cached pages. Any app may call these; the page cache honours them.

The page cache (see kiji.reader.cache / the performance work) keys every cached reader page by
a version: purging bumps the version, so the next request renders afresh on every app server
sharing the cache. Behind nginx, pages are micro-cached for about a second, so a purge is
visible there within that second too.
"""

from django.core.cache import cache

SITE_KEY = "pagecache:site"


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def purge_article(pk: int) -> None:
    """The article's own page (comments, count, body) must render afresh."""
    _bump(f"pagecache:article:{pk}")


def purge_site() -> None:
    """Every list page (home, categories, tags, writers, feeds) must render afresh."""
    _bump(SITE_KEY)


def versions(article_pk: int | None = None) -> tuple[int, int]:
    """(site version, article version) that a cached page must match to be served."""
    keys = [SITE_KEY] + ([f"pagecache:article:{article_pk}"] if article_pk else [])
    found = cache.get_many(keys)
    return found.get(SITE_KEY, 0), found.get(keys[-1], 0) if article_pk else 0
