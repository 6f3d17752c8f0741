"""What each resource shows and accepts: masking, proposals, visits with idempotency keys,
bad input answered in the documented shape with nothing saved, the scorecard, filters."""

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from assistants.models import Assistant
from assistants.proposals import approve_proposal, reject_proposal
from cases import workflow
from cases.models import Visit
from partners.models import ApiIdempotencyKey, AssistantProposal
from tests import factories
from tests.api.conftest import client_with_key
from tests.factories.assign import make_case


def visit_body(world, **overrides):
    return {
        "assistant": world["assistant"].pk,
        "kind": "consultation",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "duration_minutes": 45,
        "service_point": world["service_point"].pk,
        "notes": "政策咨询",
    } | overrides


# --- masking -----------------------------------------------------------------------------------


def test_cases_mask_the_residents_name_and_phone_in_lists_and_details(api_a, world_a):
    listed = api_a.get("/api/v1/cases/").json()["results"][0]
    detail = api_a.get(f"/api/v1/cases/{world_a['case'].pk}/").json()

    for row in (listed, detail):
        assert row["resident_name"] == "王**"
        assert row["resident_phone"] == "138****5678"
    assert "王小明" not in json.dumps(listed, ensure_ascii=False)
    assert "13812345678" not in json.dumps(detail)


def test_visits_mask_the_households_name(api_a, world_a):
    listed = api_a.get("/api/v1/visits/").json()["results"][0]
    detail = api_a.get(f"/api/v1/visits/{world_a['visit'].pk}/").json()

    assert listed["resident_name"] == detail["resident_name"] == "王**"


def test_a_two_character_name_keeps_only_the_family_name(api_a, world_a, assistant):
    resident = factories.make_resident(name="王明", phone="13800001111")
    case = make_case(service_item=world_a["case"].service_item, resident=resident)
    workflow.assign_case(case=case, lead=assistant, by=None)

    row = api_a.get(f"/api/v1/cases/{case.pk}/").json()

    assert row["resident_name"] == "王*"
    assert row["resident_phone"] == "138****1111"


def test_a_case_shows_only_the_partners_own_assistants(api_a, world_a, world_b, assistant):
    """Partner A's assistant helps on B's case: A sees the case, not B's lead."""
    case = world_b["case"]
    case.helpers.add(assistant)

    row = api_a.get(f"/api/v1/cases/{case.pk}/").json()

    assert row["lead"] is None
    assert row["helpers"] == [assistant.pk]
    assert row["resident_name"] == "李**"


# --- proposals ---------------------------------------------------------------------------------


def test_a_partner_proposes_a_new_assistant_and_staff_approval_creates_them(
    api_a, partner_a, staff_user
):
    response = api_a.post(
        "/api/v1/assistant-proposals/",
        {"kind": "new", "changes": {"name": "周新", "phone": "13900001234", "title": "客户经理"}},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert not Assistant.objects.filter(name="周新").exists()

    approve_proposal(proposal=AssistantProposal.objects.get(), by=staff_user)

    person = Assistant.objects.get(name="周新")
    assert (person.partner, person.specialty, person.title) == (partner_a, "finance", "客户经理")
    detail = api_a.get(f"/api/v1/assistant-proposals/{response.json()['id']}/").json()
    assert detail["status"] == "approved"
    assert detail["assistant"] == person.pk


def test_a_change_takes_effect_only_when_staff_approve(api_a, world_a, staff_user):
    assistant = world_a["assistant"]
    reject_proposal(proposal=world_a["proposal"], by=staff_user)

    response = api_a.post(
        "/api/v1/assistant-proposals/",
        {"kind": "change", "assistant": assistant.pk, "changes": {"title": "法务主管"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assistant.refresh_from_db()
    assert assistant.title == ""

    proposal = AssistantProposal.objects.get(pk=response.json()["id"])
    approve_proposal(proposal=proposal, by=staff_user)

    assistant.refresh_from_db()
    assert assistant.title == "法务主管"


def test_a_withdrawal_proposal_withdraws_the_assistant_once_approved(api_a, world_a, staff_user):
    reject_proposal(proposal=world_a["proposal"], by=staff_user)
    response = api_a.post(
        "/api/v1/assistant-proposals/",
        {"kind": "withdrawal", "assistant": world_a["assistant"].pk, "note": "调岗"},
        format="json",
    )

    proposal = AssistantProposal.objects.get(pk=response.json()["id"])
    approve_proposal(proposal=proposal, by=staff_user)

    assert Assistant.objects.get(pk=world_a["assistant"].pk).status == "withdrawn"


def test_a_second_proposal_on_the_same_assistant_is_a_conflict(api_a, world_a):
    response = api_a.post(
        "/api/v1/assistant-proposals/",
        {"kind": "withdrawal", "assistant": world_a["assistant"].pk},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "proposal_pending"


def test_a_pending_proposal_can_be_cancelled_once(api_a, world_a):
    url = f"/api/v1/assistant-proposals/{world_a['proposal'].pk}/cancel/"

    first = api_a.post(url)
    second = api_a.post(url)

    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "decided"


def test_a_proposed_phone_is_checked_like_the_admin_would(api_a, world_a):
    response = api_a.post(
        "/api/v1/assistant-proposals/",
        {"kind": "new", "changes": {"name": "周新", "phone": "12345"}},
        format="json",
    )

    assert response.status_code == 400
    assert "changes.phone" in response.json()["error"]["fields"]
    assert AssistantProposal.objects.count() == 1


# --- visits ------------------------------------------------------------------------------------


def test_a_visit_is_logged_on_behalf_of_the_partners_assistant(api_a, world_a):
    response = api_a.post(
        "/api/v1/visits/", visit_body(world_a, case=world_a["case"].pk), format="json"
    )

    assert response.status_code == 201, response.content
    visit = Visit.objects.get(pk=response.json()["id"])
    assert (visit.assistant, visit.case, visit.notes) == (
        world_a["assistant"],
        world_a["case"],
        "政策咨询",
    )


def test_a_retried_visit_with_the_same_idempotency_key_returns_the_first(api_a, world_a):
    body = visit_body(world_a)

    first = api_a.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api_a.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Visit.objects.filter(assistant=world_a["assistant"]).count() == 2  # world's + this


def test_an_idempotency_key_replayed_with_another_body_is_a_409_and_saves_nothing(api_a, world_a):
    api_a.post("/api/v1/visits/", visit_body(world_a), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    count = Visit.objects.count()

    response = api_a.post(
        "/api/v1/visits/",
        visit_body(world_a, duration_minutes=90),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Visit.objects.count() == count


def test_two_partners_may_use_the_same_idempotency_key(api_a, api_b, world_a, world_b):
    a = api_a.post("/api/v1/visits/", visit_body(world_a), format="json", HTTP_IDEMPOTENCY_KEY="x")
    b = api_b.post("/api/v1/visits/", visit_body(world_b), format="json", HTTP_IDEMPOTENCY_KEY="x")

    assert (a.status_code, b.status_code) == (201, 201)
    assert ApiIdempotencyKey.objects.count() == 2


def test_a_failed_visit_leaves_its_idempotency_key_unused(api_a, world_a):
    bad = visit_body(world_a, occurred_at=(timezone.now() + timedelta(days=1)).isoformat())

    response = api_a.post("/api/v1/visits/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert response.status_code == 400
    assert "occurred_at" in response.json()["error"]["fields"]
    assert not ApiIdempotencyKey.objects.exists()


# --- bad input ---------------------------------------------------------------------------------


def test_malformed_json_is_a_400_in_the_documented_shape(api_a, world_a):
    count = Visit.objects.count()

    response = api_a.post("/api/v1/visits/", '{"kind": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert Visit.objects.count() == count


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_minutes": "long"}, "duration_minutes"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"kind": "party"}, "kind"),
        ({"assistant": "me"}, "assistant"),
        ({"mood": "good"}, "mood"),
        ({"duration_minutes": 5000}, "duration_minutes"),
    ],
)
def test_wrong_types_bad_dates_and_unknown_fields_are_refused(api_a, world_a, overrides, field):
    count = Visit.objects.count()

    response = api_a.post("/api/v1/visits/", visit_body(world_a, **overrides), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert error["fields"][field][0]["message"]
    assert Visit.objects.count() == count


def test_a_visit_without_a_place_says_so(api_a, world_a):
    response = api_a.post("/api/v1/visits/", visit_body(world_a, service_point=None), format="json")

    assert response.status_code == 400
    assert "service_point" in response.json()["error"]["fields"]


@override_settings(PARTNER_API_MAX_BODY_BYTES=1024)
def test_a_huge_body_is_refused_unread(api_a, world_a):
    response = api_a.post("/api/v1/visits/", visit_body(world_a, notes="很" * 2000), format="json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_bad_date_filter_is_a_400(api_a, world_a):
    response = api_a.get("/api/v1/shifts/?date_after=2026-13-45")

    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]


def test_validation_messages_follow_accept_language(api_a, key_a, world_a):
    english = api_a.post(
        "/api/v1/visits/", visit_body(world_a, duration_minutes="x"), format="json"
    )
    chinese = client_with_key(key_a, "zh-hans").post(
        "/api/v1/visits/", visit_body(world_a, duration_minutes="x"), format="json"
    )

    en = english.json()["error"]["fields"]["duration_minutes"][0]["message"]
    zh = chinese.json()["error"]["fields"]["duration_minutes"][0]["message"]
    assert en == "A valid integer is required."
    assert zh != en
    assert "整数" in zh


# --- shifts, filters and paging ----------------------------------------------------------------


def test_shifts_carry_attendance_and_filter_by_status_and_date(api_a, world_a, assistant):
    point = world_a["service_point"]
    day = timezone.localdate() - timedelta(days=3)
    missed = factories.make_shift(assistant=assistant, service_point=point, date=day)
    missed.status = "missed"
    missed.save()

    rows = api_a.get(f"/api/v1/shifts/?status=missed&date_after={day}&date_before={day}").json()

    assert [row["id"] for row in rows["results"]] == [missed.pk]
    assert rows["results"][0]["status"] == "missed"


def test_lists_page_with_a_cursor_and_never_count(api_a, world_a, assistant):
    point = world_a["service_point"]
    for days in range(2, 7):
        factories.make_shift(
            assistant=assistant,
            service_point=point,
            date=timezone.localdate() + timedelta(days=days),
        )

    first = api_a.get("/api/v1/shifts/?page_size=4").json()
    second = api_a.get(first["next"]).json()

    assert "count" not in first
    assert len(first["results"]) == 4
    assert len(second["results"]) == 2
    starts = [row["starts_at"] for row in first["results"] + second["results"]]
    assert starts == sorted(starts, reverse=True)


def test_lists_order_by_a_permitted_field(api_a, world_a, assistant):
    factories.make_shift(
        assistant=assistant,
        service_point=world_a["service_point"],
        date=timezone.localdate() + timedelta(days=5),
    )

    rows = api_a.get("/api/v1/shifts/?ordering=starts_at").json()["results"]

    assert [row["starts_at"] for row in rows] == sorted(row["starts_at"] for row in rows)


def test_cases_filter_by_state_specialty_and_assistant(api_a, world_a, assistant):
    url = f"/api/v1/cases/?state=in_progress&specialty=finance&assistant_id={assistant.pk}"

    assert [row["id"] for row in api_a.get(url).json()["results"]] == [world_a["case"].pk]
    assert api_a.get("/api/v1/cases/?state=closed").json()["results"] == []


# --- scorecard ---------------------------------------------------------------------------------


def test_the_scorecard_counts_shifts_cases_and_follow_ups_per_assistant(api_a, world_a, assistant):
    point = world_a["service_point"]
    today = timezone.localdate()
    for days, status in ((1, "completed"), (2, "completed"), (3, "missed")):
        shift = factories.make_shift(
            assistant=assistant, service_point=point, date=today - timedelta(days=days)
        )
        shift.status = status
        shift.save()
    case = workflow.resolve_case(case=world_a["case"], outcome="resolved", assistant=assistant)
    follow_up = case.follow_ups.get()
    workflow.record_follow_up(
        follow_up=follow_up, method="phone", satisfaction=4, still_solved=True, by=assistant
    )

    since = today - timedelta(days=10)
    body = api_a.get(f"/api/v1/scorecard/?start={since}&end={today}").json()

    [row] = body["assistants"]
    assert row["assistant"] == assistant.pk
    assert (row["shifts_covered"], row["shifts_missed"]) == (2, 1)
    assert (row["cases_handled"], row["cases_resolved"]) == (1, 1)
    assert row["median_days_to_resolve"] == pytest.approx(0, abs=0.01)
    assert (row["follow_ups_done"], row["follow_ups_on_time"]) == (1, 1)
    assert row["average_satisfaction"] == 4
    assert body["total"]["shifts_covered"] == 2


def test_a_scorecard_period_must_make_sense(api_a, world_a):
    backwards = api_a.get("/api/v1/scorecard/?start=2026-05-01&end=2026-04-01")
    too_long = api_a.get("/api/v1/scorecard/?start=2024-01-01&end=2026-01-01")
    unknown = api_a.get("/api/v1/scorecard/?month=5")

    assert backwards.status_code == too_long.status_code == unknown.status_code == 400
    assert "end" in backwards.json()["error"]["fields"]
    assert "month" in unknown.json()["error"]["fields"]
