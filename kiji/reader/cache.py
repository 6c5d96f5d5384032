"""The reader site's page cache: anonymous GETs of reader pages served without rendering.

A rendered page is stored in Django's cache under its host, path and query, with the versions
(kiji.lib.pagecache) it was rendered under; it is served only while those versions are current,
so purge_article / purge_site reach every worker within KIJI_PAGECACHE_VERSION_TTL (0.2 s).

Two doors, one store: `PageCacheMiddleware` (first in MIDDLEWARE) serves and stores pages for
any WSGI server and the test client; `CachedWSGIApplication` wraps the WSGI app so a hit is
answered before Django builds a request at all (what `kiji serve` runs; see bench/RESULTS.md).

Never cached: requests carrying a session cookie (logged-in staff), non-GET/HEAD requests,
responses that set a cookie, vary on Cookie, or say private/no-cache/no-store, and pages
outside the reader's URL namespaces.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_path_info
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe

from kiji.lib import pagecache
from kiji.newsroom import signals as newsroom_signals

log = logging.getLogger("kiji.pagecache")

# Browsers revalidate every time (a cheap 304); shared caches may keep a page a second,
# and serve it a second longer while they fetch the new one.
CACHE_CONTROL = "public, max-age=0, s-maxage=1, stale-while-revalidate=1"
NAMESPACES = {"reader"}
NOT_CACHED_URL_NAMES = {"preview"}
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
    return getattr(settings, "KIJI_PAGECACHE", True)


def _ttl() -> int:
    return getattr(settings, "KIJI_PAGECACHE_TTL", 60)


def _key(scheme: str, host: str, path: str, query: str) -> str:
    raw = f"{scheme}://{host}{path}?{query}"
    return "page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _anonymous(cookie_header: str) -> bool:
    return settings.SESSION_COOKIE_NAME + "=" not in cookie_header


# With a shared cache (Redis), a hit meant a round trip and unpickling ~50 KB: ~130 µs, 7x a locmem
# hit. Each process also keeps the pages it fetched for a second (a spike is a few hot pages);
# they are served under the same version check, so a purge still ends them at once.
LOCAL_SECONDS = 1.0
LOCAL_MAX = 64
_local: dict[str, tuple[float, Page]] = {}


def _fetch(key: str) -> Page | None:
    now = time.monotonic()
    held = _local.get(key)
    if held is not None and held[0] > now:
        return held[1]
    page = cache.get(key)
    if page is not None and pagecache.shared_cache():
        if len(_local) >= LOCAL_MAX:
            _local.clear()
        _local[key] = (now + LOCAL_SECONDS, page)
    return page


def _get(key: str) -> Page | None:
    try:
        page = _fetch(key)
    except Exception:  # a cache outage must never reach the reader: render instead
        log.warning("page cache unavailable", exc_info=True)
        return None
    if page is None:
        return None
    site, article = pagecache.versions(page.article_pk)
    if page.site_version != site or page.article_version != article:
        _local.pop(key, None)  # purged: the next request looks in the shared cache again
        return None
    return page


def _not_modified(page: Page, if_none_match: str | None, if_modified_since: str | None) -> bool:
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


def _headers(page: Page) -> list[tuple[str, str]]:
    return [
        *page.headers,
        ("ETag", page.etag),
        ("Last-Modified", http_date(page.last_modified)),
        ("Cache-Control", CACHE_CONTROL),
        ("X-Accel-Expires", accel_expires()),
    ]


def _cacheable(request, response) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in NAMESPACES or match.url_name in NOT_CACHED_URL_NAMES:
        return False
    if response.status_code not in (200, 301) or response.streaming or response.cookies:
        return False
    if "cookie" in response.get("Vary", "").lower():
        return False
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-cache", "no-store"))


class PageCacheMiddleware:
    """Serves and stores anonymous reader pages; answers conditional GETs with 304."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (enabled() and request.method in ("GET", "HEAD") and _anonymous(request.META.get("HTTP_COOKIE", ""))):
            return self.get_response(request)
        key = _key(request.scheme, request.get_host(), request.path_info, request.META.get("QUERY_STRING", ""))
        page = _get(key)
        if page is not None:
            return self._reply(request, page, hit=True)
        # Versions are read before rendering: a page rendered from data older than a purge
        # is then stored under the older version and never served after it.
        request._kiji_versions = pagecache.versions(None)
        response = self.get_response(request)
        if not _cacheable(request, response):
            if response.status_code in (404, 410) and "X-Accel-Expires" not in response:
                # A page that has gone is micro-cached as gone (so nginx stops serving its old copy),
                # for the rest of this second only: a publish shows as soon as an edit does.
                response["X-Accel-Expires"] = accel_expires()
            return response
        pk = getattr(request, "resolver_match", None) and request.resolver_match.kwargs.get("pk")
        article_version = pagecache.versions(pk)[1] if pk else 0
        page = Page(
            status=response.status_code,
            headers=[(k, v) for k, v in response.items() if k.lower() not in DROPPED_HEADERS],
            body=response.content,
            etag=f'"{hashlib.blake2b(response.content, digest_size=12).hexdigest()}"',
            last_modified=time.time(),
            site_version=request._kiji_versions[0],
            article_pk=pk,
            article_version=article_version,
        )
        try:
            cache.set(key, page, _ttl())
            _local.pop(key, None)
        except Exception:
            log.warning("page cache unavailable", exc_info=True)
        return self._reply(request, page, hit=False)

    @staticmethod
    def _reply(request, page: Page, *, hit: bool):
        if _not_modified(page, request.META.get("HTTP_IF_NONE_MATCH"), request.META.get("HTTP_IF_MODIFIED_SINCE")):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(page.body, status=page.status)
        for name, value in _headers(page):
            if not (response.status_code == 304 and name == "Content-Type"):
                response[name] = value
        response["X-Kiji-Cache"] = "hit" if hit else "miss"
        return response


class CachedWSGIApplication:
    """WSGI wrapper answering page-cache hits before Django's request handling (the fast door)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] in ("GET", "HEAD") and enabled() and _anonymous(environ.get("HTTP_COOKIE", "")):
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
            page = _get(_key(_scheme(environ), host, get_path_info(environ), environ.get("QUERY_STRING", "")))
            # The key holds the host, and pages are stored only after Django accepted the host.
            if page is not None:
                if _not_modified(page, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")):
                    start_response(
                        "304 Not Modified",
                        [h for h in _headers(page) if h[0] != "Content-Type"] + [("X-Kiji-Cache", "hit")],
                    )
                    return [b""]
                body = b"" if environ["REQUEST_METHOD"] == "HEAD" else page.body
                start_response(
                    f"{page.status} {'OK' if page.status == 200 else 'Moved Permanently'}",
                    _headers(page) + [("Content-Length", str(len(page.body))), ("X-Kiji-Cache", "hit")],
                )
                return [body]
        return self.application(environ, start_response)


def _scheme(environ) -> str:
    """The scheme as Django's request.scheme would see it (behind a TLS-terminating proxy too)."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        header, secure = proxy
        if environ.get(header, "").split(",")[0].strip() == secure:
            return "https"
    return environ.get("wsgi.url_scheme", "http")


def purge_for_article(pk: int | None) -> None:
    """An article changed: its page and every list page render afresh."""
    if pk:
        pagecache.purge_article(pk)
    pagecache.purge_site()


@receiver(newsroom_signals.article_changed)
def _article_changed(sender, article, **kwargs):
    purge_for_article(article.pk)


@receiver(newsroom_signals.articles_imported)
def _articles_imported(sender, **kwargs):
    pagecache.purge_site()


def _purge_after_commit(sender, instance, **kwargs):
    # Edits made outside the publishing services (the admin's inlines, a shell, an import)
    # must reach readers too; purging is cheap, so purge on every saved row readers can see.
    # Purged now (this process, and tests inside one transaction, see the change at once) and again
    # after commit (a page another worker rendered from the old rows meanwhile is dropped too).
    pk = instance.pk if sender.__name__ == "Article" else getattr(instance, "article_id", None)
    purge_for_article(pk)
    transaction.on_commit(lambda: purge_for_article(pk))


def _connect_model_purges() -> None:
    from kiji.newsroom import models

    for name in ("Article", "Category", "Tag", "Writer", "Image", "Byline", "Correction"):
        model = getattr(models, name, None)
        if model is not None:
            post_save.connect(_purge_after_commit, sender=model, dispatch_uid=f"pagecache-save-{name}")
            post_delete.connect(_purge_after_commit, sender=model, dispatch_uid=f"pagecache-delete-{name}")


_connect_model_purges()


class SlotMemo:
    """The page's side lists and widgets (kiji.reader.slots), remembered per process for a few seconds.

    Lists such as rankings are the same on thousands of pages; asking their store on every render
    would cost more than the rest of the page. An entry is keyed by the page cache versions, so a
    purge (an edit, a new comment) makes every worker ask afresh at once, as it does for pages.
    """

    MAX_ENTRIES = 2000

    def __init__(self, module, seconds: float):
        self._module = module
        self._seconds = seconds
        self._memo: dict = {}
        self._wrappers: dict = {}

    def __getattr__(self, name):
        if name not in self._wrappers:
            func = getattr(self._module, name)
            self._wrappers[name] = self._wrap(name, func) if callable(func) and self._seconds > 0 else func
        return self._wrappers[name]

    def _wrap(self, name, func):
        def memoized(*args, **kwargs):
            article_pk = next((a.pk for a in args if type(a).__name__ == "Article"), None)
            key = (name, tuple(_ident(a) for a in args), tuple(sorted(kwargs.items())), pagecache.versions(article_pk))
            now = time.monotonic()
            hit = self._memo.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
            value = func(*args, **kwargs)
            if len(self._memo) >= self.MAX_ENTRIES:
                self._memo.clear()
            self._memo[key] = (now + self._seconds, value)
            return value

        return memoized


def _ident(value):
    pk = getattr(value, "pk", None)
    return (type(value).__name__, pk) if pk is not None else value
