"""The per-key counter on the real Redis that production shares between web processes."""

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from partners.api import throttling


@pytest.fixture
def redis_cache(monkeypatch):
    cache = RedisCache("redis://127.0.0.1:6379/11", {})
    monkeypatch.setattr(throttling, "cache", cache)
    cache.clear()
    yield cache
    cache.clear()


def test_the_counter_counts_every_request_of_a_window_and_expires_with_it(redis_cache):
    counts = [throttling.count_in_window("throttle:test:key:1", 60) for _ in range(3)]

    assert counts == [1, 2, 3]
    raw = redis.Redis.from_url("redis://127.0.0.1:6379/11")
    ttl = raw.ttl(redis_cache.make_key("throttle:test:key:1"))
    assert 0 < ttl <= 61


def test_a_later_request_does_not_extend_the_window(redis_cache):
    raw = redis.Redis.from_url("redis://127.0.0.1:6379/11")
    throttling.count_in_window("throttle:test:key:2", 60)
    raw.expire(redis_cache.make_key("throttle:test:key:2"), 5)

    throttling.count_in_window("throttle:test:key:2", 60)

    assert raw.ttl(redis_cache.make_key("throttle:test:key:2")) <= 5
