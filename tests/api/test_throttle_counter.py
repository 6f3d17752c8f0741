"""The per-key counter on the real Redis that production shares between web processes."""

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from partners.api import throttling

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {})
    cache.clear()
    yield cache
    cache.clear()


def test_the_counter_counts_every_request_of_a_window_and_expires_with_it(redis_cache):
    counts = [throttling.count_in_window("throttle:test:key:1", 60, redis_cache) for _ in range(3)]

    assert counts == [1, 2, 3]
    raw = redis.Redis.from_url(REDIS_URL)
    ttl = raw.ttl(redis_cache.make_key("throttle:test:key:1"))
    assert 0 < ttl <= 61


def test_a_later_request_does_not_extend_the_window(redis_cache):
    raw = redis.Redis.from_url(REDIS_URL)
    throttling.count_in_window("throttle:test:key:2", 60, redis_cache)
    raw.expire(redis_cache.make_key("throttle:test:key:2"), 5)

    throttling.count_in_window("throttle:test:key:2", 60, redis_cache)

    assert raw.ttl(redis_cache.make_key("throttle:test:key:2")) <= 5


def test_the_configured_redis_cache_counts_in_one_pipeline(monkeypatch):
    # django.core.cache.cache is a proxy: the counter must still recognise Redis behind it and
    # not fall back to add() and incr(), three round trips instead of one.
    def refuse(*args, **kwargs):
        raise AssertionError("the Redis counter used the generic cache path")

    monkeypatch.setattr(RedisCache, "add", refuse)
    monkeypatch.setattr(RedisCache, "incr", refuse)
    redis_settings = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    redis_settings["default"]["LOCATION"] = REDIS_URL
    with override_settings(CACHES=redis_settings):
        assert isinstance(caches["default"], RedisCache)
        try:
            counts = [throttling.count_in_window("throttle:test:key:3", 60) for _ in range(2)]
        finally:
            caches["default"].delete("throttle:test:key:3")

    assert counts == [1, 2]
