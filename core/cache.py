"""Django's Redis cache backend, made to miss rather than fail when Redis stops.

Wagtail reads its site root paths from the cache on every page request, allauth
its rate limits, our page cache its entries: with Django's backend as it is, a
stopped Redis turns every page into a 500. Here a read that cannot reach Redis is
a miss, a write is dropped, and for ``BACKOFF_SECONDS`` afterwards Redis is not
asked at all (no half-second connection timeout per call), so pages are served
from the database meanwhile. ``incr``/``decr`` still raise: a counter that
silently reads « nothing » would lift a rate limit, so its caller decides.

Why not django-redis and its ``IGNORE_EXCEPTIONS``: it replaces the whole backend
(its own client, serialiser and options) for this one behaviour; Django's own
backend plus these few lines keeps everything else as the framework ships it.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
BACKOFF_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def _up(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        if self._up():
            logger.warning("Redis cache unreachable (%s): misses for %ss", exc, BACKOFF_SECONDS)
        type(self)._down_until = time.monotonic() + BACKOFF_SECONDS

    def _guard(self, default, call, *args, **kwargs):
        if not self._up():
            return default
        try:
            return call(*args, **kwargs)
        except RedisError as exc:
            self._failed(exc)
            return default

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guard(None, super().delete_many, keys, version)

    def clear(self):
        return self._guard(False, super().clear)
