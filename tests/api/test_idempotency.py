"""`Idempotency-Key` on every POST of the API: a retry answers the first result and makes nothing
new, another body (or another endpoint) with the same key is a 409, and retries racing each other
on the real PostgreSQL all get the first answer."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Visit
from partners.models import AssistantProposal, WebhookDelivery, WebhookEndpoint
from tests.api.conftest import client_with_key

ENDPOINT = {"url": "https://hooks.example.com/talent", "events": ["case.resolved"]}
NEW_ASSISTANT = {"kind": "new", "changes": {"name": "周新", "phone": "13900001234"}}


def post(client, url, body=None, key="k-1"):
    return client.post(url, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_webhook_endpoint_is_created_once_and_answers_the_first_result(api_a, world_a):
    count = WebhookEndpoint.objects.count()

    first = post(api_a, "/api/v1/webhook-endpoints/", ENDPOINT)
    again = post(api_a, "/api/v1/webhook-endpoints/", ENDPOINT)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert WebhookEndpoint.objects.count() == count + 1


def test_a_webhook_endpoint_key_with_another_body_is_a_409_and_creates_nothing(api_a, world_a):
    post(api_a, "/api/v1/webhook-endpoints/", ENDPOINT)
    count = WebhookEndpoint.objects.count()

    other = post(api_a, "/api/v1/webhook-endpoints/", ENDPOINT | {"description": "另一个"})

    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    assert WebhookEndpoint.objects.count() == count


def test_a_retried_delivery_replay_sends_the_event_once(api_a, world_a):
    url = f"/api/v1/webhook-deliveries/{world_a['delivery'].pk}/replay/"
    count = WebhookDelivery.objects.count()

    first = post(api_a, url)
    again = post(api_a, url)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == first.json()
    assert WebhookDelivery.objects.count() == count + 1


def test_a_retried_proposal_is_made_once(api_a, world_a):
    count = AssistantProposal.objects.count()

    first = post(api_a, "/api/v1/assistant-proposals/", NEW_ASSISTANT)
    again = post(api_a, "/api/v1/assistant-proposals/", NEW_ASSISTANT)
    other = post(api_a, "/api/v1/assistant-proposals/", NEW_ASSISTANT | {"note": "加急"})

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json() == first.json()
    assert AssistantProposal.objects.count() == count + 1


def test_a_retried_cancel_answers_the_cancelled_proposal_instead_of_a_409(api_a, world_a):
    url = f"/api/v1/assistant-proposals/{world_a['proposal'].pk}/cancel/"

    first = post(api_a, url)
    again = post(api_a, url)
    without_key = api_a.post(url)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json() and first.json()["status"] == "cancelled"
    assert without_key.status_code == 409  # a new request, not a retry: already decided


def test_one_key_on_two_endpoints_is_a_409(api_a, world_a):
    post(api_a, "/api/v1/webhook-endpoints/", ENDPOINT, key="shared")

    response = post(api_a, "/api/v1/assistant-proposals/", NEW_ASSISTANT, key="shared")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"


def test_a_failed_post_leaves_its_key_unused(api_a, world_a):
    bad = post(api_a, "/api/v1/webhook-endpoints/", {"url": "http://example.com/"})
    good = post(api_a, "/api/v1/webhook-endpoints/", ENDPOINT)

    assert (bad.status_code, good.status_code) == (400, 201)


def test_a_key_longer_than_48_characters_is_a_400(api_a, world_a):
    response = post(api_a, "/api/v1/webhook-endpoints/", ENDPOINT, key="k" * 49)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


def test_without_a_key_each_post_creates(api_a, world_a):
    count = WebhookEndpoint.objects.count()

    for _ in range(2):
        api_a.post("/api/v1/webhook-endpoints/", ENDPOINT, format="json")

    assert WebhookEndpoint.objects.count() == count + 2


# --- concurrent retries ------------------------------------------------------------------------


def race(raw_key, url, body, *, times=6):
    """`times` POSTs of one body with one Idempotency-Key, sent at the same moment."""
    start = threading.Barrier(times)
    answers = [None] * times

    def send(index):
        client = client_with_key(raw_key)
        start.wait()
        try:
            answers[index] = post(client, url, body, key="same-key")
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=send, args=(index,)) for index in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_retries_of_a_visit_make_one_visit_and_six_equal_answers(key_a, world_a):
    body = {
        "assistant": world_a["assistant"].pk,
        "kind": "consultation",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "duration_minutes": 45,
        "service_point": world_a["service_point"].pk,
    }
    count = Visit.objects.count()

    answers = race(key_a, "/api/v1/visits/", body)

    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [201]
    assert len({answer.content for answer in answers}) == 1
    assert Visit.objects.count() == count + 1


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_retries_of_a_webhook_endpoint_make_one_endpoint(key_a, world_a):
    count = WebhookEndpoint.objects.count()

    answers = race(key_a, "/api/v1/webhook-endpoints/", ENDPOINT)

    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [201]
    assert len({answer.content for answer in answers}) == 1
    assert WebhookEndpoint.objects.count() == count + 1
