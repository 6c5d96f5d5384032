"""The reader site's page store: rendered anonymous reader pages, kept under the versions they were rendered with.

A rendered page is stored in Django's cache under its host, path and query, with the versions
(kiji.lib.pagecache) it was rendered under; it is served only while those versions are current,
so purge_article / purge_site reach every worker within KIJI_PAGECACHE_VERSION_TTL (0.2 s).

Two doors, one store: `kiji.reader.middleware.PageCacheMiddleware` (first in MIDDLEWARE) serves and
stores pages for any WSGI server and the test client; `kiji.ops.wsgi.CachedWSGIApplication` answers a
hit before Django builds a request at all (what `kiji serve` runs; see bench/RESULTS.md). What
purges them is wired in kiji.reader.purges.

Never cached: requests carrying a session cookie (logged-in staff), non-GET/HEAD requests,
responses that set a cookie, vary on Cookie, or say private/no-cache/no-store, and pages
outside the reader's URL namespaces.
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.http import http_date, parse_http_date_safe

from kiji.lib import pagecache
from kiji.lib.memo import Memo

log = logging.getLogger("kiji.pagecache")

# Browsers revalidate every time (a cheap 304); shared caches may keep a page a second,
# and serve it a second longer while they fetch the new one.
CACHE_CONTROL = "public, max-age=0, s-maxage=1, stale-while-revalidate=1"
# The reader's pages: every page of the reader namespace but the staff preview, and the public
# ranking page the audience app serves (its lists change once a minute: the TTL bounds its age).
NAMESPACES = {"reader"}
NOT_CACHED_URL_NAMES = {"preview"}
CACHED_VIEWS = {"audience:ranking"}
# Headers a stored page does not keep: per-response, or set afresh by the page cache itself.
DROPPED_HEADERS = {
    "set-cookie",
    "date",
    "content-length",
    "server",
    "x-kiji-cache",
    "cache-control",
    "expires",
    "etag",
    "last-modified",
    "x-accel-expires",
}


@dataclass
class Page:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: float
    site_version: int
    article_pk: int | None
    article_version: int


def enabled() -> bool:
    return settings.KIJI_PAGECACHE


def ttl() -> int:
    return settings.KIJI_PAGECACHE_TTL


# The only query parameters a cached page depends on (reader pagination, the ranking's window and
# category), with short plain values; and on a section sitemap's path alone, its page ?p= (anywhere else
# ?p=<value> would make each value its own copy of an article page). Anything else (?x=random) is left out
# of the key, so a random query string neither bypasses the cache nor fills it with copies.
KEYED_PARAMS = {"page", "window", "category"}
SITEMAP_KEYED_PARAMS = KEYED_PARAMS | {"p"}
SITEMAP_SECTION_PATH = re.compile(r"/sitemap-[-a-zA-Z0-9_]+\.xml")  # reader:sitemap_section
_KEYED_VALUE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def canonical_query(query: str, path: str = "/") -> str:
    keyed = SITEMAP_KEYED_PARAMS if SITEMAP_SECTION_PATH.fullmatch(path) else KEYED_PARAMS
    kept = sorted(
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=False)
        if name in keyed and _KEYED_VALUE.fullmatch(value)
    )
    return urlencode(dict(kept))


def page_key(scheme: str, host: str, path: str, query: str) -> str:
    raw = f"{scheme}://{host}{path}?{canonical_query(query, path)}"
    return "page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def anonymous(cookie_header: str) -> bool:
    """No session cookie at all (the fast door's test; Django's door also checks the session is real)."""
    return settings.SESSION_COOKIE_NAME + "=" not in cookie_header


def live_session(cookies: dict) -> bool:
    """The request's session cookie names a session that exists (a made-up sessionid= does not skip the cache)."""
    key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


# With a shared cache (Redis), a hit meant a round trip and unpickling ~50 KB: ~130 µs, 7x a locmem
# hit. Each process also keeps the pages it fetched for a second (a spike is a few hot pages);
# they are served under the same version check, so a purge still ends them at once.
LOCAL_SECONDS = 1.0
LOCAL_MAX = 64
_local = Memo(seconds=LOCAL_SECONDS, max_entries=LOCAL_MAX)


def _fetch(key: str) -> Page | None:
    held = _local.get(key)
    if held is not None:
        return held
    page = cache.get(key)
    if page is not None and pagecache.shared_cache():
        _local.set(key, page)
    return page


def get_page(key: str) -> Page | None:
    try:
        page = _fetch(key)
    except Exception:  # a cache outage must never reach the reader: render instead
        log.warning("page cache unavailable", exc_info=True)
        return None
    if page is None:
        return None
    site, article = pagecache.versions(page.article_pk)
    if page.site_version != site or page.article_version != article:
        _local.pop(key)  # purged: the next request looks in the shared cache again
        return None
    return page


def store(key: str, page: Page) -> None:
    try:
        cache.set(key, page, ttl())
        _local.pop(key)
    except Exception:  # a cache outage must never reach the reader: the page was rendered anyway
        log.warning("page cache unavailable", exc_info=True)


def not_modified(page: Page, if_none_match: str | None, if_modified_since: str | None) -> bool:
    if if_none_match:
        return page.etag in (tag.strip() for tag in if_none_match.split(",")) or if_none_match.strip() == "*"
    if if_modified_since:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and int(page.last_modified) <= since
    return False


def accel_expires() -> str:
    """How long nginx's micro-cache may keep a response: until the end of the current second.

    nginx counts whole seconds and serves a copy while its expiry second has not passed, so
    `X-Accel-Expires: 1` kept copies 1-2 s (edits showed after up to 2 s under load). "@now"
    (this second, as an absolute time) keeps them 0-1 s: one refresh a second per page.
    """
    return f"@{int(time.time())}"


def response_headers(page: Page) -> list[tuple[str, str]]:
    return [
        *page.headers,
        ("ETag", page.etag),
        ("Last-Modified", http_date(page.last_modified)),
        ("Cache-Control", CACHE_CONTROL),
        ("X-Accel-Expires", accel_expires()),
    ]


def cacheable(request, response) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if f"{match.namespace}:{match.url_name}" not in CACHED_VIEWS and (
        match.namespace not in NAMESPACES or match.url_name in NOT_CACHED_URL_NAMES
    ):
        return False
    # 200 only: a redirect (a slug variant of an article) is cheap to answer and would fill the cache.
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.get("Content-Language", settings.LANGUAGE_CODE) != settings.LANGUAGE_CODE:
        return False  # a page in a language one reader asked for is never served to everyone
    if "cookie" in response.get("Vary", "").lower():
        return False
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-cache", "no-store"))
