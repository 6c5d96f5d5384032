"""/metrics and the request log: what an operator's Prometheus and log search see."""

import json
import logging
from datetime import timedelta
from io import StringIO
from unittest import mock
from wsgiref.util import setup_testing_defaults

import redis
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone

from kiji.lib import metrics
from kiji.lib.logs import JSONFormatter
from kiji.newsroom.models import Article
from kiji.ops.scheduler import jobs, run_due_jobs
from kiji.ops.wsgi import application
from kiji.testing import TEST_REDIS_URL, NewsroomTestCase, requires_redis

TOKEN = "s3cret-scrape-token"


def call(path: str, *, address="203.0.113.9", method="GET", query="", **headers) -> tuple[int, dict, str]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "QUERY_STRING": query, "REMOTE_ADDR": address}
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    environ.setdefault("HTTP_HOST", "testserver")
    setup_testing_defaults(environ)
    answer = {}
    # As Django's test client does: a request must not close the test's transaction (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, lambda status, headers: answer.update(status=status, headers=headers)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(answer["status"][:3]), dict(answer["headers"]), body.decode()


def scrape() -> str:
    status, headers, body = call("/metrics", authorization=f"Bearer {TOKEN}")
    assert status == 200, body
    return body


def value(text: str, sample: str) -> float:
    found = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(sample + " ")]
    return float(found[0]) if found else 0.0


@override_settings(
    REDIS_URL=None, KIJI_AUDIENCE_REDIS_URL="", KIJI_METRICS_TOKEN=TOKEN, KIJI_METRICS_NETWORKS=["10.1.0.0/16"]
)
class MetricsTests(NewsroomTestCase):
    def setUp(self):
        metrics.forget_all()
        self.article = self.make_article(headline="指標の記事")

    def test_metrics_answer_only_the_operators_network_or_token_and_are_never_cached(self):
        self.assertEqual(call("/metrics")[0], 404)  # a reader: nothing there
        self.assertEqual(call("/metrics", authorization="Bearer wrong")[0], 404)
        self.assertEqual(call("/metrics", x_forwarded_for="10.1.2.3")[0], 404)  # not from a trusted proxy
        status, headers, body = call("/metrics", address="10.1.2.3")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        self.assertIn("# TYPE kiji_http_requests_total counter", body)
        self.assertEqual(call("/metrics")[0], 404)  # still refused afterwards: nothing was stored
        self.assertEqual(call("/metrics", address="127.0.0.1", x_forwarded_for="10.1.2.3")[0], 200)  # via nginx

    @override_settings(KIJI_METRICS_TOKEN="", KIJI_METRICS_NETWORKS=[])
    def test_metrics_are_off_until_a_network_or_token_is_set(self):
        self.assertEqual(call("/metrics", address="127.0.0.1")[0], 404)

    def test_requests_are_counted_by_view_and_status_with_latency_and_page_cache_hits(self):
        url = self.article.get_absolute_url()
        for _ in range(3):
            self.assertEqual(call(url)[0], 200)
        self.assertEqual(call("/no-such-page/")[0], 404)

        text = scrape()
        served = value(text, 'kiji_http_requests_total{view="reader:article",status="200"}')
        cached = value(text, 'kiji_http_requests_total{view="pagecache",status="200"}')
        self.assertEqual(served + cached, 3)
        self.assertGreaterEqual(cached, 1)  # the later ones came from the page cache
        self.assertEqual(value(text, 'kiji_pagecache_requests_total{result="hit"}'), cached)
        self.assertEqual(value(text, 'kiji_pagecache_requests_total{result="miss"}'), 4 - cached)
        self.assertEqual(value(text, 'kiji_http_requests_total{view="unresolved",status="404"}'), 1)
        self.assertEqual(value(text, 'kiji_http_request_duration_seconds_count{view="pagecache"}'), cached)
        self.assertEqual(value(text, 'kiji_http_request_duration_seconds_bucket{view="pagecache",le="+Inf"}'), cached)
        self.assertIn("# Without REDIS_URL these are the figures of the one process", text)
        self.assertEqual(value(text, "kiji_metrics_shared"), 0)

    def test_health_probes_and_scrapes_are_not_counted(self):
        call("/healthz")
        scrape()
        self.assertNotIn(
            'view="', scrape().split("kiji_http_request_duration_seconds")[0].split("TYPE kiji_http_requests_total")[1]
        )

    def test_beacons_accepted_and_refused_are_counted(self):
        call("/v/", method="POST", query=f"a={self.article.pk}", user_agent="Mozilla/5.0 (iPhone)")
        call("/v/", method="POST", query=f"a={self.article.pk}", user_agent="Googlebot/2.1")
        call("/v/", method="POST", query="a=not-a-number", user_agent="Mozilla/5.0 (iPhone)")
        call("/v/", method="GET", query=f"a={self.article.pk}")
        text = scrape()
        counted = [line for line in text.splitlines() if line.startswith("kiji_beacons_total{")]
        self.assertEqual(
            counted,
            [
                'kiji_beacons_total{counted="bot"} 1',
                'kiji_beacons_total{counted="no"} 2',  # a broken beacon, a GET
                'kiji_beacons_total{counted="yes"} 1',
            ],
        )

    def test_scheduler_jobs_report_runs_failures_and_last_success_and_publishing_its_lag(self):
        at = timezone.now()
        due = self.make_article(headline="予約の記事", status=Article.Status.SCHEDULED, published_at=at)

        def broken():
            raise RuntimeError("boom")

        with (
            mock.patch.dict(jobs(), {"audience.also_read": broken}),
            time_machine.travel(at + timedelta(seconds=30), tick=False),
            self.assertLogs("kiji.scheduler", "ERROR"),
        ):
            run_due_jobs(slow=None)
        due.refresh_from_db()
        self.assertEqual(due.status, Article.Status.PUBLISHED)

        text = scrape()
        self.assertEqual(value(text, 'kiji_scheduler_job_runs_total{job="newsroom.publish_due",result="ok"}'), 1)
        self.assertEqual(value(text, 'kiji_scheduler_job_runs_total{job="audience.also_read",result="failed"}'), 1)
        self.assertEqual(value(text, 'kiji_scheduler_job_duration_seconds_count{job="audience.also_read"}'), 1)
        self.assertGreater(
            value(text, 'kiji_scheduler_job_last_success_timestamp_seconds{job="newsroom.publish_due"}'), 0
        )
        self.assertEqual(value(text, 'kiji_scheduler_job_last_success_timestamp_seconds{job="audience.also_read"}'), 0)
        self.assertEqual(value(text, "kiji_publish_last_lag_seconds"), 30)
        self.assertEqual(value(text, 'kiji_publish_lag_seconds_bucket{le="25"}'), 0)
        self.assertEqual(value(text, 'kiji_publish_lag_seconds_bucket{le="60"}'), 1)

    def test_the_rankings_and_also_read_snapshots_report_when_they_were_written(self):
        from kiji.audience import lists

        written = timezone.now()
        with time_machine.travel(written, tick=False):
            lists.refresh_lists_job()
            lists.refresh_also_read_job()
        with time_machine.travel(written + timedelta(seconds=30), tick=False):
            lists.refresh_lists_job()  # another process computed them under a minute ago: nothing written
        text = scrape()
        for name in ("rankings", "also_read"):
            sample = f'kiji_audience_snapshot_timestamp_seconds{{list="{name}"}}'
            self.assertEqual(value(text, sample), written.timestamp())
        self.assertIn("# TYPE kiji_audience_snapshot_timestamp_seconds gauge", text)

    def test_comments_posted_are_counted_approved_or_held(self):
        from kiji.comments.models import NGWord
        from kiji.comments.services import get_visitor, post_comment

        NGWord.objects.create(word="要確認語", action=NGWord.Action.HOLD)
        post_comment(article=self.article, visitor=get_visitor(key="v1"), body="良い記事でした。")
        post_comment(article=self.article, visitor=get_visitor(key="v2"), body="これは要確認語を含む。")
        text = scrape()
        self.assertEqual(value(text, 'kiji_comments_total{result="approved"}'), 1)
        self.assertEqual(value(text, 'kiji_comments_total{result="held"}'), 1)

    @requires_redis
    def test_with_redis_every_process_adds_to_the_same_figures(self):
        with override_settings(
            REDIS_URL=TEST_REDIS_URL,
            CACHES={
                "default": {
                    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "KEY_PREFIX": "kiji-metrics-test",
                }
            },
        ):
            metrics._client.clear()
            metrics.forget_all()
            try:
                call("/no-such-page/")
                # another process (a second worker, the scheduler) writes to the same hash
                other = redis.Redis.from_url(TEST_REDIS_URL)
                other.hincrbyfloat(
                    "kiji-metrics-test:metrics", 'kiji_http_requests_total{view="unresolved",status="404"}', 1
                )
                text = scrape()
                self.assertEqual(value(text, 'kiji_http_requests_total{view="unresolved",status="404"}'), 2)
                self.assertEqual(value(text, "kiji_metrics_shared"), 1)
            finally:
                metrics.forget_all()
                metrics._client.clear()

    def test_a_redis_outage_never_fails_a_request(self):
        away = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        with mock.patch.object(metrics, "shared", return_value=True), mock.patch.object(metrics, "_client", [away]):
            with self.assertLogs("kiji.metrics", "WARNING"):
                self.assertEqual(call("/no-such-page/")[0], 404)
            status, _, body = call("/metrics", authorization=f"Bearer {TOKEN}")
        self.assertEqual((status, body), (503, "metrics unavailable: ConnectionError\n"))


@override_settings(REDIS_URL=None, KIJI_AUDIENCE_REDIS_URL="")
class RequestLogTests(NewsroomTestCase):
    def capture(self, *names):
        stream = StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JSONFormatter())
        for name in ("kiji", *names):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            self.addCleanup(logger.removeHandler, handler)
        return stream

    @override_settings(KIJI_LOG_FORMAT="json")
    def test_json_logs_write_one_object_per_request_with_its_id_path_status_and_duration(self):
        stream = self.capture()
        status, headers, _ = call("/no-such-page/", x_request_id="edge-0123456789")
        self.assertEqual(headers["X-Request-ID"], "edge-0123456789")  # the proxy's id, passed on
        line = json.loads(stream.getvalue().splitlines()[-1])
        self.assertEqual(line["logger"], "kiji.request")
        self.assertEqual(line["level"], "INFO")
        self.assertEqual(line["request_id"], "edge-0123456789")
        self.assertEqual((line["path"], line["status"]), ("/no-such-page/", 404))
        self.assertEqual(line["message"], "GET /no-such-page/ 404")
        self.assertIsInstance(line["duration_ms"], float)
        self.assertTrue(line["time"].endswith("+00:00"))

    @override_settings(KIJI_LOG_FORMAT="json")
    def test_a_line_logged_while_answering_carries_the_requests_id(self):
        stream = self.capture("django.request")
        call("/no-such-page/", x_request_id="<script>")  # not a well-formed id: a new one is made
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        warning = next(line for line in lines if line["logger"] == "django.request")
        self.assertEqual((warning["level"], warning["message"]), ("WARNING", "Not Found: /no-such-page/"))
        self.assertRegex(warning["request_id"], r"^[0-9a-f]{32}$")
        request = next(line for line in lines if line["logger"] == "kiji.request")
        self.assertEqual(request["request_id"], warning["request_id"])

    def test_text_logs_by_default_write_no_request_lines(self):
        stream = self.capture()
        call("/no-such-page/")
        self.assertEqual(stream.getvalue(), "")
