"""The cache: each process's own memory, or one Redis shared by every process (CACHE_URL).

The cache is an optimisation, never a dependency: a Redis that is down, refuses
connections or accepts them and never answers makes pages slower, not broken.
Each call waits at most ``SOCKET_TIMEOUT`` seconds; the first failure is logged
(``pcsp.cache``) and the process then leaves the cache alone for
``RETRY_AFTER`` seconds, answering every read as a miss and dropping writes.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.exceptions import ImproperlyConfigured

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Seconds: a healthy Redis on the same network answers in about a millisecond.
SOCKET_TIMEOUT = 0.25
RETRY_AFTER = 10.0

logger = logging.getLogger("pcsp.cache")


def cache_config(url: str, *, max_entries: int = 50_000) -> dict:
    """Django's CACHES["default"] for ``url``: empty for process memory, else a Redis URL.

    What is cached is keyed so that it is never stale (decision support analyses by
    model version) or is deleted when it changes (pay bands, by load_reference_data).
    A shared Redis lets every worker use what one has costed, keeps it across
    restarts, and lets load_reference_data's deletion reach the running servers,
    which it cannot do in another process's memory.
    """
    if not url:
        # Django's default of 300 entries would evict the analyses of a facilitator's models.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pcsp",
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    if url.startswith(REDIS_SCHEMES):
        return {"BACKEND": "config.caches.TolerantRedisCache", "LOCATION": url, "KEY_PREFIX": "pcsp"}
    raise ImproperlyConfigured(f"CACHE_URL must be a Redis URL (redis://host:port/db), not {url[:40]!r}")


class _TolerantClient(RedisCacheClient):
    """Django's Redis client with short timeouts, no retries, and a failure answered as a miss."""

    def __init__(self, servers, **options):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options = {
            "socket_connect_timeout": SOCKET_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            "retry": Retry(NoBackoff(), 0),
            **options,
        }
        super().__init__(servers, **options)
        self._resting_until = 0.0

    def _guard(self, call, fallback, *args):
        if time.monotonic() < self._resting_until:
            return fallback
        try:
            return call(*args)
        except self._lib.RedisError as exc:
            self._resting_until = time.monotonic() + RETRY_AFTER
            logger.warning(
                "cache unavailable (%s: %s): serving without it for %.0f s", type(exc).__name__, exc, RETRY_AFTER
            )
            return fallback

    def add(self, key, value, timeout):
        return self._guard(super().add, False, key, value, timeout)

    def get(self, key, default):
        return self._guard(super().get, default, key, default)

    def set(self, key, value, timeout):
        return self._guard(super().set, None, key, value, timeout)

    def touch(self, key, timeout):
        return self._guard(super().touch, False, key, timeout)

    def delete(self, key):
        return self._guard(super().delete, False, key)

    def get_many(self, keys):
        return self._guard(super().get_many, {}, keys)

    def has_key(self, key):
        return self._guard(super().has_key, False, key)

    def set_many(self, data, timeout):
        return self._guard(super().set_many, None, data, timeout)

    def delete_many(self, keys):
        return self._guard(super().delete_many, None, keys)

    def clear(self):
        return self._guard(super().clear, False)

    @property
    def available(self) -> bool:
        """Whether Redis answers now (a ping), whatever the pause after a failure."""
        try:
            return bool(self.get_client(write=True).ping())
        except self._lib.RedisError:
            return False


class TolerantRedisCache(RedisCache):
    """The shared Redis cache; with Redis down or hung, a cache that holds nothing (logged)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _TolerantClient

    @property
    def available(self) -> bool:
        return self._cache.available
