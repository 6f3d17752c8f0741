"""The per-key counter on the real Redis that production shares between web processes."""

import socket
import time

import pytest
import redis
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from partners.models import ApiKey
from partners.services import create_api_key
from tests.api.conftest import client_with_key

REDIS_URL = "redis://127.0.0.1:6379/11"
DAY = 86400


def redis_settings(url: str) -> dict:
    """CACHES with Django's Redis cache at `url`, as production configures it."""
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.fixture
def redis_counters():
    """The API's counters in the real Redis, as in production.

    A window of a day, not a minute: a test takes well under a second, so it stays in one
    window unless it runs across midnight UTC.
    """
    cache = RedisCache(REDIS_URL, {})
    cache.clear()
    with override_settings(CACHES=redis_settings(REDIS_URL), PARTNER_API_RATE="3/day"):
        yield cache
    cache.clear()


def key_count(cache, raw_key: str) -> int:
    """The key's count in the current day, read straight from Redis."""
    pk = ApiKey.objects.get(prefix=raw_key.split("_")[1]).pk
    window = int(time.time() // DAY) * DAY
    name = cache.make_key(f"throttle_partner_api_key:{pk}:{window}")
    return int(redis.Redis.from_url(REDIS_URL).get(name) or 0)


def test_the_limit_holds_per_key(redis_counters, key_a, key_b):
    api_a, api_b = client_with_key(key_a), client_with_key(key_b)
    statuses = [api_a.get("/api/v1/partner/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert key_count(redis_counters, key_a) == 4
    assert api_b.get("/api/v1/partner/").status_code == 200
    assert key_count(redis_counters, key_b) == 1


def test_a_refused_request_says_when_to_come_back(redis_counters, key_a):
    api = client_with_key(key_a)
    for _ in range(3):
        api.get("/api/v1/partner/")

    refused = api.get("/api/v1/partner/")

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= DAY


def test_the_counter_expires_after_its_window_and_no_later_request_extends_it(
    redis_counters, key_a
):
    api = client_with_key(key_a)
    api.get("/api/v1/partner/")
    [name] = redis.Redis.from_url(REDIS_URL).keys("*throttle_partner_api_key*")
    ttl = redis.Redis.from_url(REDIS_URL).ttl(name)

    api.get("/api/v1/partner/")

    assert DAY < ttl <= 2 * DAY
    assert redis.Redis.from_url(REDIS_URL).ttl(name) <= ttl


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


def test_a_made_up_token_counts_only_against_its_address_in_redis(redis_counters, key_a):
    made_up = client_with_key(f"tok_{key_a.split('_')[1]}_not-the-secret")

    assert made_up.get("/api/v1/partner/").status_code == 401

    # No key's allowance is spent; the address's failed-key counter is.
    [counter] = redis.Redis.from_url(REDIS_URL).keys("*throttle*")
    assert counter.decode().startswith(":1:throttle_partner_api_failed_key_127.0.0.1:")
    assert redis.Redis.from_url(REDIS_URL).get(counter) == b"1"


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
    # The good key's request failed on the throttle's count: that error is what this test expects.
    caplog.clear()
