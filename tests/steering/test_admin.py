"""The admin pages of campaigns, targets, activities, partner targets and chair terms."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from steering.models import Activity, Campaign, CampaignTarget, ChairTerm, PartnerTarget
from tests import factories

COUNTER = iter(range(1, 10_000))


def make_campaign():
    return Campaign.objects.create(
        name=f"专项行动{next(COUNTER)}",
        target_kind="enterprise",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )


def make_target():
    return CampaignTarget.objects.create(
        campaign=make_campaign(), enterprise=factories.make_enterprise()
    )


def make_activity():
    activity = Activity.objects.create(
        kind="talk",
        title="金融讲师团宣讲",
        held_on=date(2026, 5, 1),
        place="人才之家",
        street=factories.make_street(),
    )
    activity.partners.set([factories.make_partner()])
    return activity


def make_partner_target():
    return PartnerTarget.objects.create(partner=factories.make_partner(), year=2026, shifts=10)


def make_chair_term():
    start = date(2000, 1, 1) + timedelta(days=400 * next(COUNTER))
    return ChairTerm.objects.create(
        sector="finance",
        partner=factories.make_partner(),
        starts_on=start,
        ends_on=start + timedelta(days=180),
    )


MODELS = {
    Campaign: make_campaign,
    CampaignTarget: make_target,
    Activity: make_activity,
    PartnerTarget: make_partner_target,
    ChairTerm: make_chair_term,
}


def admin_url(model, view, *args):
    return reverse(f"admin:steering_{model._meta.model_name}_{view}", args=args)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
def test_the_changelist_runs_the_same_queries_for_3_rows_as_for_25(client, staff_user, model):
    client.force_login(staff_user)
    for _ in range(3):
        MODELS[model]()
    few = count_queries(client, admin_url(model, "changelist"))
    for _ in range(22):
        MODELS[model]()
    # Session, user, the page's rows, the paginator's count and the filters' choices.
    assert count_queries(client, admin_url(model, "changelist")) == few
    assert few <= 14


@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
def test_the_add_and_change_pages_render(client, staff_user, model):
    client.force_login(staff_user)
    instance = MODELS[model]()
    assert count_queries(client, admin_url(model, "add")) <= 14
    assert count_queries(client, admin_url(model, "change", instance.pk)) <= 20


def test_the_year_end_evaluation_records_who_wrote_it(client, staff_user):
    target = make_partner_target()
    client.force_login(staff_user)
    response = client.post(
        admin_url(PartnerTarget, "change", target.pk),
        {
            "partner": target.partner_id,
            "year": 2026,
            "shifts": 10,
            "enterprises": 0,
            "cases": 0,
            "activities": 0,
            "evaluation": "全年目标基本完成，走访企业数超额。",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.evaluated_by == staff_user and target.evaluated_at is not None


def test_the_admin_index_links_the_steering_pages(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("steering:dashboard") in page and reverse("steering:scorecards") in page
