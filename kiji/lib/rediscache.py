"""Django's Redis cache, made to fail soft: a Redis outage must never reach a reader.

Reads answer "not cached" and writes are dropped (each logged once a minute at most), so pages
render from the database while Redis is away. incr/decr still raise: counters and rate limits
decide for themselves what an outage means (see kiji.audience / kiji.comments).
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger("kiji.cache")
_last_warning = [0.0]


def _warn(error: Exception) -> None:
    if time.monotonic() - _last_warning[0] > 60:
        _last_warning[0] = time.monotonic()
        log.warning("Redis cache unavailable, serving without it: %s", error)


class ResilientRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            _warn(error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            _warn(error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            _warn(error)
            return False

    def _write(self, method, *args, failed=False, **kwargs):
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as error:
            _warn(error)
            return failed

    def set(self, *args, **kwargs):
        return self._write("set", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._write("add", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._write("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._write("delete", *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        return self._write("set_many", data, *args, failed=list(data), **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._write("delete_many", *args, failed=None, **kwargs)

    def clear(self):
        """Delete this cache's own keys only (KEY_PREFIX:version:key). Django's clear() is FLUSHDB,
        which would also take the audience lists, counters and anything else sharing the database."""
        pattern = f"{_glob_escape(self.key_prefix)}:[0-9]*:*"
        try:
            client = self._cache.get_client(write=True)
            batch = []
            for key in client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.unlink(*batch)
                    batch = []
            if batch:
                client.unlink(*batch)
            return True
        except RedisError as error:
            _warn(error)
            return False


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
