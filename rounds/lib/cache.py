"""The cache backend from one URL in the environment (settings.py imports this module)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

LOCAL = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"


def cache_from_url(url: str) -> dict[str, Any]:
    """`redis://host:port/db` (or rediss://) for Redis; empty or `locmem://` for local memory."""
    if not url or url.startswith("locmem://"):
        return {"BACKEND": LOCAL, "LOCATION": "rounds"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": REDIS, "LOCATION": url, "KEY_PREFIX": "rounds"}
    raise ImproperlyConfigured(
        f"ROUNDS_CACHE_URL: expected redis://host:port/db or locmem://, got {url!r}"
    )
