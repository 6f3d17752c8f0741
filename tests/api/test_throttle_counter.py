"""The per-key counter on the real Redis that production shares between web processes."""

import logging
import socket
import time

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from partners.api import authentication, throttling
from partners.models import hash_api_key
from partners.services import create_api_key
from tests.api.conftest import client_with_key

REDIS_URL = "redis://127.0.0.1:6379/11"


def redis_settings(url: str) -> dict:
    """CACHES with Django's Redis cache at `url`, as production configures it."""
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


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
    with override_settings(CACHES=redis_settings(REDIS_URL)):
        assert isinstance(caches["default"], RedisCache)
        try:
            counts = [throttling.count_in_window("throttle:test:key:3", 60) for _ in range(2)]
        finally:
            caches["default"].delete("throttle:test:key:3")

    assert counts == [1, 2]


# ---------------------------------------------------------------------------------------------
# A key's request counted while its key is looked up (CountedAhead)


@pytest.fixture
def redis_counters(redis_cache):
    """The API's counters in the real Redis, as in production.

    A window of a day, not a minute: a test takes well under a second, so it stays in one
    window unless it runs across midnight UTC.
    """
    with override_settings(CACHES=redis_settings(REDIS_URL), PARTNER_API_RATE="3/day"):
        yield redis_cache


def key_count(redis_cache, raw_key: str) -> int:
    """The key's count in the current window, read straight from Redis."""
    name = throttling.Window.now().counter_key(throttling.key_ident(hash_api_key(raw_key)))
    value = redis.Redis.from_url(REDIS_URL).get(redis_cache.make_key(name))
    return int(value or 0)


def test_a_keys_request_is_counted_in_redis_before_its_key_is_looked_up(
    redis_counters, key_a, monkeypatch
):
    seen_during_lookup = []
    find_key = authentication.find_key

    def find_key_watching_redis(prefix):
        # Redis counts on its own while PostgreSQL looks the key up: the count shows up here,
        # before the throttle has run.
        deadline = time.monotonic() + 2
        while key_count(redis_counters, key_a) == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        seen_during_lookup.append(key_count(redis_counters, key_a))
        return find_key(prefix)

    monkeypatch.setattr(authentication, "find_key", find_key_watching_redis)
    api = client_with_key(key_a)

    assert api.get("/api/v1/partner/").status_code == 200
    assert seen_during_lookup == [1]
    assert key_count(redis_counters, key_a) == 1


def test_counted_ahead_the_limit_holds_per_key(redis_counters, key_a, key_b):
    api_a, api_b = client_with_key(key_a), client_with_key(key_b)
    statuses = [api_a.get("/api/v1/partner/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert key_count(redis_counters, key_a) == 4
    assert api_b.get("/api/v1/partner/").status_code == 200
    assert key_count(redis_counters, key_b) == 1


def test_requests_refused_before_the_throttle_are_not_counted(redis_counters, partner_a):
    _key, raw_key = create_api_key(partner=partner_a, name="HR", allowed_ips="192.0.2.7")
    prefix = raw_key.split("_")[1]

    # The right key from an address it may not use, and the key's prefix with a wrong secret.
    from_elsewhere = client_with_key(raw_key).get("/api/v1/partner/", REMOTE_ADDR="198.51.100.1")
    wrong_secret = client_with_key(f"tok_{prefix}_not-the-secret").get("/api/v1/partner/")

    assert (from_elsewhere.status_code, wrong_secret.status_code) == (403, 401)
    assert key_count(redis_counters, raw_key) == 0
    # And the key still has its whole allowance for its own address.
    own = client_with_key(raw_key)
    assert [own.get("/api/v1/partner/", REMOTE_ADDR="192.0.2.7").status_code for _ in range(3)] == [
        200,
        200,
        200,
    ]


def test_no_connection_is_kept_from_the_pool(redis_counters, key_a):
    api = client_with_key(key_a)
    api.get("/api/v1/partner/")
    client_with_key("tok_nothere_abc").get("/api/v1/partner/")

    pool = throttling._write_client(caches["default"]).connection_pool
    # Every connection the requests took is back, with nothing left to read on it.
    assert pool._in_use_connections == set()
    assert all(not connection.can_read() for connection in pool._available_connections)


def test_a_made_up_token_leaves_no_counter_in_redis(redis_counters, key_a):
    prefix = key_a.split("_")[1]
    made_up = f"tok_{prefix}_not-the-secret"

    assert client_with_key(made_up).get("/api/v1/partner/").status_code == 401

    counter = throttling.Window.now().counter_key(throttling.key_ident(hash_api_key(made_up)))
    assert not redis.Redis.from_url(REDIS_URL).exists(redis_counters.make_key(counter))


def test_without_redis_a_bad_key_still_answers_401_and_a_good_one_is_not_served_uncounted(
    key_a, caplog
):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        nowhere = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    with override_settings(CACHES=redis_settings(nowhere)):
        bad = client_with_key("tok_0123abcd_not-a-key").get("/api/v1/partner/")
        with pytest.raises(redis.ConnectionError):
            client_with_key(key_a).get("/api/v1/partner/")

    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "key_invalid"
    # The good key's request failed on the throttle's own count, as it always did without Redis;
    # that error (and the warning that nothing was counted ahead) is what this test expects.
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]
    assert ("WARNING", "the API key's count could not be sent ahead") in logged
    assert ("ERROR", "Internal Server Error: /api/v1/partner/") in logged
    caplog.clear()
