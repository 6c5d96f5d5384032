"""Old addresses answer 301 to their new page: on the front page with a WordPress query, or before a 404."""

import re

from django.http import HttpResponsePermanentRedirect

from kiji.redirects.models import WP_QUERY_KEYS, Redirect, is_old_front_page_query, old_path_key


def _new_path(key: str) -> str | None:
    if "\x00" in key:
        return None  # no old address holds NUL, and PostgreSQL refuses it in a query (a 500, not a 404)
    return Redirect.objects.filter(old_path=key).values_list("new_path", flat=True).first()


def _target(request) -> str | None:
    return _new_path(old_path_key(request.path, {k: request.GET.get(k, "") for k in WP_QUERY_KEYS if k in request.GET}))


# WordPress paged every archive as <archive>/page/N/ (/2010/06/page/2/, /category/news/page/3/). Its page N
# held posts_per_page posts, a setting the export does not carry, so it is not page N here: such an address
# answers with its archive's first page.
_PAGED = re.compile(r"(?P<archive>/.+/)page/[0-9]{1,9}/?")


def _paged_target(request) -> str | None:
    match = _PAGED.fullmatch(request.path)
    return _new_path(old_path_key(match["archive"])) if match else None


class OldQueryMiddleware:
    """/?p=12 would otherwise be the home page, even the page cache's copy of it: this runs before the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and is_old_front_page_query(request.path_info, request.META.get("QUERY_STRING", ""))
            and (target := _target(request))
        ):
            return HttpResponsePermanentRedirect(target)
        return self.get_response(request)


class RedirectMiddleware:
    """Any other old address answers 301 where the site itself would answer 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_read = request.method in ("GET", "HEAD")
        response = self.get_response(request)
        if is_read and response.status_code == 404 and (target := _target(request) or _paged_target(request)):
            return HttpResponsePermanentRedirect(target)
        return response
