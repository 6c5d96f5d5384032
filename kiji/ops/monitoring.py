"""What operators see: request metrics, the /metrics door and one log line per request.

MonitoredWSGIApplication is the outermost WSGI layer (kiji.ops.wsgi): it gives every request an id
(X-Request-ID from the proxy when well-formed, else a new one; sent back and put on every log line
written while the request runs), times it, counts it by route and status (kiji.lib.metrics), and, with
KIJI_LOG_FORMAT=json, writes one `kiji.request` line. Health probes and the metrics door itself are
neither counted nor logged. RouteMiddleware names the route: the URL pattern's name as Django resolved
it; the fast doors name theirs (pagecache, beacon).

/metrics (KIJI_METRICS_PATH) answers only a client inside KIJI_METRICS_NETWORKS (the address as
kiji.lib.clientip reads it behind a trusted proxy) or one sending `Authorization: Bearer
KIJI_METRICS_TOKEN`; anyone else gets a 404, as if there were nothing there. It is answered before the
page cache and Django, so it is never cached.
"""

import hmac
import ipaddress
import logging
import re
import time
import uuid

from django.conf import settings

from kiji.audience.beacon import BEACON_PATH
from kiji.lib import metrics
from kiji.lib.clientip import client_ip
from kiji.lib.logs import request_id
from kiji.ops import health

request_log = logging.getLogger("kiji.request")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def metrics_allowed(environ) -> bool:
    token = settings.KIJI_METRICS_TOKEN
    sent = environ.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(environ))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.KIJI_METRICS_NETWORKS)


def answer_metrics(environ, start_response) -> list[bytes]:
    if not metrics_allowed(environ):
        body = b"Not Found"
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    try:
        body, status = metrics.render().encode(), "200 OK"
    except Exception as error:  # Redis away: say so, as a failed scrape Prometheus alerts on
        body, status = f"metrics unavailable: {type(error).__name__}\n".encode(), "503 Service Unavailable"
    start_response(
        status,
        [
            ("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


class MonitoredWSGIApplication:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == settings.KIJI_METRICS_PATH:
            return answer_metrics(environ, start_response)
        if path in health.PATHS:
            return self.application(environ, start_response)
        sent = environ.get("HTTP_X_REQUEST_ID", "")
        rid = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        token = request_id.set(rid)
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status[:3])
            seen["counted"] = next((value for name, value in headers if name == "X-Counted"), "")
            headers = [*headers, ("X-Request-ID", rid)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        start = time.perf_counter()
        try:
            return self.application(environ, recording_start_response)
        finally:
            environ["kiji.counted"] = seen.get("counted", "")
            self.record(environ, path, seen.get("status", 500), time.perf_counter() - start)
            request_id.reset(token)

    @staticmethod
    def record(environ, path: str, status: int, seconds: float) -> None:
        route = "beacon" if path == BEACON_PATH else environ.get("kiji.route", "unresolved")
        also = metrics.counter("kiji_http_requests_total", view=route, status=status)
        if route == "beacon":
            also.update(metrics.counter("kiji_beacons_total", counted=environ["kiji.counted"]))
        if "kiji.pagecache" in environ:
            also.update(metrics.counter("kiji_pagecache_requests_total", result=environ["kiji.pagecache"]))
        metrics.observe("kiji_http_request_duration_seconds", seconds, also=also, view=route)
        if settings.KIJI_LOG_FORMAT == "json":
            request_log.info(
                "%s %s %s",
                environ.get("REQUEST_METHOD"),
                path,
                status,
                extra={"path": path, "status": status, "duration_ms": round(seconds * 1000, 1)},
            )


class RouteMiddleware:
    """Last in MIDDLEWARE: names the request's route (its URL pattern's name) for the metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        request.META["kiji.route"] = (match.view_name if match else "") or view_func.__name__
