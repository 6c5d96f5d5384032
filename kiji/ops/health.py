"""/healthz and /readyz, answered before Django's request handling (a door of kiji.ops.wsgi).

- /healthz: the process is alive and answering; it touches nothing.
- /readyz: the database answers `SELECT 1`, Redis (when configured) answers PING, and the scheduler
  finished a round within KIJI_SCHEDULER_HEARTBEAT_MAX_AGE seconds (its heartbeat row, shared by every
  server); 503 naming what failed otherwise, so a load balancer takes the server out of rotation (and
  an operator sees that scheduled articles are not being published) until it is back.

Both are cheap, never cached (Cache-Control: no-store), pass no host check or middleware (a load
balancer probes by address) and write no log line.
"""

import json
import logging

from django.conf import settings
from django.db import connections
from django.utils import timezone

log = logging.getLogger("kiji.health")
PATHS = ("/healthz", "/readyz")
_clients: dict = {}


def _redis_urls() -> list[str]:
    return list(dict.fromkeys(url for url in (settings.REDIS_URL, settings.KIJI_AUDIENCE_REDIS_URL) if url))


def _check_database() -> str:
    connection = connections["default"]
    outside = not connection.in_atomic_block  # (the tests run inside a transaction)
    try:
        if outside:  # outside Django's request cycle: drop a broken or aged connection first
            connection.close_if_unusable_or_obsolete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as error:  # any failure means "not ready"; the reason goes into the answer
        if outside:
            connection.close()
        return f"error: {type(error).__name__}"


def _check_scheduler() -> str:
    from kiji.ops.models import Heartbeat

    try:
        beat_at = Heartbeat.objects.filter(name="scheduler").values_list("beat_at", flat=True).first()
    except Exception as error:  # the database check names the cause; this one says what it means
        return f"error: {type(error).__name__}"
    if beat_at is None:
        return "error: no heartbeat (is `kiji scheduler` running?)"
    age = (timezone.now() - beat_at).total_seconds()
    if age > settings.KIJI_SCHEDULER_HEARTBEAT_MAX_AGE:
        return f"error: last heartbeat {age:.0f} s ago"
    return "ok"


def _check_redis(url: str) -> str:
    import redis

    client = _clients.get(url) or _clients.setdefault(
        url, redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    )
    try:
        client.ping()
        return "ok"
    except redis.RedisError as error:
        return f"error: {type(error).__name__}"


def readiness() -> dict[str, str]:
    checks = {"database": _check_database()}
    for n, url in enumerate(_redis_urls()):
        checks["redis" if n == 0 else f"redis{n + 1}"] = _check_redis(url)
    if settings.KIJI_SCHEDULER_HEARTBEAT_MAX_AGE and checks["database"] == "ok":
        checks["scheduler"] = _check_scheduler()
    return checks


def answer(path: str, start_response) -> list[bytes]:
    if path == "/healthz":
        status, body = "200 OK", {"status": "ok"}
    else:
        checks = readiness()
        ready = all(value == "ok" for value in checks.values())
        status, body = (
            ("200 OK" if ready else "503 Service Unavailable"),
            {"status": "ok" if ready else "error", **checks},
        )
    payload = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [payload]
