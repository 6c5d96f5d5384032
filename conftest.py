"""Test set-up shared by every app: fast hashing, plain static files, a clean cache per test."""

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

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
