"""A scrape while readers keep a real server busy: it answers, and the figures add up afterwards."""

import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from kiji.ops.tests.sites import ROOT, drop_site, fresh_site, kiji, python
from kiji.testing import TEST_REDIS_URL, need_redis

PORT = 8137
TOKEN = "scrape-under-load"
SAMPLE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+$')

ARTICLE = """
from datetime import timedelta
from django.utils import timezone
from kiji.newsroom.models import Article, Category
c = Category.objects.create(name="経済", slug="economy")
a = Article.objects.create(headline="日銀が金利を据え置き", body="<p>本文。</p>", category=c, status="published",
                           published_at=timezone.now() - timedelta(minutes=1))
print(a.get_absolute_url())
"""


def _get(url: str, **headers) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def server(tmp_path):
    """`kiji serve` with two granian workers sharing their figures through Redis (this test's own key prefix)."""
    need_redis()
    env = fresh_site(tmp_path, "scrape")
    env.update(
        {
            "REDIS_URL": TEST_REDIS_URL,
            "KIJI_CACHE_PREFIX": f"kiji-scrape-{uuid.uuid4().hex[:8]}",
            "KIJI_AUDIENCE_REDIS_URL": "",
            "KIJI_METRICS_TOKEN": TOKEN,
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    kiji(env, "manage", "migrate", "--noinput")
    url = python(env, ARTICLE).strip()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiji.cli", "serve", "--bind", f"127.0.0.1:{PORT}", "--workers", "2", "--no-scheduler"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                _get(f"http://127.0.0.1:{PORT}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{PORT}", url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        _forget(env)
        drop_site(env)


def _forget(env: dict) -> None:
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    for key in client.scan_iter(match=f"{env['KIJI_CACHE_PREFIX']}*"):
        client.delete(key)


def _value(text: str, sample: str) -> float:
    found = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(sample + " ")]
    return float(found[0]) if found else 0.0


def test_a_scrape_under_load_answers_and_the_counts_add_up(server):
    base, url = server
    readers, pages, misses = 6, 25, 5
    errors, scrapes = [], []
    done = threading.Event()

    def read():
        for _ in range(pages):
            status, _ = _get(base + url)
            errors.extend([status] if status != 200 else [])
        for _ in range(misses):
            status, _ = _get(base + "/no-such-page/")
            errors.extend([status] if status != 404 else [])

    def scrape():
        while not done.is_set():
            scrapes.append(_get(base + "/metrics", Authorization=f"Bearer {TOKEN}"))
            time.sleep(0.05)

    scraper = threading.Thread(target=scrape)
    scraper.start()
    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    scraper.join()

    assert errors == []
    assert len(scrapes) >= 3 and all(status == 200 for status, _ in scrapes)
    for _, text in scrapes:  # every scrape is whole Prometheus text, never a half-written figure
        assert all(SAMPLE.match(line) for line in text.splitlines() if line and not line.startswith("#")), text
    seen = [_value(text, 'kiji_http_requests_total{view="unresolved",status="404"}') for _, text in scrapes]
    assert seen == sorted(seen)  # counters only grow

    status, text = _get(base + "/metrics", Authorization=f"Bearer {TOKEN}")
    assert status == 200
    assert _value(text, "kiji_metrics_shared") == 1  # both workers add to the same figures
    articles = [("reader:article", 200), ("pagecache", 200)]
    served = sum(_value(text, f'kiji_http_requests_total{{view="{v}",status="{s}"}}') for v, s in articles)
    assert served == readers * pages
    assert _value(text, 'kiji_http_requests_total{view="unresolved",status="404"}') == readers * misses
    timed = sum(_value(text, f'kiji_http_request_duration_seconds_count{{view="{v}"}}') for v, _ in articles)
    assert timed == readers * pages
    cache = sum(_value(text, f'kiji_pagecache_requests_total{{result="{r}"}}') for r in ("hit", "miss"))
    assert cache >= readers * pages  # every article request asked the page cache (the 404s too may)
    assert 'view="metrics"' not in text  # the scrapes themselves are not counted
