"""The isolation matrix: two partners, every endpoint and method, each key against the other's
objects. Another partner's object answers 404 (never 403, which would confirm it exists); a
write naming another partner's object is a 400 on that field; lists never show its rows."""

import pytest

from partners.models import AssistantProposal, WebhookEndpoint
from tests.api.conftest import client_with_key

# (route, world key) of every object route; {id} is the other partner's object.
DETAIL_ROUTES = [
    ("agreements/{id}/", "agreement"),
    ("assistants/{id}/", "assistant"),
    ("assistant-proposals/{id}/", "proposal"),
    ("shifts/{id}/", "shift"),
    ("cases/{id}/", "case"),
    ("visits/{id}/", "visit"),
    ("webhook-endpoints/{id}/", "endpoint"),
    ("webhook-deliveries/{id}/", "delivery"),
]
# Writes on another partner's object: (method, route, world key, body).
WRITE_ROUTES = [
    ("post", "assistant-proposals/{id}/cancel/", "proposal", None),
    ("patch", "webhook-endpoints/{id}/", "endpoint", {"active": False}),
    ("delete", "webhook-endpoints/{id}/", "endpoint", None),
    ("post", "webhook-deliveries/{id}/replay/", "delivery", None),
]
# List routes and the world key whose id each must (and must only) show.
LIST_ROUTES = [
    ("agreements/", "agreement"),
    ("assistants/", "assistant"),
    ("assistant-proposals/", "proposal"),
    ("shifts/", "shift"),
    ("cases/", "case"),
    ("visits/", "visit"),
    ("webhook-endpoints/", "endpoint"),
    ("webhook-deliveries/", "delivery"),
]


@pytest.fixture(params=["a_asks_about_b", "b_asks_about_a"])
def pair(request, world_a, world_b, key_a, key_b):
    """(client of the asking partner, its world, the other partner's world)."""
    if request.param == "a_asks_about_b":
        return client_with_key(key_a), world_a, world_b
    return client_with_key(key_b), world_b, world_a


def test_another_partners_object_answers_404(pair):
    api, own, other = pair
    for route, name in DETAIL_ROUTES:
        response = api.get("/api/v1/" + route.format(id=other[name].pk))
        mine = api.get("/api/v1/" + route.format(id=own[name].pk))

        assert response.status_code == 404, route
        assert response.json()["error"]["code"] == "not_found", route
        assert mine.status_code == 200, route


def test_writes_on_another_partners_object_answer_404_and_change_nothing(pair):
    api, _own, other = pair
    for method, route, name, body in WRITE_ROUTES:
        response = getattr(api, method)("/api/v1/" + route.format(id=other[name].pk), body)

        assert response.status_code == 404, route
        assert response.json()["error"]["code"] == "not_found", route
    assert AssistantProposal.objects.get(pk=other["proposal"].pk).status == "pending"
    assert WebhookEndpoint.objects.get(pk=other["endpoint"].pk).active
    assert other["delivery"].replays.count() == 0


def test_lists_show_only_the_partners_own_rows(pair):
    api, own, _other = pair
    for route, name in LIST_ROUTES:
        ids = [row["id"] for row in api.get("/api/v1/" + route).json()["results"]]

        assert ids == [own[name].pk], route


def test_filtering_by_another_partners_ids_finds_nothing(pair):
    api, _own, other = pair
    for route in [
        "shifts/?assistant_id={assistant}",
        "cases/?assistant_id={assistant}",
        "visits/?assistant_id={assistant}",
        "visits/?case_id={case}",
        "assistants/?id={assistant}",
        "assistant-proposals/?assistant_id={assistant}",
        "webhook-deliveries/?endpoint_id={endpoint}",
    ]:
        response = api.get(
            "/api/v1/"
            + route.format(
                assistant=other["assistant"].pk,
                case=other["case"].pk,
                endpoint=other["endpoint"].pk,
            )
        )

        assert response.status_code == 200, route
        assert response.json()["results"] == [], route


def test_the_profile_and_scorecard_are_the_callers_own(pair):
    api, own, other = pair

    assert api.get("/api/v1/partner/").json()["id"] == own["partner"].pk
    scorecard = api.get(f"/api/v1/scorecard/?assistant_id={other['assistant'].pk}").json()
    assert scorecard["assistants"] == []
    assert scorecard["total"]["name"] == str(own["partner"])


def test_a_visit_for_another_partners_assistant_is_refused_and_nothing_saved(pair):
    api, own, other = pair
    before = other["assistant"].visits.count()

    response = api.post(
        "/api/v1/visits/",
        {
            "assistant": other["assistant"].pk,
            "kind": "consultation",
            "occurred_at": "2026-11-20T10:00:00+08:00",
            "duration_minutes": 20,
            "service_point": own["service_point"].pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "assistant" in response.json()["error"]["fields"]
    assert other["assistant"].visits.count() == before


def test_a_visit_on_another_partners_case_is_refused(pair):
    api, own, other = pair

    response = api.post(
        "/api/v1/visits/",
        {
            "assistant": own["assistant"].pk,
            "case": other["case"].pk,
            "kind": "consultation",
            "occurred_at": "2026-11-20T10:00:00+08:00",
            "duration_minutes": 20,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "case" in response.json()["error"]["fields"]


def test_a_proposal_about_another_partners_assistant_is_refused(pair):
    api, _own, other = pair

    response = api.post(
        "/api/v1/assistant-proposals/",
        {"kind": "withdrawal", "assistant": other["assistant"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert "assistant" in response.json()["error"]["fields"]
    assert AssistantProposal.objects.filter(assistant=other["assistant"]).count() == 1
