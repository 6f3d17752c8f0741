"""The first page of a list, asked for with a key, replays a statement compiled once per partner.

What must hold: the rows are read fresh every time (only the SQL is kept), each partner,
ordering and page size gets its own statement, and anything that changes the statement (a
cursor, a filter) is compiled as usual.
"""

from datetime import timedelta

import pytest

from assistants.models import Shift
from talentoffice.statements import remember_statement
from tests import factories

# Assistants' skills and cases' helpers are read with the page's ids as one array parameter, the
# same statement for any page; SQLite spells the ids out, one placeholder each.
ONE_ARRAY = pytest.mark.postgresql_only(reason="one array parameter (= ANY) for the page's ids")
ROUTES = [
    "agreements",
    pytest.param("assistants", marks=ONE_ARRAY),
    "shifts",
    pytest.param("cases", marks=ONE_ARRAY),
    "visits",
]


@pytest.mark.parametrize("route", ROUTES)
def test_the_second_first_page_compiles_nothing(api_a, world_a, compiled, route):
    first = api_a.get(f"/api/v1/{route}/")
    compiled.clear()
    second = api_a.get(f"/api/v1/{route}/")

    assert second.status_code == 200
    assert second.json() == first.json()
    # Assistants' skills and cases' helpers too: their query takes the page's ids as one array.
    assert compiled == []


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
    # And again, both statements now known.
    assert {item["id"] for item in api_a.get("/api/v1/shifts/").json()["results"]} == own_a


def test_ordering_and_page_size_each_get_their_own_statement(api_a, assistant, world_a):
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


def test_a_cursor_and_a_filter_are_compiled_as_usual(api_a, assistant, world_a):
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


@pytest.mark.django_db
def test_a_remembered_queryset_filtered_again_is_not_served_the_remembered_statement(
    assistant, second_assistant
):
    everyone = Shift.objects.all()
    point = factories.make_service_point()
    mine = factories.make_shift(assistant=assistant, service_point=point)
    theirs = factories.make_shift(assistant=second_assistant, service_point=point)
    remembered = remember_statement(everyone.order_by("id").values("id"), ("test", "shifts"))

    assert [row["id"] for row in remembered] == [mine.pk, theirs.pk]
    assert [row["id"] for row in remembered.filter(assistant=second_assistant)] == [theirs.pk]
    # The statement itself is still the unfiltered one.
    assert [row["id"] for row in remembered.all()] == [mine.pk, theirs.pk]
