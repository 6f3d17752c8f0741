"""The monthly report's 21-item view: cases per service item with its target days and on-time
rate, and the beneficiaries as one total and split."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import workflow
from cases.models import Case, ServiceCategory
from steering.models import Activity
from tests import factories
from tests.factories.assign import make_case, make_case_in_progress

NOW = timezone.make_aware(datetime(2026, 5, 12, 10, 0))


@pytest.fixture
def month(time_machine, assistant):
    time_machine.move_to(NOW, tick=False)
    legal = ServiceCategory.objects.create(code="A", name="法律服务")
    finance = ServiceCategory.objects.create(code="B", name="金融服务")
    mediation = factories.make_service_item(
        category=legal, code="A01", name="纠纷调解", target_days=5, specialty="finance"
    )
    factories.make_service_item(category=finance, code="B01", name="创业融资", target_days=10)
    on_time = make_case_in_progress(lead=assistant, service_item=mediation, beneficiaries=3)
    late = make_case_in_progress(lead=assistant, service_item=mediation, beneficiaries=2)
    Case.objects.filter(pk=on_time.pk).update(target_date=date(2026, 5, 20))
    Case.objects.filter(pk=late.pk).update(target_date=date(2026, 5, 11))
    for case in (on_time, late):
        workflow.resolve_case(case=case, outcome="resolved", assistant=assistant)
    make_case(service_item=mediation)
    Activity.objects.create(
        kind="talk",
        title="金融知识讲座",
        held_on=NOW.date() - timedelta(days=1),
        place="人才之家",
        beneficiaries=40,
    )


def test_the_report_counts_cases_per_item_with_target_days_and_on_time_rate(
    client, staff_user, month
):
    client.force_login(staff_user)
    response = client.get(reverse("steering:report"), {"month": "2026-05"})
    lines = {line.name: line for line in response.context["report"]["items"]}
    mediation, financing = lines["纠纷调解"], lines["创业融资"]
    assert (mediation.category, mediation.target_days) == ("法律服务", 5)
    assert (mediation.opened, mediation.resolved, mediation.on_time) == (3, 2, 1)
    assert mediation.on_time_rate == 50
    assert (financing.opened, financing.resolved, financing.on_time_rate) == (0, 0, None)
    assert [line.name for line in response.context["report"]["items"]] == ["纠纷调解", "创业融资"]


def test_the_report_shows_beneficiaries_in_all_and_split(client, staff_user, month):
    client.force_login(staff_user)
    response = client.get(reverse("steering:report"), {"month": "2026-05"})
    assert response.context["beneficiaries"] == {"total": 45, "cases": 5, "activities": 40}
    assert 'data-testid="items"' in response.text
