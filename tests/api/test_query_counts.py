"""Every list of the partner API runs the same number of queries for 10 rows or 100."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from assistants.models import Assistant, Dispatch, Shift, Skill
from cases.models import Case, Resident, Visit
from partners.models import Agreement, AssistantProposal, WebhookDelivery, WebhookEndpoint

ROWS = 120


@pytest.fixture
def many(partner_a, assistant, world_a):
    """ROWS rows in every list of partner A, written in bulk."""
    point = world_a["service_point"]
    item = world_a["case"].service_item
    tz = timezone.get_current_timezone()
    skill = Skill.objects.create(name="征收")
    people = Assistant.objects.bulk_create(
        Assistant(
            partner=partner_a,
            name=f"助理{n:03d}",
            specialty="finance",
            phone=f"139{n:08d}",
            calendar_token=f"token-{n}",
        )
        for n in range(ROWS)
    )
    Assistant.skills.through.objects.bulk_create(
        Assistant.skills.through(assistant=person, skill=skill) for person in people
    )
    Agreement.objects.bulk_create(
        Agreement(
            partner=partner_a, title=f"协议{n}", signed_on="2024-01-01", starts_on="2024-01-01"
        )
        for n in range(ROWS)
    )
    AssistantProposal.objects.bulk_create(
        AssistantProposal(partner=partner_a, kind="new", changes={"name": f"新人{n}"})
        for n in range(ROWS)
    )
    first_day = timezone.localdate() + timedelta(days=2)
    Shift.objects.bulk_create(
        Shift(
            assistant=assistant,
            service_point=point,
            specialty="finance",
            date=first_day + timedelta(days=n),
            starts_at=datetime.combine(first_day + timedelta(days=n), time(9), tz),
            ends_at=datetime.combine(first_day + timedelta(days=n), time(12), tz),
        )
        for n in range(ROWS)
    )
    residents = Resident.objects.bulk_create(
        Resident(name=f"张{n}", phone=f"137{n:08d}") for n in range(ROWS)
    )
    cases = Case.objects.bulk_create(
        Case(
            number=f"TJ-2025-{n:06d}",
            title=f"诉求{n}",
            service_item=item,
            resident=resident,
            source="hotline",
            state="assigned",
            lead=assistant,
        )
        for n, resident in enumerate(residents)
    )
    Case.helpers.through.objects.bulk_create(
        Case.helpers.through(case=case, assistant=helper) for case in cases for helper in people[:2]
    )
    Visit.objects.bulk_create(
        Visit(
            kind="consultation",
            assistant=assistant,
            case=case,
            resident=case.resident,
            occurred_at=timezone.now() - timedelta(hours=n + 3),
            duration_minutes=30,
            service_point=point,
        )
        for n, case in enumerate(cases)
    )
    endpoints = WebhookEndpoint.objects.bulk_create(
        WebhookEndpoint(
            partner=partner_a, url=f"https://h.example.com/{n}", events=["case.resolved"]
        )
        for n in range(ROWS)
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(partner=partner_a, endpoint=endpoint, event="case.resolved", payload={})
        for endpoint in endpoints
    )
    Dispatch.objects.bulk_create(
        Dispatch(assistant=person, service_point=point, starts_on="2026-01-01") for person in people
    )
    return {"point": point.pk, "assistant": assistant.pk, "helper": people[0].pk}


# Each list, through its serializer: 1. the key with its partner's status (authentication),
# 2. one page of rows (scoped, filtered, ordered, cut by the cursor, related rows joined), and
# where a row carries a list, 3. one prefetch for the whole page. No COUNT, no query per row.
LISTS = [
    ("agreements/", 2),
    ("assistants/", 3),  # 3. the skills of the page's assistants
    ("assistant-proposals/", 2),
    ("shifts/", 2),  # the service point's name comes in the same query (join)
    ("cases/", 3),  # item, lead, resident, enterprise joined; 3. the partner's own helpers
    ("visits/", 2),  # the household's (masked) name joined
    ("webhook-endpoints/", 2),
    ("webhook-deliveries/", 2),
    ("assistants/?service_point_id={point}&specialty=finance&status=active", 3),
    ("cases/?state=assigned&assistant_id={assistant},{helper}&specialty=finance", 3),
    ("shifts/?date_after=2026-01-01&status=scheduled&ordering=starts_at", 2),
]


@pytest.mark.parametrize(("route", "queries"), LISTS)
def test_a_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    api_a, many, django_assert_num_queries, route, queries
):
    api_a.get("/api/v1/partner/")  # the key's last-used time is written once a minute, here
    for page_size in (10, 100):
        url = f"/api/v1/{route.format(**many)}{'&' if '?' in route else '?'}page_size={page_size}"

        with django_assert_num_queries(queries):
            response = api_a.get(url)

        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size


def test_the_next_page_costs_the_same(api_a, many, django_assert_num_queries):
    url = "/api/v1/cases/?page_size=100"
    api_a.get(url)
    following = api_a.get(url).json()["next"]

    with django_assert_num_queries(3):
        response = api_a.get(following)

    assert len(response.json()["results"]) > 0
