"""Two stateless app servers on one PostgreSQL and one Redis: nothing happens twice, limits are shared."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from kiji.ops.tests.sites import ROOT, drop_site, fresh_site, kiji, python
from kiji.testing import need_redis

PORTS = (8117, 8127)


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


@pytest.fixture
def two_servers(tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: runs in the suite's PostgreSQL + Redis pass")
    need_redis()
    env = fresh_site(tmp_path, "two")
    env.update(
        {
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7",
            "KIJI_CACHE_PREFIX": f"kiji-two-{uuid.uuid4().hex[:6]}",
            "KIJI_AUDIENCE_REDIS_PREFIX": f"kiji-two-aud-{uuid.uuid4().hex[:6]}:",
            "KIJI_SCHEDULER_INTERVAL": "1",
            "KIJI_API_RATE_LIMIT": "5",
            "KIJI_API_RATE_WINDOW": "60",
        }
    )
    kiji(env, "manage", "migrate", "--noinput")
    servers = []
    try:
        for port in PORTS:  # each app server runs its own scheduler, as `kiji serve` does by default
            servers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "kiji.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in PORTS:
            _wait(f"http://127.0.0.1:{port}/")
        yield env
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        drop_site(env)


SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from kiji.newsroom.models import Article, Category
c = Category.objects.create(name="政治", slug="politics")
a = Article.objects.create(headline="予定稿: 新内閣の顔ぶれ", category=c, status="scheduled",
                           published_at=timezone.now() + timedelta(seconds=3))
print(a.get_absolute_url())
"""

COUNT = """
from kiji.newsroom.models import Article, Revision
a = Article.objects.get()
print(a.status, Revision.objects.filter(article=a).count())
"""


def test_a_scheduled_article_is_published_exactly_once_and_rate_limits_are_shared(two_servers):
    env = two_servers
    url = python(env, SCHEDULE).strip()
    assert all(_get(f"http://127.0.0.1:{port}{url}") == 404 for port in PORTS)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _get(f"http://127.0.0.1:{PORTS[1]}{url}") != 200:
        time.sleep(0.3)
    time.sleep(3)  # both schedulers have had several more rounds
    assert _get(f"http://127.0.0.1:{PORTS[0]}{url}") == 200
    assert python(env, COUNT).split() == ["published", "1"]  # one "Published by the scheduler" revision

    # The API allows 5 requests a minute per client, counted in Redis: across both servers together.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)  # not across a window boundary
    statuses = [_get(f"http://127.0.0.1:{PORTS[i % 2]}/api/v1/categories") for i in range(8)]
    assert statuses == [200] * 5 + [429] * 3, statuses
