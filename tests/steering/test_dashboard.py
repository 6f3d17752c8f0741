"""The dashboard page, the lists behind its figures, and what it says about bad filters."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.models import Case, ServiceItem
from steering import dashboard
from steering.figures import Sources
from steering.items import by_item
from steering.models import DashboardSnapshot

from .conftest import build_district

URL = "/staff/dashboard/"
QUARTER_QUERY = {"start": "2026-04-01", "end": "2026-06-30"}


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _get(client, url, data=None):
    return client.get(url, data or {}, HTTP_ACCEPT_LANGUAGE="en")


def test_the_dashboard_shows_the_headline_figures_with_the_previous_period(staff_client, district):
    response = _get(staff_client, URL, QUARTER_QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enterprises reached" in page
    assert "compared with 2025-12-31 to 2026-03-31" in page
    # Server-side SVG, and nothing a CSP without 'unsafe-inline' would block.
    assert "<svg" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert 'style="' not in page and " onclick=" not in page


def test_every_figure_links_to_a_list_that_counts_the_same_rows(staff_client, district):
    response = _get(staff_client, URL, QUARTER_QUERY)
    page = response.content.decode()
    figures = response.context["headline"]
    for figure, url in figures:
        if figure.key in ("beneficiaries", "activity_beneficiaries"):
            continue  # sums, not counts: their list is the resolved cases / activities
        assert url in page.replace("&amp;", "&")
        listed = _get(staff_client, url)
        assert listed.status_code == 200, url
        assert listed.context["page"].paginator.count == figure.value, figure.key


def test_a_period_ending_before_it_starts_is_explained_not_an_error(staff_client, district):
    response = _get(staff_client, URL, {"start": "2026-06-30", "end": "2026-04-01"})
    assert response.status_code == 200
    assert "The period ends before it starts" in response.content.decode()
    assert not response.context["ok"]


def test_filters_that_match_nothing_say_what_to_do_next(staff_client, district):
    response = _get(staff_client, URL, {"start": "2020-01-01", "end": "2020-01-31"})
    assert response.status_code == 200
    assert response.context["nothing"]
    assert "Choose a longer period" in response.content.decode()


def test_an_empty_list_says_so(staff_client, district):
    url = reverse("steering:figure_list", args=["cases_opened"])
    response = _get(staff_client, url, {"start": "2030-01-01", "end": "2030-01-31"})
    assert response.status_code == 200
    assert "No rows match these filters" in response.content.decode()


def test_an_unknown_figure_is_not_found(staff_client, district):
    response = _get(staff_client, reverse("steering:figure_list", args=["passwords"]))
    assert response.status_code == 404


def test_a_malformed_date_is_a_form_error(staff_client, district):
    response = _get(staff_client, URL, {"start": "2026-13-45"})
    assert response.status_code == 200
    assert not response.context["ok"]


def test_an_assistant_or_partner_manager_is_sent_to_the_login(client, assistant, partner_a_manager):
    for user in (assistant.user, partner_a_manager):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 302
        assert "login" in response["Location"]


def _count_queries(client, django_assert_max_num_queries, data):
    with django_assert_max_num_queries(1000) as captured:
        response = _get(client, URL, {**data, "fresh": "1"})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_dashboard_runs_the_same_queries_whatever_the_data_size(
    staff_client,
    district,
    partner_a,
    partner_b,
    assistant,
    second_assistant,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    _get(staff_client, URL, QUARTER_QUERY)  # the snapshot exists: each fresh page renews it
    small = _count_queries(staff_client, django_assert_max_num_queries, QUARTER_QUERY)
    # The per-service-item table adds three queries (the items, cases opened and resolved per
    # item) to what the page ran before it existed.
    assert small == 42
    # Three times the cases, visits, shifts and activities again, in two more streets.
    build_district(partner_a, partner_b, assistant, second_assistant, cases=90, stride=1)
    # Queries, live (fresh=1): session + user (2); the three distinct reaches, twice (6); cases
    # opened with cases resolved and their beneficiaries, mediations, activities, return visits
    # due, shifts due (5); the four standard rates twice (8); running campaigns (1); the cases
    # per service item (3: the items, cases opened and resolved per item); the charts:
    # enterprises and households reached by street, with the streets (4), categories + cases
    # per month, resolution buckets, return visits, attendance (5);
    # the snapshot renewed (update_or_create inside our savepoint: two savepoints, select for
    # update, update, two releases: 6); the filter form's streets and partners (2). Each
    # running campaign would add its progress (3), up to DASHBOARD_CAMPAIGNS; there are none.
    with django_assert_num_queries(small):
        _get(staff_client, URL, {**QUARTER_QUERY, "fresh": "1"})


def test_a_recent_snapshot_serves_the_page_in_a_few_queries(
    staff_client, district, django_assert_num_queries
):
    first = _get(staff_client, URL, QUARTER_QUERY)
    assert not first.context["from_snapshot"]
    assert DashboardSnapshot.objects.count() == 1
    # Session, user, the snapshot, the filter form's streets and partners.
    with django_assert_num_queries(5):
        second = _get(staff_client, URL, QUARTER_QUERY)
    assert second.context["from_snapshot"]
    strip = re.compile(r"Figures as of [^.]*\.|Recompute now|fresh=1")
    assert (
        strip.sub("", first.content.decode())
        == strip.sub("", second.content.decode()).replace(
            '\n    <a class="no-print" href="?start=2026-04-01&amp;end=2026-06-30&amp;">', ""
        )
        or second.context["headline"][0][0] == first.context["headline"][0][0]
    )


def test_the_dashboard_counts_cases_per_service_item_live_and_from_the_snapshot(
    staff_client, staff_user, district
):
    live = _get(staff_client, URL, QUARTER_QUERY)
    kept = _get(staff_client, URL, QUARTER_QUERY)
    assert kept.context["from_snapshot"]

    filters = live.context["filters"]
    expected = by_item(filters, Sources(staff_user))
    assert live.context["items"] == expected == kept.context["items"]
    assert len(expected) == ServiceItem.objects.count()
    figures = {figure.key: figure for figure, _url in live.context["headline"]}
    assert sum(line.opened for line in expected) == figures["cases_opened"].value > 0
    assert any(line.on_time_rate is not None for line in expected)
    page = kept.content.decode()
    assert 'data-testid="items"' in page and expected[0].name in page
    # On a phone the 21 lines scroll inside their own box; the page stays as wide as the screen.
    assert '<div class="table-scroll"' in page


def test_the_dashboard_shows_beneficiaries_in_all_and_split(staff_client, district):
    response = _get(staff_client, URL, QUARTER_QUERY)

    figures = {figure.key: figure for figure, _url in response.context["headline"]}
    cases = figures["beneficiaries"].value
    activities = figures["activity_beneficiaries"].value
    assert cases and activities
    assert response.context["beneficiaries"] == {
        "total": cases + activities,
        "cases": cases,
        "activities": activities,
    }
    assert "in all (cases and activities)" in response.content.decode()


def test_a_stale_snapshot_is_recomputed(staff_client, district, settings, time_machine):
    _get(staff_client, URL, QUARTER_QUERY)
    time_machine.shift(settings.STEERING_SNAPSHOT_SECONDS + 1)
    response = _get(staff_client, URL, QUARTER_QUERY)
    assert not response.context["from_snapshot"]


def test_beat_refreshes_the_usual_views_in_every_language(district, settings):
    written = dashboard.refresh_snapshots()
    # On 15 July this month and this quarter are the same period: one snapshot serves both.
    assert written == 2 * len(settings.LANGUAGES)
    assert DashboardSnapshot.objects.count() == written
    year = DashboardSnapshot.objects.filter(key__startswith="2026-01-01:2026-07-15:")
    english = year.get(key__endswith=":en").payload
    chinese = year.get(key__endswith=":zh-hans").payload
    assert english["figures"] == chinese["figures"]
    titles = [chart["title"] for chart in english["charts"]]
    assert "Cases opened per month, by category" in titles


def test_a_figure_list_reads_one_page_in_a_fixed_number_of_queries(
    staff_client, district, django_assert_num_queries
):
    url = reverse("steering:figure_list", args=["cases_opened"])
    # Session, user, the count, one page of cases with their item and lead, the filter form's
    # streets and partners, the service items of the item select.
    with django_assert_num_queries(7):
        response = _get(staff_client, url, {"start": "2026-01-01", "end": "2026-06-30"})
    assert response.context["page"].paginator.count > 0


def test_a_list_of_cases_narrows_to_one_service_item(staff_client, district):
    url = reverse("steering:figure_list", args=["cases_opened"])
    period = {"start": "2026-01-01", "end": "2026-06-30"}
    every = _get(staff_client, url, period)
    item = every.context["page"].object_list[0].service_item
    expected = Case.objects.filter(
        service_item=item, created_at__date__range=("2026-01-01", "2026-06-30")
    ).count()

    narrowed = _get(staff_client, url, {**period, "item": item.pk})

    assert 0 < narrowed.context["page"].paginator.count == expected
    assert expected < every.context["page"].paginator.count
    assert {row.service_item_id for row in narrowed.context["page"].object_list} == {item.pk}
    assert f"item={item.pk}" in narrowed.context["query"]
    assert 'data-testid="item-filter"' in narrowed.content.decode()


def test_a_list_without_cases_offers_no_item_select(staff_client, district):
    url = reverse("steering:figure_list", args=["activities_held"])
    response = _get(staff_client, url, {"start": "2026-01-01", "end": "2026-06-30"})
    assert response.context["item_form"] is None
    assert 'data-testid="item-filter"' not in response.content.decode()


def test_the_monthly_report_runs_a_fixed_number_of_queries(
    staff_client, district, django_assert_num_queries
):
    # Session, user, the figures live (19: the three reaches twice, five two-period counts, the
    # four rates twice), cases by category opened and resolved (2), the categories (1), the
    # 21-item view (3: the items, cases opened and resolved per item), the filter form's
    # streets and partners (2).
    with django_assert_num_queries(29):
        response = _get(staff_client, reverse("steering:report"), {"month": "2026-05"})
    assert response.status_code == 200
    assert "Figures of the month" in response.content.decode()


def test_the_campaign_list_shows_each_campaigns_progress(
    staff_client, district, django_assert_num_queries
):
    from steering.models import Campaign

    Campaign.objects.create(
        name="百名律师进社区",
        target_kind="community",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    # Session, user, the campaigns, and per campaign on the page its assistants, partners and
    # progress (3).
    with django_assert_num_queries(6):
        response = _get(staff_client, reverse("steering:campaigns"))
    assert "百名律师进社区" in response.content.decode()


def test_a_street_coordinator_sees_only_their_streets_figures_always_live(client, district):
    from cases.models import Case
    from steering.figures import Filters, Sources, compute_figures
    from talentoffice import roles
    from tests.steering.conftest import QUARTER

    street = district.streets[0]
    # A coordinator's cases are those of their street's points, or requested from their street.
    Case.objects.filter(pk__in=[c.pk for c in district.cases[:6]]).update(
        service_point=district.points[0]
    )
    coordinator = roles.grant_role(
        get_user_model().objects.create_user("grace"), roles.STREET_COORDINATOR, street=street
    )
    client.force_login(coordinator)
    response = _get(client, URL, QUARTER_QUERY)
    assert response.status_code == 200
    assert not response.context["from_snapshot"]
    assert not DashboardSnapshot.objects.exists()
    figures = response.context["headline"]
    opened = next(figure for figure, _url in figures if figure.key == "cases_opened")
    since, until = QUARTER.bounds()
    mine = Case.objects.visible_to(coordinator).filter(created_at__gte=since, created_at__lt=until)
    assert opened.value == mine.count()
    district_wide = compute_figures(Filters(QUARTER), Sources())["cases_opened"].value
    assert opened.value < district_wide
