"""API keys: one partner per key, 401 with WWW-Authenticate when a key cannot be used."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import ApiKey
from partners.services import create_api_key, revoke_api_keys, suspend_partners
from tests.api.conftest import client_with_key


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_a_request_without_a_key_answers_401_with_www_authenticate(db):
    response = APIClient().get("/api/v1/partner/", HTTP_ACCEPT_LANGUAGE="en")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tok_nothere_abc",
        "Bearer garbage",
        "Bearer",
        "Bearer one two",
    ],
)
def test_an_unknown_or_garbled_key_answers_401(db, header):
    response = APIClient().get("/api/v1/partner/", HTTP_AUTHORIZATION=header)

    assert_error(response, 401, "key_invalid")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_key_with_a_wrong_secret_but_a_real_prefix_is_refused(partner_a, key_a):
    forged = key_a[: key_a.rindex("_") + 1] + "x" * 43

    response = client_with_key(forged).get("/api/v1/partner/")

    assert_error(response, 401, "key_invalid")


def test_a_revoked_key_answers_401(partner_a, key_a):
    revoke_api_keys(api_keys=ApiKey.objects.all())

    response = client_with_key(key_a).get("/api/v1/partner/")

    assert_error(response, 401, "key_revoked")
    assert "WWW-Authenticate" in response


def test_a_key_revoked_or_suspended_between_two_requests_is_refused_at_once(partner_a, key_a):
    # The key's row is read on every request.
    api = client_with_key(key_a)
    assert api.get("/api/v1/agreements/").status_code == 200

    revoke_api_keys(api_keys=ApiKey.objects.all())
    revoked = api.get("/api/v1/agreements/")
    ApiKey.objects.update(revoked_at=None)
    suspend_partners(partners=[partner_a])
    suspended = api.get("/api/v1/agreements/")

    assert_error(revoked, 401, "key_revoked")
    assert_error(suspended, 401, "partner_suspended")


def test_an_expired_key_answers_401(partner_a):
    _key, raw = create_api_key(
        partner=partner_a, name="old", expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client_with_key(raw).get("/api/v1/partner/")

    assert_error(response, 401, "key_expired")


def test_a_suspended_partners_key_answers_401(partner_a, key_a):
    suspend_partners(partners=[partner_a])

    assert_error(client_with_key(key_a).get("/api/v1/partner/"), 401, "partner_suspended")


def test_the_messages_follow_accept_language(partner_a):
    _key, raw = create_api_key(
        partner=partner_a, name="old", expires_at=timezone.now() - timedelta(minutes=1)
    )

    english = client_with_key(raw, "en").get("/api/v1/partner/").json()
    chinese = client_with_key(raw, "zh-hans").get("/api/v1/partner/").json()

    assert english["error"]["message"] == "This API key has expired."
    assert chinese["error"]["code"] == english["error"]["code"] == "key_expired"


def test_a_key_is_stored_hashed_and_shows_only_its_prefix(partner_a):
    api_key, raw = create_api_key(partner=partner_a, name="HR")

    assert raw.startswith(f"tok_{api_key.prefix}_")
    stored = ApiKey.objects.values_list("prefix", "key_hash").get()
    assert raw not in stored
    assert api_key.prefix in str(api_key)


def test_using_a_key_records_when_it_was_last_used(partner_a, key_a):
    assert ApiKey.objects.get().last_used_at is None

    client_with_key(key_a).get("/api/v1/partner/")

    assert ApiKey.objects.get().last_used_at is not None


def test_an_ip_allowlist_refuses_other_addresses(partner_a):
    _key, raw = create_api_key(partner=partner_a, name="HR", allowed_ips="10.1.0.0/16\n192.0.2.7")

    outside = client_with_key(raw).get("/api/v1/partner/", REMOTE_ADDR="203.0.113.9")
    inside = client_with_key(raw).get("/api/v1/partner/", REMOTE_ADDR="10.1.200.3")

    assert_error(outside, 403, "ip_not_allowed")
    assert inside.status_code == 200


def test_a_partner_manager_uses_the_api_with_a_session(client, partner_a_manager, partner_a):
    client.force_login(partner_a_manager)

    response = client.get("/api/v1/partner/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["id"] == partner_a.pk


def test_the_browsable_api_renders_for_a_partner_manager(client, partner_a_manager, partner_a):
    client.force_login(partner_a_manager)

    response = client.get("/api/v1/assistants/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"<html" in response.content


def test_staff_and_assistants_are_not_partners(client, staff_user, assistant):
    for user in (staff_user, assistant.user):
        client.force_login(user)
        response = client.get("/api/v1/partner/", HTTP_ACCEPT_LANGUAGE="en")
        assert_error(response, 403, "not_a_partner")


@override_settings(PARTNER_API_RATE="3/min")
def test_each_key_is_throttled_on_its_own(partner_a, partner_b, key_a, key_b):
    api_a, api_b = client_with_key(key_a), client_with_key(key_b)
    for _ in range(3):
        assert api_a.get("/api/v1/partner/").status_code == 200

    throttled = api_a.get("/api/v1/partner/")

    assert_error(throttled, 429, "throttled")
    assert int(throttled["Retry-After"]) > 0
    assert api_b.get("/api/v1/partner/").status_code == 200
