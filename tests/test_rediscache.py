"""A restore clears Kiji's page and menu cache in Redis, and nothing else sharing the database."""

import uuid

import pytest
import redis

from kiji.lib.rediscache import ResilientRedisCache
from kiji.testing import TEST_REDIS_URL, redis_available

pytestmark = pytest.mark.skipif(not redis_available(), reason="Redis is not running")


def test_clearing_the_cache_deletes_its_own_keys_and_no_others():
    prefix = f"kiji-test-{uuid.uuid4().hex[:8]}"
    cache = ResilientRedisCache(TEST_REDIS_URL, {"KEY_PREFIX": prefix})
    client = redis.Redis.from_url(TEST_REDIS_URL)
    others = [f"{prefix}:aud:also:1", f"{prefix}x:1:page", f"another-app:{prefix}"]  # lists, a neighbour, a stranger
    try:
        cache.set("page:/", "old site", 60)
        cache.set("menu", "old menu", 60, version=2)
        for key in others:
            client.set(key, "keep", ex=60)
        cache.clear()
        assert cache.get("page:/") is None and cache.get("menu", version=2) is None
        assert [client.get(key) for key in others] == [b"keep"] * len(others)
    finally:
        client.delete(*others)
