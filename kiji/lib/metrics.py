"""Operational metrics in the Prometheus text format: counters, gauges and histograms, kept shared.

With REDIS_URL every process (each granian worker, the scheduler) adds to one Redis hash, so a scrape
of any app server shows the whole machine's, and every server's, figures: one pipelined round trip
per observation, dropped (and logged once a minute) while Redis is away, never failing a request.
Without Redis each process keeps its own figures and /metrics says so: the worker that answers shows
only its own requests, and the scheduler's jobs are not seen at all.

Names and label values are chosen by the code (view names, job names, status codes), never by a reader.
"""

import logging
import threading
import time
from collections import defaultdict

from django.conf import settings

log = logging.getLogger("kiji.metrics")

# Seconds: a cached page takes ~1 ms, an uncached one ~10-50 ms, a slow job minutes.
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800)
FAMILIES = {  # name: (type, help)
    "kiji_http_requests_total": ("counter", "Requests answered, by view (route) and status."),
    "kiji_http_request_duration_seconds": ("histogram", "Time to answer a request, by view."),
    "kiji_pagecache_requests_total": (
        "counter",
        "Anonymous reader page requests: answered from the page cache or not.",
    ),
    "kiji_beacons_total": (
        "counter",
        "View beacons, by their X-Counted answer: yes/queued/partner counted, repeat deduplicated, lost (Redis away), the rest refused.",
    ),
    "kiji_comments_total": ("counter", "Reader comments stored: approved (shown at once) or held for moderation."),
    "kiji_scheduler_job_runs_total": ("counter", "Scheduler job runs, by job and result (ok, failed)."),
    "kiji_scheduler_job_duration_seconds": ("histogram", "Scheduler job run time, by job."),
    "kiji_scheduler_job_last_success_timestamp_seconds": ("gauge", "Unix time a job last ended without error."),
    "kiji_publish_lag_seconds": ("histogram", "How late the scheduler published a scheduled article."),
    "kiji_publish_last_lag_seconds": ("gauge", "How late the last scheduled article was published."),
    "kiji_audience_snapshot_timestamp_seconds": (
        "gauge",
        "Unix time the rankings (with trending and recommended) or the also-read lists were last written.",
    ),
}
_lock = threading.Lock()
_local: dict[str, float] = defaultdict(float)
_client = []
_last_warning = [0.0]


def _labels(labels: dict) -> str:
    escaped = (
        f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"' for k, v in labels.items()
    )
    return ",".join(escaped)


# Field names are remembered: a request's observation names ~20 fields (one per bucket), and quoting
# the labels each time cost more than answering a page-cache hit. The labels are the code's own (views,
# statuses, job names), so there are few; the cap only guards against a mistake.
_FIELDS: dict[tuple, str] = {}
_HISTOGRAMS: dict[tuple, tuple] = {}
_REMEMBERED = 10_000


def _remembered(store: dict, key: tuple, make):
    value = store.get(key)
    if value is None:
        if len(store) >= _REMEMBERED:
            store.clear()
        value = store[key] = make()
    return value


def _field(name: str, labels: dict) -> str:
    return _remembered(_FIELDS, (name, *labels.items()), lambda: f"{name}{{{_labels(labels)}}}" if labels else name)


def _histogram(name: str, labels: dict) -> tuple:
    """((le, bucket field) …, +Inf field, sum field, count field) of one histogram series."""
    return _remembered(
        _HISTOGRAMS,
        (name, *labels.items()),
        lambda: (
            tuple((le, _field(f"{name}_bucket", {**labels, "le": le})) for le in BUCKETS),
            _field(f"{name}_bucket", {**labels, "le": "+Inf"}),
            _field(f"{name}_sum", labels),
            _field(f"{name}_count", labels),
        ),
    )


def _redis():
    if not _client:
        import redis

        _client.append(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.2, socket_timeout=0.2))
    return _client[0]


def _key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX') or 'kiji'}:metrics"


def shared() -> bool:
    return bool(settings.REDIS_URL)


def _apply(increments: dict[str, float], values: dict[str, float]) -> None:
    if shared():
        try:
            pipe = _redis().pipeline(transaction=False)
            for field, amount in increments.items():
                pipe.hincrbyfloat(_key(), field, amount)
            if values:
                pipe.hset(_key(), mapping=values)
            pipe.execute()
        except Exception as error:  # metrics must never fail what they measure
            if time.monotonic() - _last_warning[0] > 60:
                _last_warning[0] = time.monotonic()
                log.warning("metrics not recorded (Redis unavailable): %s", error)
        return
    with _lock:
        for field, amount in increments.items():
            _local[field] += amount
        _local.update(values)


def inc(name: str, amount: float = 1, **labels) -> None:
    _apply({_field(name, labels): amount}, {})


def set_gauge(name: str, value: float, **labels) -> None:
    _apply({}, {_field(name, labels): value})


def observe(name: str, seconds: float, *, also: dict[str, float] | None = None, **labels) -> None:
    """One histogram observation (cumulative buckets, sum, count), plus `also` counters, in one round trip."""
    buckets, infinity, total, count = _histogram(name, labels)
    increments = {field: 1 for le, field in buckets if seconds <= le}
    increments[infinity] = 1
    increments[total] = seconds
    increments[count] = 1
    increments.update(also or {})
    _apply(increments, {})


def counter(name: str, **labels) -> dict[str, float]:
    """A counter increment to pass as observe(also=...)."""
    return {_field(name, labels): 1}


def samples() -> dict[str, float]:
    if shared():
        raw = _redis().hgetall(_key())
        return {field.decode(): float(value) for field, value in raw.items()}
    with _lock:
        return dict(_local)


def _order(field: str) -> tuple:
    name, _, rest = field.partition("{")
    le = rest.rsplit('le="', 1)[1].rstrip('"}') if 'le="' in rest else ""
    return (name, rest.split('le="')[0], float(le) if le else 0.0)


def render() -> str:
    """The Prometheus text exposition (version 0.0.4) of every sample."""
    by_family = defaultdict(list)
    for field, value in samples().items():
        base = field.partition("{")[0]
        family = next((f for f in FAMILIES if base in (f, f"{f}_bucket", f"{f}_sum", f"{f}_count")), None)
        if family:
            by_family[family].append((field, value))
    lines = []
    if not shared():
        lines.append("# Without REDIS_URL these are the figures of the one process that answered, not the server's.")
    lines.append("# HELP kiji_metrics_shared 1 when the figures are shared by every process (Redis), 0 per process.")
    lines += ["# TYPE kiji_metrics_shared gauge", f"kiji_metrics_shared {int(shared())}"]
    for family, (kind, text) in FAMILIES.items():
        lines += [f"# HELP {family} {text}", f"# TYPE {family} {kind}"]
        lines += [f"{field} {value:.17g}" for field, value in sorted(by_family[family], key=lambda s: _order(s[0]))]
    return "\n".join(lines) + "\n"


def forget_all() -> None:
    """Start from zero (the tests)."""
    if shared():
        _redis().delete(_key())
    with _lock:
        _local.clear()
