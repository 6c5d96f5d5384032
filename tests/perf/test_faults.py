"""Faults readers must not notice: Redis stopping mid-run, PostgreSQL dropping our connection."""

import os
import shutil
import socket
import subprocess
import time

import pytest
from django.db import connection
from django.test import override_settings

from kiji.lib.memo import forget_all
from kiji.testing import REQUIRE_SERVICES, NewsroomTestCase

REDIS_PORT = 6391  # a spare port: this test's own redis-server, never the shared one


def _start_redis() -> subprocess.Popen:
    binary = shutil.which("redis-server")
    if not binary:
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is not installed and KIJI_REQUIRE_SERVICES=1")
        pytest.skip("redis-server is not installed")
    # The server is infrastructure, not code under test: it runs on the real clock even when CI moves
    # this process's clock with libfaketime (which jemalloc inside redis-server cannot run under).
    real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    proc = subprocess.Popen(
        [binary, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        env=real_clock,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail("the private redis-server did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()


PRIVATE_REDIS = {
    "default": {
        "BACKEND": "kiji.lib.rediscache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "KEY_PREFIX": "kiji-fault",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@override_settings(CACHES=PRIVATE_REDIS)
class RedisStopsTests(NewsroomTestCase):
    def setUp(self):
        self.redis = _start_redis()
        self.addCleanup(lambda: self.redis.poll() is None and _stop(self.redis))
        forget_all()
        self.article = self.make_article(headline="首相が記者会見")

    def get(self):
        return self.client.get(self.article.get_absolute_url())

    def test_reader_pages_keep_serving_while_redis_is_down_and_caching_resumes_after(self):
        self.assertEqual(self.get()["X-Kiji-Cache"], "miss")
        self.assertEqual(self.get()["X-Kiji-Cache"], "hit")

        _stop(self.redis)
        forget_all()  # the versions this process remembered run out (0.2 s): they cannot be read now
        for _ in range(3):
            response = self.get()
            self.assertContains(response, "首相が記者会見")
            self.assertEqual(response["X-Kiji-Cache"], "miss")
        self.assertContains(self.client.get("/"), "首相が記者会見")

        self.redis = _start_redis()
        forget_all()
        self.assertContains(self.get(), "首相が記者会見")
        self.assertEqual(self.get()["X-Kiji-Cache"], "hit")

    def test_an_edit_during_the_outage_is_shown_once_redis_returns(self):
        self.get()
        _stop(self.redis)
        self.article.headline = "首相が緊急記者会見"
        with self.captureOnCommitCallbacks(execute=True):
            self.article.save()  # the purge cannot reach Redis; the restarted Redis is empty
        self.assertContains(self.get(), "首相が緊急記者会見")
        self.redis = _start_redis()
        forget_all()
        self.assertContains(self.get(), "首相が緊急記者会見")


def _wsgi_get(path: str) -> tuple[str, bytes]:
    """One request through Django's real WSGI handler (the test client skips the connection checks)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    status = []
    body = b"".join(WSGIHandler()(environ, lambda s, h, *a: status.append(s)))
    return status[0], body


@pytest.mark.django_db(transaction=True)
def test_the_next_request_reconnects_after_postgresql_drops_the_connection(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL=postgres://…)")
    import psycopg

    from kiji.newsroom.models import Category

    Category.objects.create(name="政治", slug="politics")
    settings.KIJI_PAGECACHE = False
    assert _wsgi_get("/category/politics/")[0].startswith("200")
    victim = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "password")},
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [victim])
    status, body = _wsgi_get("/category/politics/")
    assert status.startswith("200"), status
    assert "政治" in body.decode()
    assert connection.connection.info.backend_pid != victim


def test_persistent_connections_are_health_checked(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert os.environ.get("KIJI_DB_CONN_MAX_AGE", "600") != "0"


BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@override_settings(
    CACHES=PRIVATE_REDIS,
    KIJI_AUDIENCE_REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
    KIJI_AUDIENCE_REDIS_PREFIX="kiji-fault-aud:",
    KIJI_AUDIENCE_REDIS_BATCH=1,
    KIJI_AUDIENCE_FLUSH_THREAD=False,
)
class BeaconsWhileRedisStopsTests(NewsroomTestCase):
    def setUp(self):
        self.redis = _start_redis()
        self.addCleanup(lambda: self.redis.poll() is None and _stop(self.redis))
        forget_all()
        self.article = self.make_article(headline="首相が記者会見")

    def beacon(self, visitor: int):
        return self.client.post(
            f"/v/?a={self.article.pk}", HTTP_USER_AGENT=BROWSER, HTTP_X_FORWARDED_FOR=f"198.51.100.{visitor}"
        )

    def test_a_beacon_during_the_outage_is_answered_and_counting_resumes_when_redis_returns(self):
        self.assertEqual(self.beacon(1)["X-Counted"], "yes")
        _stop(self.redis)
        for visitor in range(2, 5):  # answered at once, never an error page: the view alone is lost
            response = self.beacon(visitor)
            self.assertEqual(response.status_code, 204)
            self.assertEqual(response["X-Counted"], "lost")
        self.assertContains(self.client.get(self.article.get_absolute_url()), "首相が記者会見")

        self.redis = _start_redis()
        self.assertEqual(self.beacon(5)["X-Counted"], "yes")
        self.assertEqual(self.beacon(5)["X-Counted"], "repeat")
