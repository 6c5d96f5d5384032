"""The page cache's door inside Django: first in MIDDLEWARE, it serves and stores anonymous reader pages."""

import hashlib
import time

from django.http import HttpResponse, HttpResponseNotModified

from kiji.lib import pagecache
from kiji.reader.pagestore import (
    DROPPED_HEADERS,
    Page,
    accel_expires,
    anonymous,
    cacheable,
    enabled,
    get_page,
    live_session,
    not_modified,
    page_key,
    response_headers,
    store,
)


class PageCacheMiddleware:
    """Serves and stores anonymous reader pages; answers conditional GETs with 304."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (enabled() and request.method in ("GET", "HEAD")):
            return self.get_response(request)
        if not anonymous(request.META.get("HTTP_COOKIE", "")) and live_session(request.COOKIES):
            return self.get_response(request)
        # Reader pages are Japanese for everyone: no Accept-Language picks what the cache stores.
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        key = page_key(request.scheme, request.get_host(), request.path_info, request.META.get("QUERY_STRING", ""))
        page = get_page(key)
        if page is not None:
            return self._reply(request, page, hit=True)
        # Versions are read before rendering: a page rendered from data older than a purge
        # is then stored under the older version and never served after it.
        request._kiji_versions = pagecache.versions(None)
        response = self.get_response(request)
        if not cacheable(request, response):
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
        store(key, page)
        return self._reply(request, page, hit=False)

    @staticmethod
    def _reply(request, page: Page, *, hit: bool):
        if not_modified(page, request.META.get("HTTP_IF_NONE_MATCH"), request.META.get("HTTP_IF_MODIFIED_SINCE")):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(page.body, status=page.status)
        for name, value in response_headers(page):
            if not (response.status_code == 304 and name == "Content-Type"):
                response[name] = value
        response["X-Kiji-Cache"] = "hit" if hit else "miss"
        return response
