"""The cache backend comes from ROUNDS_CACHE_URL: local memory by default, Redis by URL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from rounds.lib.cache import LOCAL, REDIS, cache_from_url


def test_a_fresh_clone_needs_no_cache_server() -> None:
    assert cache_from_url("")["BACKEND"] == LOCAL


def test_a_redis_url_selects_the_shared_cache() -> None:
    config = cache_from_url("redis://127.0.0.1:6379/0")
    assert config["BACKEND"] == REDIS and config["LOCATION"] == "redis://127.0.0.1:6379/0"


def test_an_unknown_cache_url_is_refused_with_the_forms_it_takes() -> None:
    with pytest.raises(ImproperlyConfigured, match="expected redis://host:port/db or locmem://"):
        cache_from_url("memcached://127.0.0.1:11211")
