"""Test set-up shared by every app: one suite clock, fast hashing, plain static files, a clean cache per test.

The suite never reads the machine's clock. It starts on SUITE_NOW and ticks from there, so a test that
publishes an article "an hour ago" and then travels to a fixed moment (quiet hours at 2026-12-01 23:00 JST,
a rate-limit window at 10:00) sees the same order of events on any day the suite is run; CI proves it
with a pass under faketime, 400 days ahead. A test that needs another moment travels there itself.
"""

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

# 2026-11-29 00:00 JST: before every fixed moment the tests travel to, so what the suite creates at
# "now" already exists there.
SUITE_NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


def pytest_configure(config):
    from django.conf import settings

    config._kiji_clock = time_machine.travel(SUITE_NOW, tick=True)
    config._kiji_clock.start()

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each run its own folder for an interrupted also-read rebuild (two suites may run side by side).
    settings.KIJI_AUDIENCE_REBUILD_DIR = Path(tempfile.mkdtemp(prefix="kiji-test-rebuild-")) / "also-read-rebuild"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_unconfigure(config):
    clock = getattr(config, "_kiji_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = "redis" if settings.REDIS_URL else "locmem"
    return f"kiji: database={engine} cache={cache} suite clock starts at {SUITE_NOW.isoformat()}"


@pytest.fixture(autouse=True)
def _clean_cache(tmp_path, settings):
    from django.core.cache import cache

    from kiji.lib.memo import forget_all

    settings.MEDIA_ROOT = tmp_path / "media"
    # Every per-process memo (page-cache versions, side lists, menu, URLs, the beacon's published set,
    # the similarity model) starts afresh in every test: article ids repeat across tests, so
    # remembered values would hand one test another's lists.
    settings.KIJI_PAGECACHE_DIR = tmp_path / "pagecache"
    forget_all()
    _empty_caches(settings, cache)
    yield
    _empty_caches(settings, cache)
    forget_all()


def _empty_caches(settings, cache):
    """The cache, and with Redis its whole test database: comment and view counters, audience lists and
    rate-limit windows live beside the cache's own keys, which are all cache.clear() now deletes (in
    production it must leave them be; here every test starts from nothing)."""
    cache.clear()
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()
