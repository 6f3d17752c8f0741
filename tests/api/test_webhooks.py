"""Webhooks: events written as rows with the change that caused them, signed, logged, replayed;
callback URLs are HTTPS. Delivery by a real worker is in test_webhook_delivery.py."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from assistants import shifts
from cases import workflow
from partners import webhooks
from partners.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.factories.assign import make_case


@pytest.fixture
def endpoint_a(partner_a):
    return WebhookEndpoint.objects.create(
        partner=partner_a,
        url="https://hooks.example.com/a",
        events=["shift.assigned", "shift.changed", "case.assigned", "case.resolved"],
    )


def test_assigning_a_case_writes_a_delivery_for_the_leads_partner_only(
    endpoint_a, assistant, second_assistant, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        partner=second_assistant.partner, url="https://b.example.com/", events=["case.resolved"]
    )
    case = make_case(service_item=factories.make_service_item(specialty="finance"))

    with django_capture_on_commit_callbacks() as queued:
        workflow.assign_case(case=case, lead=assistant, by=None)
        # The delivery row is written in the step's own transaction, before it commits.
        delivery = WebhookDelivery.objects.get()

    assert (delivery.endpoint, delivery.event) == (endpoint_a, "case.assigned")
    assert delivery.payload["data"] == {
        "case": {"id": case.pk, "number": case.number, "state": "assigned", "outcome": ""},
        "assistant": assistant.pk,
    }
    # Only the task waits for the commit: one, for the one row (the lead has no e-mail).
    assert len(queued) == 1


def test_resolving_a_case_tells_the_partner_of_the_lead(
    endpoint_a, assistant, django_capture_on_commit_callbacks
):
    case = make_case(service_item=factories.make_service_item(specialty="finance"))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign_case(case=case, lead=assistant, by=None)
    workflow.accept_case(case=case, assistant=assistant)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.resolve_case(case=case, outcome="resolved", assistant=assistant)

    assert list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True)) == [
        "case.assigned",
        "case.resolved",
    ]


def test_nobody_listening_writes_nothing(partner_a, assistant, django_capture_on_commit_callbacks):
    case = make_case(service_item=factories.make_service_item(specialty="finance"))

    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign_case(case=case, lead=assistant, by=None)

    assert not WebhookDelivery.objects.exists()


def test_staff_giving_a_shift_tells_the_new_and_the_previous_partner(
    endpoint_a, staff_user, partner_a, assistant, django_capture_on_commit_callbacks
):
    point = factories.make_service_point()
    other = factories.make_assistant(partner=factories.make_partner(), specialty="finance")
    other_endpoint = WebhookEndpoint.objects.create(
        partner=other.partner, url="https://o.example.com/", events=["shift.changed"]
    )
    for person in (assistant, other):
        factories.make_dispatch(assistant=person, service_point=point)
    shift = factories.make_shift(assistant=other, service_point=point)

    with django_capture_on_commit_callbacks(execute=True):
        shifts.assign_shift(shift=shift, assistant=assistant, by=staff_user)

    events = dict(WebhookDelivery.objects.values_list("endpoint_id", "event"))
    assert events == {endpoint_a.pk: "shift.assigned", other_endpoint.pk: "shift.changed"}


def test_an_endpoint_hears_only_the_events_it_chose(
    partner_a, assistant, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        partner=partner_a, url="https://hooks.example.com/", events=["case.resolved"]
    )
    case = make_case(service_item=factories.make_service_item(specialty="finance"))

    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign_case(case=case, lead=assistant, by=None)

    assert not WebhookDelivery.objects.exists()


def test_the_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"event":"case.resolved"}'

    header = webhooks.signature(secret="s3cret", timestamp=1700000000, body=body)

    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"sha256={expected}"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/",
        "ftp://hooks.example.com/",
        "https://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://[::1]/hook",
    ],
)
def test_callback_urls_must_be_public_https(api_a, url):
    response = api_a.post(
        "/api/v1/webhook-endpoints/", {"url": url, "events": ["case.resolved"]}, format="json"
    )

    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


@override_settings(PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK=True)
def test_plain_http_to_this_machine_only_where_settings_allow_it(api_a):
    ok = api_a.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1:8123/hook", "events": ["case.resolved"]},
        format="json",
    )
    remote = api_a.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://hooks.example.com/", "events": ["case.resolved"]},
        format="json",
    )

    assert ok.status_code == 201
    assert remote.status_code == 400


@override_settings(PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK=False)
def test_plain_http_to_this_machine_is_refused_in_production(api_a):
    response = api_a.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1:8123/hook", "events": ["case.resolved"]},
        format="json",
    )

    assert response.status_code == 400


def test_the_signing_secret_is_shown_once_when_the_endpoint_is_created(api_a, partner_a):
    created = api_a.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://hooks.example.com/x", "events": ["case.resolved", "case.resolved"]},
        format="json",
    )

    body = created.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret
    assert body["events"] == ["case.resolved"]
    assert "secret" not in api_a.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").json()
    assert "secret" not in json.dumps(api_a.get("/api/v1/webhook-endpoints/").json())


def test_an_endpoint_needs_known_events(api_a):
    for events in ([], ["case.deleted"], "case.resolved"):
        response = api_a.post(
            "/api/v1/webhook-endpoints/",
            {"url": "https://hooks.example.com/", "events": events},
            format="json",
        )
        assert response.status_code == 400
        fields = response.json()["error"]["fields"]
        assert any(name.startswith("events") for name in fields), fields


def test_a_partner_sees_each_try_and_replays_a_delivery(api_a, endpoint_a):
    [delivery] = webhooks.emit(event="case.resolved", partner_ids=[endpoint_a.partner_id], data={})
    started = timezone.now() - timedelta(minutes=1)
    delivery.attempt_log.create(
        started_at=started, finished_at=started, http_status=500, error="HTTP 500"
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=1)

    detail = api_a.get(f"/api/v1/webhook-deliveries/{delivery.pk}/").json()
    replayed = api_a.post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")

    assert detail["attempt_log"][0]["http_status"] == 500
    assert detail["payload"]["event"] == "case.resolved"
    assert replayed.status_code == 202
    again = WebhookDelivery.objects.get(pk=replayed.json()["id"])
    assert (again.replay_of, again.event_id, again.status) == (
        delivery,
        delivery.event_id,
        "pending",
    )


def test_a_delivery_still_being_sent_cannot_be_replayed(api_a, endpoint_a):
    [delivery] = webhooks.emit(event="case.resolved", partner_ids=[endpoint_a.partner_id], data={})

    response = api_a.post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "delivery_in_progress"
