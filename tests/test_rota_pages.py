"""Staff rota pages: the rota list, generate, preview, publish and discard, and the grids."""

import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistants.models import Dispatch, Rota, Shift, ShiftEvent, ShiftTemplate
from tests import factories
from tests.factories.pages import SHANGHAI, make_rota, make_shift

MONDAY = date(2026, 3, 2)  # an ordinary working week, no holiday in it
ENGLISH = {"accept-language": "en"}


def shift_link(content: str, shift: Shift) -> tuple[str, str]:
    """The CSS classes and inner text of the grid's link to one shift."""
    url = reverse("admin:assistants_shift_change", args=[shift.pk])
    match = re.search(rf'<a class="([^"]*)" href="{re.escape(url)}">(.*?)</a>', content, re.S)
    assert match, f"no link to shift {shift.pk} in the page"
    return match.group(1).split(), " ".join(match.group(2).split())


@pytest.fixture
def point(db):
    return factories.make_service_point(name="台江区人才助理专窗", kind="service_window")


@pytest.fixture
def published_rota(db):
    return make_rota(status="published")


# --- who may see the pages ---------------------------------------------------------------------


def page_urls(rota):
    return [
        reverse("rota:list"),
        reverse("rota:preview", args=[rota.pk]),
        reverse("rota:week"),
        reverse("rota:month"),
    ]


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    rota = make_rota()
    for url in page_urls(rota):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_an_assistant_without_staff_status_is_sent_to_the_login_page(client, assistant):
    rota = make_rota()
    client.force_login(assistant.user)
    for url in page_urls(rota):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    response = client.post(reverse("rota:publish", args=[rota.pk]))
    assert response.status_code == 302
    rota.refresh_from_db()
    assert rota.status == "draft"


def test_staff_without_the_rota_permissions_are_refused(client, limited_staff_user):
    rota = make_rota()
    client.force_login(limited_staff_user)
    for url in page_urls(rota):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("rota:publish", args=[rota.pk])).status_code == 403
    assert client.post(reverse("rota:discard", args=[rota.pk])).status_code == 403
    assert client.post(reverse("rota:generate"), {}).status_code == 403
    rota.refresh_from_db()
    assert rota.status == "draft"


def test_publishing_and_discarding_need_a_post(client, staff_user):
    rota = make_rota()
    client.force_login(staff_user)
    assert client.get(reverse("rota:publish", args=[rota.pk])).status_code == 405
    assert client.get(reverse("rota:discard", args=[rota.pk])).status_code == 405
    assert Rota.objects.filter(pk=rota.pk, status="draft").exists()


def test_a_rota_that_does_not_exist_answers_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("rota:preview", args=[987654])).status_code == 404
    assert client.post(reverse("rota:publish", args=[987654])).status_code == 404


# --- week grid ---------------------------------------------------------------------------------


def test_the_week_grid_marks_an_open_shift_and_names_the_assistant_on_a_filled_one(
    client, staff_user, assistant, point, published_rota
):
    filled = make_shift(day=MONDAY, service_point=point, assistant=assistant, rota=published_rota)
    open_slot = make_shift(
        day=MONDAY + date.resolution,
        service_point=point,
        specialty="legal",
        starts=time(14),
        ends=time(17, 30),
        rota=published_rota,
    )
    client.force_login(staff_user)
    response = client.get(
        reverse("rota:week"), {"start": MONDAY.isoformat(), "point": point.pk}, headers=ENGLISH
    )
    assert response.status_code == 200
    content = response.content.decode()

    classes, text = shift_link(content, filled)
    assert "shift--gap" not in classes
    assert "林博" in text
    assert "09:00–12:00" in text

    classes, text = shift_link(content, open_slot)
    # Marked by a class and by words, not by colour alone.
    assert "shift--gap" in classes
    assert "OPEN SLOT" in text
    assert "14:00–17:30" in text
    assert "legal" in text

    assert reverse("admin:assistants_servicepoint_change", args=[point.pk]) in content
    assert response.context["gap_count"] == 1
    assert response.context["shift_count"] == 2


def test_the_week_grid_puts_each_shift_in_its_point_row_and_day_column(
    client, staff_user, assistant, published_rota
):
    window = factories.make_service_point(name="专窗")
    community = factories.make_service_point(name="社区服务点")
    wednesday = MONDAY.replace(day=4)
    shift = make_shift(
        day=wednesday, service_point=community, assistant=assistant, rota=published_rota
    )
    client.force_login(staff_user)
    response = client.get(reverse("rota:week"), {"start": wednesday.isoformat()})
    assert response.status_code == 200
    # Any day of the week gives the week from its Monday.
    assert response.context["days"][0] == MONDAY
    rows = {row["point"].pk: row["cells"] for row in response.context["rows"]}
    assert set(rows) >= {window.pk, community.pk}
    assert [len(cell["shifts"]) for cell in rows[community.pk]] == [0, 0, 1, 0, 0, 0, 0]
    assert rows[community.pk][2]["shifts"] == [shift]
    assert all(not cell["shifts"] for cell in rows[window.pk])


def test_the_week_grid_shows_drafts_only_when_asked_and_flags_them(
    client, staff_user, assistant, point
):
    draft = make_rota(status="draft")
    shift = make_shift(day=MONDAY, service_point=point, assistant=assistant, rota=draft)
    client.force_login(staff_user)
    url = reverse("rota:week")

    response = client.get(url, {"start": MONDAY.isoformat()})
    assert response.context["shift_count"] == 0
    shift_url = reverse("admin:assistants_shift_change", args=[shift.pk])
    assert shift_url not in response.content.decode()

    response = client.get(url, {"start": MONDAY.isoformat(), "drafts": "on"}, headers=ENGLISH)
    classes, text = shift_link(response.content.decode(), shift)
    assert "shift--draft" in classes
    assert "draft" in text


def test_the_week_grid_leaves_out_cancelled_shifts(client, staff_user, assistant, point):
    make_shift(day=MONDAY, service_point=point, assistant=assistant, status="cancelled")
    client.force_login(staff_user)
    response = client.get(reverse("rota:week"), {"start": MONDAY.isoformat(), "point": point.pk})
    assert response.context["shift_count"] == 0


def test_the_week_grid_links_to_the_previous_and_next_week_keeping_the_point(
    client, staff_user, point
):
    client.force_login(staff_user)
    response = client.get(reverse("rota:week"), {"start": MONDAY.isoformat(), "point": point.pk})
    assert response.context["previous_query"] == f"?point={point.pk}&start=2026-02-23"
    assert response.context["next_query"] == f"?point={point.pk}&start=2026-03-09"
    content = response.content.decode()
    assert f'href="?point={point.pk}&amp;start=2026-02-23"' in content


def make_week_of_shifts(points: int, assistants: list, rota) -> None:
    """Every point staffed twice a day for a week: mornings filled, afternoons open."""
    for n in range(points):
        service_point = factories.make_service_point()
        for day_offset in range(7):
            day = MONDAY + day_offset * date.resolution
            make_shift(
                day=day,
                service_point=service_point,
                assistant=assistants[n],
                rota=rota,
            )
            make_shift(
                day=day, service_point=service_point, starts=time(14), ends=time(17), rota=rota
            )


def count_grid_queries(client, url, params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


def test_the_week_grid_runs_the_same_queries_for_few_and_many_shifts(
    client, staff_user, partner_a, published_rota
):
    assistants = [factories.make_assistant(partner=partner_a) for _ in range(12)]
    client.force_login(staff_user)
    url, params = reverse("rota:week"), {"start": MONDAY.isoformat()}

    make_week_of_shifts(2, assistants, published_rota)
    few, response = count_grid_queries(client, url, params)
    assert response.context["shift_count"] == 28

    make_week_of_shifts(10, assistants[2:], published_rota)
    many, response = count_grid_queries(client, url, params)
    assert response.context["shift_count"] == 168
    assert response.context["gap_count"] == 84

    # The session, the user, the service points in use (with their street), the shifts
    # (with point, street, assistant, partner and rota joined), the filter's point menu.
    assert few == many == 5


def test_the_week_grid_for_one_point_runs_the_same_queries_for_few_and_many_shifts(
    client, staff_user, partner_a, published_rota, point
):
    client.force_login(staff_user)
    url, params = reverse("rota:week"), {"start": MONDAY.isoformat(), "point": point.pk}
    make_shift(day=MONDAY, service_point=point, rota=published_rota)
    few, _response = count_grid_queries(client, url, params)
    for n in range(20):
        make_shift(
            day=MONDAY + (n % 7) * date.resolution,
            service_point=point,
            assistant=factories.make_assistant(partner=partner_a),
            rota=published_rota,
        )
    many, response = count_grid_queries(client, url, params)
    assert response.context["shift_count"] == 21
    # The session, the user, the service point asked for, the shifts, the filter's point menu.
    assert few == many == 5


# --- month grid --------------------------------------------------------------------------------


def test_the_month_grid_counts_shifts_and_gaps_per_day(
    client, staff_user, assistant, point, published_rota
):
    make_shift(day=MONDAY, service_point=point, assistant=assistant, rota=published_rota)
    make_shift(day=MONDAY, service_point=point, specialty="legal", rota=published_rota)
    make_shift(day=date(2026, 3, 31), service_point=point, rota=published_rota)
    make_shift(day=date(2026, 4, 1), service_point=point, rota=published_rota)  # next month
    client.force_login(staff_user)
    response = client.get(reverse("rota:month"), {"month": "2026-03"}, headers=ENGLISH)
    assert response.status_code == 200
    cells = {cell["day"]: cell for week in response.context["weeks"] for cell in week["days"]}
    # Calendar weeks run Monday to Sunday: 23 Feb to 5 Apr for March 2026.
    assert min(cells) == date(2026, 2, 23)
    assert max(cells) == date(2026, 4, 5)
    assert (cells[MONDAY]["total"], cells[MONDAY]["gaps"]) == (2, 1)
    assert cells[MONDAY]["gap_points"] == [(point, 1)]
    assert (cells[date(2026, 3, 31)]["total"], cells[date(2026, 3, 31)]["gaps"]) == (1, 1)
    assert cells[date(2026, 4, 1)]["total"] == 0
    assert response.context["shift_count"] == 3
    assert response.context["gap_count"] == 2
    content = response.content.decode()
    assert "2 open slots" in content
    assert reverse("admin:assistants_servicepoint_change", args=[point.pk]) in content
    assert response.context["previous_query"] == "?month=2026-02"
    assert response.context["next_query"] == "?month=2026-04"


def test_the_month_grid_for_one_point_leaves_out_other_points(
    client, staff_user, point, published_rota
):
    other = factories.make_service_point()
    make_shift(day=MONDAY, service_point=point, rota=published_rota)
    make_shift(day=MONDAY, service_point=other, rota=published_rota)
    client.force_login(staff_user)
    response = client.get(reverse("rota:month"), {"month": "2026-03", "point": other.pk})
    assert response.context["shift_count"] == 1
    assert response.context["point"] == other


def test_the_month_grid_runs_the_same_queries_for_few_and_many_shifts(
    client, staff_user, partner_a, published_rota
):
    assistants = [factories.make_assistant(partner=partner_a) for _ in range(12)]
    client.force_login(staff_user)
    url, params = reverse("rota:month"), {"month": "2026-03"}

    make_week_of_shifts(2, assistants, published_rota)
    few, response = count_grid_queries(client, url, params)
    assert response.context["gap_count"] == 14

    make_week_of_shifts(10, assistants[2:], published_rota)
    many, response = count_grid_queries(client, url, params)
    assert response.context["shift_count"] == 168
    # The session, the user, the shifts counted per day and point, the points with gaps,
    # the filter's point menu.
    assert few == many == 5


def test_the_year_boundary_is_crossed_by_the_month_links(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("rota:month"), {"month": "2026-12"})
    assert response.context["next_query"] == "?month=2027-01"
    response = client.get(reverse("rota:month"), {"month": "2026-01"})
    assert response.context["previous_query"] == "?month=2025-12"


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "params", "message"),
    [
        ("rota:week", {"start": "2026-13-01"}, "Give the date as YYYY-MM-DD."),
        ("rota:week", {"start": "next tuesday"}, "Give the date as YYYY-MM-DD."),
        ("rota:week", {"start": "0001-01-01"}, "Choose a date between 2000 and 2100."),
        ("rota:week", {"point": "abc"}, "There is no such service point."),
        ("rota:week", {"point": "987654"}, "There is no such service point."),
        ("rota:week", {"point": "1 OR 1=1"}, "There is no such service point."),
        ("rota:month", {"month": "2026-13"}, "Give the month as YYYY-MM."),
        ("rota:month", {"month": "2026-03-01"}, "Give the month as YYYY-MM."),
        ("rota:month", {"month": "9999-12"}, "Choose a date between 2000 and 2100."),
        ("rota:month", {"point": "-1"}, "There is no such service point."),
    ],
)
def test_a_malformed_grid_parameter_gets_a_clear_message(client, staff_user, page, params, message):
    client.force_login(staff_user)
    response = client.get(reverse(page), params, headers=ENGLISH)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_empty_parameter_shows_the_current_period(client, staff_user):
    client.force_login(staff_user)
    # Wednesday 4 March 2026, 00:30 in Shanghai: still 3 March in UTC.
    with time_machine.travel(datetime(2026, 3, 4, 0, 30, tzinfo=SHANGHAI), tick=False):
        week = client.get(reverse("rota:week"), {"start": "", "point": ""})
        month = client.get(reverse("rota:month"), {"month": "", "point": ""})
    assert week.status_code == month.status_code == 200
    assert week.context["days"][0] == MONDAY
    assert week.context["today"] == date(2026, 3, 4)
    assert month.context["month"] == date(2026, 3, 1)


def test_a_malformed_rota_id_is_not_found(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/rota/abc/").status_code == 404
    assert client.get("/rota/99999999999999999999999/").status_code == 404


# --- print stylesheet --------------------------------------------------------------------------


def test_the_grids_link_the_stylesheet_whose_print_part_fits_a4_landscape(client, staff_user):
    client.force_login(staff_user)
    href = static("talentoffice/staff.css")
    for page in ("rota:week", "rota:month", "rota:list"):
        content = client.get(reverse(page)).content.decode()
        assert f'<link rel="stylesheet" href="{href}">' in content, page
    stylesheet = Path(settings.BASE_DIR, "static", "talentoffice", "staff.css").read_text()
    print_part = stylesheet[stylesheet.index("@media print") :]
    assert re.search(r"@page\s*{\s*size:\s*A4 landscape", print_part)
    # Navigation, filters and buttons are left off paper.
    assert ".site-header" in print_part and ".filter-form" in print_part
    assert "display: none" in print_part


def test_the_grid_marks_navigation_and_forms_as_not_for_print(client, staff_user):
    client.force_login(staff_user)
    content = client.get(reverse("rota:week")).content.decode()
    assert 'class="site-header no-print"' in content
    assert 'class="filter-form no-print"' in content
    assert 'class="grid-nav no-print"' in content


# --- rota list ---------------------------------------------------------------------------------


def test_the_rota_list_shows_each_rota_with_its_shift_and_open_slot_counts(
    client, staff_user, assistant, point
):
    draft = make_rota(name="三月第一周", status="draft")
    published = make_rota(name="二月", status="published", starts_on=date(2026, 2, 1))
    make_shift(day=MONDAY, service_point=point, assistant=assistant, rota=draft)
    make_shift(day=MONDAY, service_point=point, specialty="legal", rota=draft)
    client.force_login(staff_user)
    response = client.get(reverse("rota:list"))
    assert response.status_code == 200
    rotas = {rota.pk: rota for rota in response.context["rotas"]}
    assert (rotas[draft.pk].shift_count, rotas[draft.pk].open_count) == (2, 1)
    assert (rotas[published.pk].shift_count, rotas[published.pk].open_count) == (0, 0)
    content = response.content.decode()
    assert reverse("rota:preview", args=[draft.pk]) in content
    assert f'action="{reverse("rota:generate")}"' in content


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_the_rota_list_runs_the_same_queries_for_few_and_many_rotas(client, staff_user, point):
    client.force_login(staff_user)
    make_rota()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("rota:list"))
    for n in range(30):
        rota = make_rota(created_by=staff_user, service_point=point, status="published")
        make_shift(day=MONDAY + (n % 7) * date.resolution, service_point=point, rota=rota)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("rota:list"))
    assert len(response.context["rotas"]) == 25
    # The session, the user, the holiday notices entered for 2027 (a year the published
    # calendar does not know), the count for the pager, the page of rotas with their counts,
    # the active service points for the generate form's menu.
    assert len(few) == len(many) == 6


def test_generating_with_the_last_day_before_the_first_changes_nothing(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("rota:generate"),
        {"starts_on": "2026-03-31", "ends_on": "2026-03-01"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "A rota cannot end before it starts." in response.content.decode()
    assert not Rota.objects.exists()


def test_generating_more_than_a_quarter_at_once_is_refused(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("rota:generate"),
        {"starts_on": "2026-01-01", "ends_on": "2026-12-31"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "A rota can cover at most 92 days" in response.content.decode()
    assert not Rota.objects.exists()


def test_generating_with_a_malformed_date_or_point_changes_nothing(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("rota:generate"),
        {"starts_on": "soon", "ends_on": "2026-03-31", "service_point": "xyz"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "There is no such service point." in response.content.decode()
    assert not Rota.objects.exists()


# --- generate, preview, publish, discard -------------------------------------------------------


@pytest.fixture
def staffed_point(point, assistant, second_assistant):
    """The service window: Monday mornings one finance and one legal seat, Tuesday afternoons
    two finance seats; Bob (finance) and Charlie (legal) are dispatched there."""
    ShiftTemplate.objects.create(
        service_point=point, weekday=0, starts_at=time(9), ends_at=time(12)
    )
    ShiftTemplate.objects.create(
        service_point=point,
        weekday=1,
        starts_at=time(14),
        ends_at=time(17),
        finance_needed=2,
        legal_needed=0,
    )
    for person in (assistant, second_assistant):
        Dispatch.objects.create(assistant=person, service_point=point, starts_on=date(2026, 1, 1))
    return point


def generate(client, point, **extra):
    """Generate through the page, following to the preview (which shows, and so uses up, the
    "generated" message)."""
    return client.post(
        reverse("rota:generate"),
        {"starts_on": "2026-03-02", "ends_on": "2026-03-08", "service_point": point.pk} | extra,
        headers=ENGLISH,
        follow=True,
    )


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_staff_generate_preview_and_publish_a_rota(
    client, staff_user, staffed_point, assistant, second_assistant
):
    client.force_login(staff_user)
    response = generate(client, staffed_point, name="专窗三月第一周")
    rota = Rota.objects.get()
    assert response.redirect_chain == [(reverse("rota:preview", args=[rota.pk]), 302)]
    assert rota.status == "draft"
    assert rota.created_by == staff_user
    assert rota.name == "专窗三月第一周"
    assert response.status_code == 200
    content = response.content.decode()
    assert "Draft rota “专窗三月第一周” generated." in content
    # Monday: Bob and Charlie; Tuesday: Bob in one of the two finance seats, the other open.
    assert len(response.context["preview"].shifts) == 4
    (open_slot,) = response.context["open_shifts"]
    assert open_slot.date == date(2026, 3, 3)
    assert open_slot.specialty == "finance"
    assert "1 slot could not be filled" in content
    assert reverse("admin:assistants_shift_change", args=[open_slot.pk]) in content
    assert "林博" in content and "陈诚" in content
    per_assistant = {
        row["name"]: row["shifts"] for row in fairness_rows(response.context, "assistant")
    }
    assert per_assistant == {"林博": 2, "陈诚": 1}
    assert "fewest 1, most 2, spread 1" in content
    assert f'action="{reverse("rota:publish", args=[rota.pk])}"' in content
    assert 'name="csrfmiddlewaretoken"' in content

    response = client.post(reverse("rota:publish", args=[rota.pk]), headers=ENGLISH)
    assert response.status_code == 302
    assert messages_of(response) == [("success", "Rota “专窗三月第一周” published.")]
    rota.refresh_from_db()
    assert rota.status == "published"
    assert rota.published_by == staff_user

    # Published: the week grid now shows it without asking for drafts.
    response = client.get(
        reverse("rota:week"), {"start": "2026-03-02", "point": staffed_point.pk}, headers=ENGLISH
    )
    assert response.context["shift_count"] == 4
    assert response.context["gap_count"] == 1
    _classes, text = shift_link(response.content.decode(), open_slot)
    assert "OPEN SLOT" in text


def fairness_rows(context, kind):
    table = {"assistant": 0, "partner": 1}[kind]
    fairness = context["fairness_tables"][table]["fairness"]
    return [{"name": row.subject.name, "shifts": row.shifts} for row in fairness.rows]


def test_the_preview_lists_partners_with_their_share(
    client, staff_user, staffed_point, partner_a, partner_b
):
    client.force_login(staff_user)
    generate(client, staffed_point)
    rota = Rota.objects.get()
    response = client.get(reverse("rota:preview", args=[rota.pk]))
    per_partner = {row["name"]: row["shifts"] for row in fairness_rows(response.context, "partner")}
    assert per_partner == {partner_a.name: 2, partner_b.name: 1}


def test_publishing_twice_says_so_and_changes_nothing(client, staff_user, staffed_point):
    client.force_login(staff_user)
    generate(client, staffed_point)
    rota = Rota.objects.get()
    client.post(reverse("rota:publish", args=[rota.pk]), follow=True)
    rota.refresh_from_db()
    first_published_at = rota.published_at
    events = ShiftEvent.objects.filter(shift__rota=rota).values_list("pk", "kind")
    events_before = sorted(events)
    assert "assigned" in {kind for _pk, kind in events_before}

    response = client.post(reverse("rota:publish", args=[rota.pk]), headers=ENGLISH)
    assert response.status_code == 302
    assert response["Location"] == reverse("rota:preview", args=[rota.pk])
    assert messages_of(response) == [("error", "This rota is already published.")]
    rota.refresh_from_db()
    assert rota.status == "published"
    assert rota.published_at == first_published_at
    assert sorted(events) == events_before

    # The page itself no longer offers Publish or Discard.
    content = client.get(reverse("rota:preview", args=[rota.pk])).content.decode()
    assert reverse("rota:publish", args=[rota.pk]) not in content
    assert reverse("rota:discard", args=[rota.pk]) not in content


def test_discarding_a_draft_removes_it_with_its_shifts(client, staff_user, staffed_point):
    client.force_login(staff_user)
    generate(client, staffed_point)
    rota = Rota.objects.get()
    response = client.post(reverse("rota:discard", args=[rota.pk]), follow=True)
    assert response.redirect_chain == [(reverse("rota:list"), 302)]
    assert rota.name in response.content.decode()  # in the "discarded" message
    assert not Rota.objects.exists()
    assert not Shift.objects.exists()


def test_a_published_rota_cannot_be_discarded(client, staff_user, staffed_point):
    client.force_login(staff_user)
    generate(client, staffed_point)
    rota = Rota.objects.get()
    client.post(reverse("rota:publish", args=[rota.pk]), follow=True)
    response = client.post(reverse("rota:discard", args=[rota.pk]), headers=ENGLISH)
    assert response["Location"] == reverse("rota:preview", args=[rota.pk])
    ((level, text),) = messages_of(response)
    assert level == "error"
    assert "cannot be discarded" in text
    assert Rota.objects.filter(pk=rota.pk, status="published").exists()
    assert Shift.objects.filter(rota=rota).count() == 4


def test_generating_over_an_existing_rota_is_refused_with_its_reason(
    client, staff_user, staffed_point
):
    client.force_login(staff_user)
    generate(client, staffed_point)
    response = generate(client, staffed_point)
    assert response.status_code == 400
    assert "already covers part of this period" in response.content.decode()
    assert Rota.objects.count() == 1


def test_the_preview_runs_the_same_queries_for_a_small_and_a_big_rota(
    client, staff_user, staffed_point, partner_a
):
    client.force_login(staff_user)
    generate(client, staffed_point)
    small = Rota.objects.get()
    for _n in range(8):
        person = factories.make_assistant(partner=partner_a)
        Dispatch.objects.create(
            assistant=person, service_point=staffed_point, starts_on=date(2026, 1, 1)
        )
    generate(client, staffed_point, starts_on="2026-03-09", ends_on="2026-04-05")
    big = Rota.objects.exclude(pk=small.pk).get()
    counts = []
    for rota in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("rota:preview", args=[rota.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert (small.shifts.count(), len(response.context["preview"].shifts)) == (4, 16)
    # The session, the user, the rota, its shifts (point, assistant and partner joined), the
    # assistants who could serve (with partner).
    assert counts == [5, 5]
