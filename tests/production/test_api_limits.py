"""The partner API's per-key limit under gunicorn with production settings: two workers share
the key's one counter in the real Redis (DRF's throttle, the cache's atomic incr), and a request
refused before the throttle (an address the key may not use, a wrong secret) spends none of it."""

import time
from concurrent.futures import ThreadPoolExecutor

import requests
from django.conf import settings

from partners.services import create_api_key
from tests import factories
from tests.production.conftest import database_url_of_test_database

LIMIT = 6
# The key's own address, and another it may not be used from (as the proxy reports them).
OWN_ADDRESS, ELSEWHERE = "192.0.2.7", "198.51.100.1"


def keyed(stack, raw_key: str, address: str) -> requests.Session:
    session = stack.client()
    session.headers["Authorization"] = f"Bearer {raw_key}"
    session.headers["X-Forwarded-For"] = address
    return session


def in_parallel(make_request, times: int) -> list:
    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(lambda _n: make_request(), range(times)))


def spend_a_keys_allowance(stack, partner, other_partner) -> dict:
    """A new key's refused requests, then its allowance in parallel, one more; another key's one."""
    url = f"{stack.base_url}/api/v1/partner/"
    _key, raw_key = create_api_key(partner=partner, name="HR system", allowed_ips=OWN_ADDRESS)
    _key, other_key = create_api_key(partner=other_partner, name="HR system")
    prefix = raw_key.split("_")[1]
    # Refused before the throttle, over both workers: none of them is one of the key's requests.
    from_elsewhere = in_parallel(lambda: keyed(stack, raw_key, ELSEWHERE).get(url, timeout=30), 4)
    wrong_secret = keyed(stack, f"tok_{prefix}_not-the-secret", OWN_ADDRESS).get(url, timeout=30)
    # The key's allowance, spent by requests in parallel over both workers.
    allowed = in_parallel(lambda: keyed(stack, raw_key, OWN_ADDRESS).get(url, timeout=30), LIMIT)
    return {
        "from elsewhere": from_elsewhere,
        "wrong secret": wrong_secret,
        "allowed": allowed,
        "refused": keyed(stack, raw_key, OWN_ADDRESS).get(url, timeout=30),
        "other key": keyed(stack, other_key, OWN_ADDRESS).get(url, timeout=30),
    }


def test_two_workers_share_each_keys_limit_and_refused_requests_spend_none_of_it(
    transactional_db, redis_broker, stack_factory
):
    partner, other_partner = factories.make_partner(), factories.make_partner()
    stack = stack_factory(
        database_url=database_url_of_test_database(),
        broker_url=settings.CELERY_BROKER_URL,
        PARTNER_API_RATE=f"{LIMIT}/day",
        TRUST_X_FORWARDED_FOR="true",
    )
    stack.web(workers=2)

    for _attempt in range(2):  # once more, with new keys, if the day's window turned meanwhile
        day = time.time() // 86400
        answers = spend_a_keys_allowance(stack, partner, other_partner)
        if time.time() // 86400 == day:
            break

    assert [r.status_code for r in answers["from elsewhere"]] == [403] * 4, stack.logs()
    assert {r.json()["error"]["code"] for r in answers["from elsewhere"]} == {"ip_not_allowed"}
    assert answers["wrong secret"].status_code == 401
    allowed = answers["allowed"]
    assert [response.status_code for response in allowed] == [200] * LIMIT, stack.logs()
    assert {response.json()["id"] for response in allowed} == {partner.pk}
    refused = answers["refused"]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) > 0
    assert answers["other key"].status_code == 200
    assert answers["other key"].json()["id"] == other_partner.pk
