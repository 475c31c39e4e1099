"""The cache: each process's own memory, or one Redis shared by every process (CACHE_URL)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def cache_config(url: str, *, max_entries: int = 50_000) -> dict:
    """Django's CACHES["default"] for ``url``: empty for process memory, else a Redis URL.

    What is cached is keyed so that it is never stale (headline figures by model
    version) or is deleted when it changes (pay bands, by load_reference_data).
    A shared Redis lets every worker use what one has costed, keeps it across
    restarts, and lets load_reference_data's deletion reach the running servers,
    which it cannot do in another process's memory.
    """
    if not url:
        # Django's default of 300 entries would evict a facilitator's headline figures.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pcsp",
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    if url.startswith(REDIS_SCHEMES):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "pcsp"}
    raise ImproperlyConfigured(f"CACHE_URL must be a Redis URL (redis://host:port/db), not {url[:40]!r}")
