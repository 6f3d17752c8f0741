"""Filters that PostgreSQL can serve from the list's own indexes: states without DISTINCT, and
"led or helped by" as one set of ids. Same rows as before, each once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from tests import factories
from tests.factories.assign import make_case


def page_statement(client, url):
    """The answer's ids and the SQL of the page query (the one reading the list's table)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    statements = [q["sql"] for q in queries if "LIMIT" in q["sql"] and "apikey" not in q["sql"]]
    assert len(statements) == 1, statements
    [statement] = statements
    return [item["id"] for item in response.json()["results"]], statement


@pytest.fixture
def cases_of_a(world_a, assistant, partner_a):
    """Partner A's cases: one led (in progress), one only helped and one led and helped (both
    assigned)."""
    item = world_a["case"].service_item
    colleague = factories.make_assistant(partner=partner_a, name="阿伟")
    led = world_a["case"]  # in progress, led by the assistant
    helped = make_case(service_item=item)
    Case.objects.filter(pk=helped.pk).update(lead=colleague, state="assigned")
    helped.helpers.add(assistant)
    both = make_case(service_item=item)
    Case.objects.filter(pk=both.pk).update(lead=assistant, state="assigned")
    both.helpers.add(assistant, colleague)
    return {"led": led, "helped": helped, "both": both, "colleague": colleague}


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("cases", "state=assigned&state=new"),
        ("shifts", "status=scheduled&status=missed"),
        ("visits", "kind=consultation&kind=talk"),
        ("assistants", "status=active"),
        ("assistant-proposals", "status=pending"),
        ("webhook-deliveries", "status=failed&event=case.resolved"),
    ],
)
def test_a_choice_filter_adds_no_distinct(api_a, cases_of_a, route, query):
    ids, statement = page_statement(api_a, f"/api/v1/{route}/?{query}")

    assert ids, "the filter matches rows"
    assert len(ids) == len(set(ids))
    assert "DISTINCT" not in statement


def test_states_filter_to_exactly_those_states(api_a, cases_of_a):
    ids, _statement = page_statement(api_a, "/api/v1/cases/?state=assigned&state=new")

    assert sorted(ids) == sorted([cases_of_a["helped"].pk, cases_of_a["both"].pk])


def test_led_or_helped_by_gives_each_case_once(api_a, cases_of_a, assistant):
    ids, statement = page_statement(api_a, f"/api/v1/cases/?assistant_id={assistant.pk}")
    colleague_ids, _ = page_statement(
        api_a, f"/api/v1/cases/?assistant_id={cases_of_a['colleague'].pk}"
    )

    assert sorted(ids) == sorted(cases_of_a[name].pk for name in ("led", "helped", "both"))
    assert sorted(colleague_ids) == sorted([cases_of_a["helped"].pk, cases_of_a["both"].pk])
    assert "UNION" in statement


def test_led_or_helped_by_another_partners_assistant_shows_nothing(
    api_a, cases_of_a, world_b, second_assistant
):
    ids, _statement = page_statement(api_a, f"/api/v1/cases/?assistant_id={second_assistant.pk}")

    assert ids == []


@pytest.mark.parametrize(
    ("created_beijing", "included"),
    [
        (datetime(2026, 11, 1, 0, 0, 0), True),
        (datetime(2026, 11, 1, 23, 59, 59, 999999), True),
        (datetime(2026, 10, 31, 23, 59, 59, 999999), False),
        (datetime(2026, 11, 2, 0, 0, 0), False),
    ],
)
def test_a_range_of_days_is_of_beijing_days_and_reads_the_column_itself(
    api_a, world_a, created_beijing, included
):
    case = world_a["case"]
    instant = created_beijing.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    Case.objects.filter(pk=case.pk).update(created_at=instant)

    ids, statement = page_statement(
        api_a, "/api/v1/cases/?created_after=2026-11-01&created_before=2026-11-01"
    )

    assert (case.pk in ids) is included
    assert "AT TIME ZONE" not in statement
