"""Old addresses answer 301 to their new page: on the front page with a WordPress query, or before a 404."""

from django.http import HttpResponsePermanentRedirect

from kiji.redirects.models import WP_QUERY_KEYS, Redirect, is_old_front_page_query, old_path_key


def _target(request) -> str | None:
    key = old_path_key(request.path, {k: request.GET.get(k, "") for k in WP_QUERY_KEYS if k in request.GET})
    if "\x00" in key:
        return None  # no old address holds NUL, and PostgreSQL refuses it in a query (a 500, not a 404)
    return Redirect.objects.filter(old_path=key).values_list("new_path", flat=True).first()


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
        if is_read and response.status_code == 404 and (target := _target(request)):
            return HttpResponsePermanentRedirect(target)
        return response
