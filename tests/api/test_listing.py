"""The list pages built from rows answer exactly what the serializers give for the same objects."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from assistants.models import Skill
from cases.models import Case, Visit
from partners.api import listing, views
from partners.api.authentication import ApiKeyPrincipal
from partners.api.renderers import FastJSONRenderer
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


def serializer_items(viewset_class, principal, ids):
    """What the viewset's serializer makes of these objects, read as the detail action reads."""
    view = viewset_class(action="retrieve", request=SimpleNamespace(user=principal), kwargs={})
    objects = view.get_queryset().in_bulk(ids)
    serializer = view.get_serializer_class()(
        [objects[pk] for pk in ids],
        many=True,
        context={"partner_id": principal.api_key_partner_id},
    )
    return serializer.data


@pytest.mark.parametrize(("route", "viewset_class"), LISTS)
def test_a_list_page_is_byte_for_byte_what_the_serializer_gives(varied, route, viewset_class):
    response = varied["client"].get(f"/api/v1/{route}/", HTTP_ACCEPT="application/json")
    body = response.json()
    ids = [item["id"] for item in body["results"]]
    assert len(ids) >= 2, "every list has rows to compare"

    expected = serializer_items(viewset_class, varied["principal"], ids)

    page = {"next": body["next"], "previous": body["previous"], "results": expected}
    assert response.content == FastJSONRenderer().render(page)


@pytest.mark.parametrize(("route", "viewset_class"), LISTS)
def test_a_list_shape_has_the_serializers_fields_in_their_order(route, viewset_class):
    shape = viewset_class.list_shape

    assert [name for name, _value in shape.fields] == viewset_class.serializer_class.Meta.fields


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


def test_a_moment_in_utc_is_written_with_z_as_drf_writes_it():
    row = {"at": timezone.now()}
    page = listing.Page(partner_id=1, timezone=UTC)

    written = listing.moment("at")(row, page)

    assert written.endswith("Z")
    assert written == serializers.DateTimeField(default_timezone=UTC).to_representation(row["at"])


@pytest.mark.parametrize("microsecond", [0, 123456])
def test_a_moment_in_beijing_time_renders_as_drf_writes_it(microsecond):
    beijing = ZoneInfo("Asia/Shanghai")
    row = {"at": datetime(2026, 12, 7, 5, 30, 1, microsecond, tzinfo=UTC)}
    page = listing.Page(partner_id=1, timezone=beijing)
    drf_text = serializers.DateTimeField(default_timezone=beijing).to_representation(row["at"])

    value = listing.moment("at")(row, page)

    assert FastJSONRenderer().render({"at": value}) == orjson.dumps({"at": drf_text})
    assert JSONRenderer().render({"at": value}) == JSONRenderer().render({"at": drf_text})
