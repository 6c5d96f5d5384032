"""Test set-up shared by every app: fast hashing, plain static files, a clean cache and page-cache versions per test."""

import pytest


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = "redis" if settings.REDIS_URL else "locmem"
    return f"kiji: database={engine} cache={cache}"


@pytest.fixture(autouse=True)
def _clean_cache(tmp_path, settings):
    from django.core.cache import cache

    from kiji.lib.pagecache import forget_memo

    settings.MEDIA_ROOT = tmp_path / "media"
    # Page-cache versions (and the side-list memo keyed by them) start afresh in every test:
    # article ids repeat across tests, so remembered versions would hand one test another's lists.
    settings.KIJI_PAGECACHE_DIR = tmp_path / "pagecache"
    forget_memo()
    cache.clear()
    yield
    cache.clear()
    forget_memo()
