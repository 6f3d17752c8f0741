"""The first page of a list, the one a partner's system polls: the same answer twice, the rows as
they are now, each partner's own, in the ordering and page size asked for; a cursor and a filter
act as they should."""

from datetime import timedelta

import pytest

from assistants.models import Shift
from tests import factories

ROUTES = ["agreements", "assistants", "shifts", "cases", "visits"]


@pytest.mark.parametrize("route", ROUTES)
def test_the_first_page_asked_twice_answers_the_same(api_a, world_a, route):
    first = api_a.get(f"/api/v1/{route}/")
    second = api_a.get(f"/api/v1/{route}/")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert len(first.json()["results"]) >= 1


def test_a_replayed_first_page_reads_the_rows_as_they_are_now(api_a, assistant, world_a):
    before = [item["id"] for item in api_a.get("/api/v1/shifts/").json()["results"]]
    later = factories.make_shift(
        assistant=assistant,
        service_point=world_a["service_point"],
        date=world_a["shift"].date + timedelta(days=3),
    )

    after = [item["id"] for item in api_a.get("/api/v1/shifts/").json()["results"]]

    assert after == [later.pk, *before]


def test_each_partner_gets_its_own_first_page(api_a, api_b, world_a, world_b):
    own_a = {item["id"] for item in api_a.get("/api/v1/shifts/").json()["results"]}
    own_b = {item["id"] for item in api_b.get("/api/v1/shifts/").json()["results"]}

    assert own_a == {world_a["shift"].pk}
    assert own_b == {world_b["shift"].pk}
    # And again.
    assert {item["id"] for item in api_a.get("/api/v1/shifts/").json()["results"]} == own_a


def test_ordering_and_page_size_each_give_their_own_page(api_a, assistant, world_a):
    point = world_a["service_point"]
    day = world_a["shift"].date
    for offset in (1, 2):
        factories.make_shift(
            assistant=assistant, service_point=point, date=day + timedelta(days=offset)
        )
    newest_first = list(
        Shift.objects.filter(assistant=assistant)
        .order_by("-starts_at", "-id")
        .values_list("id", flat=True)
    )

    def ids(query=""):
        return [item["id"] for item in api_a.get(f"/api/v1/shifts/{query}").json()["results"]]

    assert ids() == newest_first
    assert ids("?ordering=starts_at") == newest_first[::-1]
    assert ids("?page_size=1") == newest_first[:1]
    assert ids("?ordering=starts_at&page_size=2") == newest_first[::-1][:2]
    assert ids() == newest_first


def test_a_cursor_pages_on_and_a_filter_filters(api_a, assistant, world_a):
    point = world_a["service_point"]
    factories.make_shift(
        assistant=assistant,
        service_point=point,
        date=world_a["shift"].date + timedelta(days=1),
        status="missed",
    )
    first = api_a.get("/api/v1/shifts/?page_size=1").json()
    second = api_a.get(first["next"]).json()
    missed = api_a.get("/api/v1/shifts/?status=missed").json()["results"]

    assert len(first["results"]) == len(second["results"]) == 1
    assert first["results"][0]["id"] != second["results"][0]["id"]
    assert [item["status"] for item in missed] == ["missed"]
