"""The partner API's per-key limit under gunicorn with production settings: two workers share
the count in the real Redis, requests counted while their key is looked up (CountedAhead)."""

import time
from concurrent.futures import ThreadPoolExecutor

import requests
from django.conf import settings

from partners.services import create_api_key
from tests import factories
from tests.production.conftest import database_url_of_test_database

LIMIT = 6


def keyed(stack, raw_key: str) -> requests.Session:
    session = stack.client()
    session.headers["Authorization"] = f"Bearer {raw_key}"
    return session


def spend_a_keys_allowance(stack, partner, other_partner) -> dict:
    """A new key's requests: a wrong secret, LIMIT in parallel, one more; another key's one."""
    url = f"{stack.base_url}/api/v1/partner/"
    _key, raw_key = create_api_key(partner=partner, name="HR system")
    _key, other_key = create_api_key(partner=other_partner, name="HR system")
    prefix = raw_key.split("_")[1]
    # Refused before the throttle: not one of the key's requests.
    wrong_secret = keyed(stack, f"tok_{prefix}_not-the-secret").get(url, timeout=30)
    # The key's allowance, spent by requests in parallel over both workers.
    with ThreadPoolExecutor(max_workers=LIMIT) as pool:
        allowed = list(
            pool.map(lambda _n: keyed(stack, raw_key).get(url, timeout=30), range(LIMIT))
        )
    return {
        "wrong secret": wrong_secret,
        "allowed": allowed,
        "refused": keyed(stack, raw_key).get(url, timeout=30),
        "other key": keyed(stack, other_key).get(url, timeout=30),
    }


def test_two_workers_share_each_keys_limit_and_refused_keys_spend_none_of_it(
    transactional_db, redis_broker, stack_factory
):
    partner, other_partner = factories.make_partner(), factories.make_partner()
    stack = stack_factory(
        database_url=database_url_of_test_database(),
        broker_url=settings.CELERY_BROKER_URL,
        PARTNER_API_RATE=f"{LIMIT}/day",
    )
    stack.web(workers=2)

    for _attempt in range(2):  # once more, with new keys, if the day's window turned meanwhile
        day = time.time() // 86400
        answers = spend_a_keys_allowance(stack, partner, other_partner)
        if time.time() // 86400 == day:
            break

    assert answers["wrong secret"].status_code == 401, stack.logs()
    allowed = answers["allowed"]
    assert [response.status_code for response in allowed] == [200] * LIMIT, stack.logs()
    assert {response.json()["id"] for response in allowed} == {partner.pk}
    refused = answers["refused"]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) > 0
    assert answers["other key"].status_code == 200
    assert answers["other key"].json()["id"] == other_partner.pk
