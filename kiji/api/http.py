"""The API's HTTP manners: JSON errors, a per-IP rate limit, ETag/Last-Modified and Cache-Control."""

import functools
import hashlib
import json
import time
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from kiji.lib import ratelimit
from kiji.lib.clientip import client_ip


class ApiError(Exception):
    """An error the client can fix: answered as JSON with this status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BadRequest(ApiError):
    def __init__(self, message: str):
        super().__init__(400, "bad_request", message)


def json_response(data, *, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # public, read-only, cookie-less data
    return response


def error_response(status: int, code: str, message: str) -> HttpResponse:
    response = json_response({"error": {"status": status, "code": code, "message": message}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def check_rate(request) -> HttpResponse | None:
    """A fixed-window counter per IP in the cache; a 429 response once the window's allowance is spent."""
    limit, window = settings.KIJI_API_RATE_LIMIT, settings.KIJI_API_RATE_WINDOW
    now = time.time()
    counted = ratelimit.hit(f"api:{client_ip(request.META)}", window)
    if counted is None:
        # Fail open: the API serves public, cacheable data, and an unreachable Redis must not take it down.
        return None
    count, end = counted
    start = end - window
    request.api_rate = (limit, max(limit - count, 0), start + window)
    if count <= limit:
        return None
    retry_after = max(int(start + window - now) + 1, 1)
    response = error_response(
        429, "rate_limited", f"Too many requests: {limit} per {window} s per client. Retry after {retry_after} s."
    )
    response["Retry-After"] = str(retry_after)
    return response


def _rate_headers(request, response) -> None:
    if hasattr(request, "api_rate"):
        limit, remaining, reset = request.api_rate
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(remaining)
        response["X-RateLimit-Reset"] = str(int(reset))


def api_view(view):
    """GET/HEAD only, rate limited, errors as JSON, conditional GET on the body's ETag.

    The view returns (data, last_modified or None); this wraps it in a JSON response with ETag,
    Last-Modified and Cache-Control, or a 304 when the client's copy is current.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, "method_not_allowed", "Only GET and HEAD are allowed.")
            response["Allow"] = "GET, HEAD"
            return response
        if limited := check_rate(request):
            return limited
        try:
            data, last_modified = view(request, *args, **kwargs)
        except ApiError as e:
            response = error_response(e.status, e.code, e.message)
        except Http404:
            response = error_response(404, "not_found", "Not found.")
        else:
            response = _conditional(request, json_response(data), last_modified)
        _rate_headers(request, response)
        return response

    return wrapper


def _conditional(request, response, last_modified: datetime | None):
    etag = '"' + hashlib.blake2b(response.content, digest_size=16).hexdigest() + '"'
    response["ETag"] = etag
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = f"public, max-age={settings.KIJI_API_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Encoding"])
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)
    if not_modified is not response:
        for header in ("Cache-Control", "Access-Control-Allow-Origin", "Vary"):
            not_modified[header] = response[header]
    return not_modified
