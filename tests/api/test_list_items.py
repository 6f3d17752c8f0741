"""What each list of the partner API shows: its serializer's fields in their order, residents
masked, another partner's people not named, dates as DRF writes them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from assistants.models import Skill
from cases.models import Case, Visit
from partner_api import views
from partner_api.authentication import ApiKeyPrincipal
from partners.services import create_api_key
from tests import factories
from tests.factories.assign import make_case

from .conftest import client_with_key

LISTS = [
    ("agreements", views.AgreementViewSet),
    ("assistants", views.AssistantViewSet),
    ("shifts", views.ShiftViewSet),
    ("cases", views.CaseViewSet),
    ("visits", views.VisitViewSet),
]


@pytest.fixture
def varied(partner_a, assistant, second_assistant, world_a, world_b):
    """Rows with the values that need care: empty dates, other partners' people, no resident."""
    now = timezone.now()
    point = world_a["service_point"]
    factories.make_agreement(partner=partner_a, ends_on=date(2027, 12, 31))
    assistant.skills.add(Skill.objects.create(name="股权"), Skill.objects.create(name="征收"))
    colleague = factories.make_assistant(partner=partner_a, name="阿伟")
    factories.make_dispatch(assistant=colleague, service_point=point)
    factories.make_shift(assistant=colleague, service_point=point)
    shift = world_a["shift"]
    shift.status = "checked_in"
    shift.checked_in_at = now - timedelta(minutes=5)
    shift.save(update_fields=["status", "checked_in_at"])
    # Led by partner B's assistant, helped by two of partner A's: A sees no lead, two helpers.
    helped = make_case(
        service_item=world_a["case"].service_item, enterprise=factories.make_enterprise()
    )
    Case.objects.filter(pk=helped.pk).update(
        lead=second_assistant, state="assigned", assigned_at=now
    )
    helped.helpers.add(colleague, assistant, second_assistant)
    # A visit at the service point, with nobody's name on it.
    Visit.objects.create(
        kind="consultation",
        assistant=assistant,
        occurred_at=now - timedelta(hours=1),
        duration_minutes=15,
        service_point=point,
    )
    key, raw_key = create_api_key(partner=partner_a, name="listing test")
    return {"principal": ApiKeyPrincipal(key), "client": client_with_key(raw_key)}


@pytest.mark.parametrize(("route", "viewset_class"), LISTS)
def test_a_list_item_has_its_serializers_fields_in_their_order(varied, route, viewset_class):
    results = varied["client"].get(f"/api/v1/{route}/").json()["results"]

    assert len(results) >= 2, "every list has rows to look at"
    for item in results:
        assert list(item) == viewset_class.serializer_class.Meta.fields


def test_a_list_item_is_what_its_detail_answers(varied):
    for route, _viewset_class in LISTS:
        [first, *_rest] = varied["client"].get(f"/api/v1/{route}/").json()["results"]
        detail = varied["client"].get(f"/api/v1/{route}/{first['id']}/").json()

        assert detail == first, route


def test_the_cases_list_masks_the_resident_and_names_only_own_people(varied, world_a, assistant):
    results = varied["client"].get("/api/v1/cases/").json()["results"]
    by_id = {item["id"]: item for item in results}
    own = by_id[world_a["case"].pk]
    helped = next(item for item in results if item["id"] != world_a["case"].pk)

    assert (own["resident_name"], own["resident_phone"]) == ("王**", "138****5678")
    assert own["lead"] == assistant.pk
    assert helped["lead"] is None
    assert helped["resident_name"] is None and helped["enterprise_name"]
    assert assistant.pk in helped["helpers"] and len(helped["helpers"]) == 2


def test_times_are_in_beijing_time_and_dates_in_iso_as_drf_writes_them(varied, world_a):
    shift = world_a["shift"]
    results = varied["client"].get("/api/v1/shifts/").json()["results"]
    item = next(item for item in results if item["id"] == shift.pk)

    assert item["starts_at"] == serializers.DateTimeField().to_representation(shift.starts_at)
    assert item["starts_at"].endswith("+08:00")
    assert item["date"] == shift.date.isoformat()
