"""A calendar that knows what it knows: official, provisional and unknown years, entering a
year's holiday notice, and every page that counts working days in a year without one."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistants.models import Dispatch, Rota, ShiftTemplate
from assistants.rota import DutyCalendar, publish_rota
from cases import workflow
from talentoffice import calendar_pages, workdays
from talentoffice.models import CalendarDay, HolidayNotice
from talentoffice.workdays import (
    CalendarYearUnknown,
    WorkdayCalendar,
    YearState,
    add_workdays,
    add_working_hours,
    is_workday,
    parse_notice_lines,
    parse_notice_text,
    year_state,
)
from tests import factories
from tests.factories.visits import make_assigned_case, make_case_in_progress

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENGLISH = {"accept-language": "en"}

# The State Council's notice for 2026 (国办发明电〔2025〕7号), items as published.
NOTICE_2026 = """\
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八，周日）至2月23日（农历正月初七，周一）放假调休，共9天。\
2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""
# The same notice as staff would type its dates.
HOLIDAY_LINES_2026 = """\
2026-01-01..2026-01-03 元旦
2026-02-15..2026-02-23 春节
2026-04-04..2026-04-06 清明节
2026-05-01..2026-05-05 劳动节
2026-06-19..2026-06-21 端午节
2026-09-25..2026-09-27 中秋节
2026-10-01..2026-10-07 国庆节
"""
WORKDAY_LINES_2026 = """\
2026-01-04 元旦
2026-02-14 春节
2026-02-28 春节
2026-05-09 劳动节
2026-09-20 国庆节
2026-10-10 国庆节
"""


def published(year: int) -> tuple[list[str], list[str]]:
    """The days off and make-up workdays the library carries for a year."""
    return (
        sorted(day.isoformat() for day in chinese_calendar.holidays if day.year == year),
        sorted(day.isoformat() for day in chinese_calendar.workdays if day.year == year),
    )


@pytest.fixture
def before_2026_was_published(monkeypatch):
    """The calendar as it stood in late 2025, before the library carried 2026's notice."""
    years = frozenset(year for year in workdays.LIBRARY_YEARS if year != 2026)
    monkeypatch.setattr(workdays, "LIBRARY_YEARS", years)
    monkeypatch.setattr(calendar_pages, "LIBRARY_YEARS", years)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


# --- the states of a year ----------------------------------------------------------------------


def test_a_year_is_official_provisional_or_unknown(db):
    assert year_state(2026) == YearState.OFFICIAL  # the library carries its notice
    assert year_state(2027) == YearState.PROVISIONAL  # statutory holidays, no notice yet
    assert year_state(2101) == YearState.UNKNOWN  # beyond the lunar tables


def test_an_unknown_year_is_refused_instead_of_counted_as_monday_to_friday(db):
    with pytest.raises(CalendarYearUnknown) as raised:
        is_workday(date(2101, 3, 1))
    assert raised.value.code == "calendar_year_unknown"
    with pytest.raises(CalendarYearUnknown):
        add_workdays(date(2100, 12, 30), 5)


def test_2027_is_provisional_with_new_years_day_and_the_spring_festival_off(db):
    calendar = WorkdayCalendar(date(2026, 12, 28), date(2027, 2, 28))
    assert calendar.provisional_years == [2027]
    assert not calendar.is_workday(date(2027, 1, 1))  # New Year's Day, a Friday
    # The Spring Festival: its eve (Friday 5 February) and the first three days of the year.
    spring_festival = [date(2027, 2, 5) + timedelta(days=n) for n in range(4)]
    assert not any(calendar.is_workday(day) for day in spring_festival)
    assert calendar.is_workday(date(2027, 2, 9))
    # No make-up workdays until the notice says which: the weekends stay off.
    assert not calendar.is_workday(date(2027, 2, 20))
    # A rota staffs no seat on a Spring Festival weekend day, and an ordinary Saturday as usual.
    duty = DutyCalendar(date(2027, 2, 1), date(2027, 2, 28))
    assert duty.weekdays_for(date(2027, 2, 6)) == ()
    assert duty.weekdays_for(date(2027, 2, 20)) == (5,)
    # Case deadlines step over the holiday: five working days after Thursday 4 February.
    assert add_workdays(date(2027, 2, 4), 5) == date(2027, 2, 15)


# --- entering a notice -------------------------------------------------------------------------


def test_the_pasted_2026_notice_gives_exactly_the_published_days():
    holidays, make_up = parse_notice_text(NOTICE_2026, 2026)
    assert (sorted(holidays), sorted(make_up)) == published(2026)
    assert holidays["2026-02-15"] == "春节"
    assert make_up["2026-10-10"] == "国庆节"


def test_the_2026_notice_typed_as_dates_gives_the_same_days():
    holidays = parse_notice_lines(HOLIDAY_LINES_2026)
    make_up = parse_notice_lines(WORKDAY_LINES_2026)
    assert (sorted(holidays), sorted(make_up)) == published(2026)


def test_a_notice_with_a_date_it_cannot_read_says_which_line(db):
    with pytest.raises(ValidationError) as raised:
        parse_notice_lines("2026-02-15..2026-02-23 春节\n2月30日 春节")
    assert raised.value.code == "notice_bad_line"
    assert raised.value.params == {"number": 2}


def test_staff_preview_the_pasted_notice_then_save_it_and_the_year_becomes_official(
    staff_client, staff_user, before_2026_was_published
):
    assert year_state(2026) == YearState.PROVISIONAL
    url = reverse("calendar_notice")
    response = staff_client.post(url, {"year": 2026, "text": NOTICE_2026}, headers=ENGLISH)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="notice-preview"' in page
    rows = {row["name"]: row for row in response.context["preview"]["holidays"]}
    assert (rows["春节"]["first"], rows["春节"]["last"], rows["春节"]["days"]) == (
        date(2026, 2, 15),
        date(2026, 2, 23),
        9,
    )
    assert len(response.context["preview"]["workdays"]) == 6
    assert not HolidayNotice.objects.exists()  # a preview saves nothing

    response = staff_client.post(
        url, {"year": 2026, "text": NOTICE_2026, "save": "1"}, headers=ENGLISH
    )
    assert response.status_code == 302
    notice = HolidayNotice.objects.get()
    assert (sorted(notice.holidays), sorted(notice.workdays)) == published(2026)
    assert notice.entered_by == staff_user
    assert year_state(2026) == YearState.OFFICIAL
    calendar = WorkdayCalendar(date(2026, 2, 1), date(2026, 10, 31))
    assert calendar.is_workday(date(2026, 2, 14))  # make-up Saturday
    assert not calendar.is_workday(date(2026, 2, 23))  # a Monday off in lieu
    assert calendar.is_workday(date(2026, 10, 10))
    assert not calendar.is_workday(date(2026, 10, 7))


def test_staff_enter_the_notice_as_dates_in_one_step(staff_client, before_2026_was_published):
    response = staff_client.post(
        reverse("calendar_notice"),
        {
            "year": 2026,
            "holidays": HOLIDAY_LINES_2026,
            "workdays": WORKDAY_LINES_2026,
            "save": "1",
        },
    )
    assert response.status_code == 302
    notice = HolidayNotice.objects.get(year=2026)
    assert (sorted(notice.holidays), sorted(notice.workdays)) == published(2026)


def test_entering_the_2027_notice_replaces_the_provisional_days(staff_client):
    text = (
        "一、元旦：1月1日（周五）放假，共1天。"
        "二、春节：2月5日（农历除夕，周五）至2月13日（农历正月初八，周六）放假调休，共9天。"
        "2月14日（周日）、2月20日（周六）上班。"
    )
    response = staff_client.post(
        reverse("calendar_notice"), {"year": 2027, "text": text, "save": "1"}
    )
    assert response.status_code == 302
    assert year_state(2027) == YearState.OFFICIAL
    calendar = WorkdayCalendar(date(2027, 1, 1), date(2027, 2, 28))
    assert calendar.provisional_years == []
    assert not calendar.is_workday(date(2027, 1, 1))
    assert not calendar.is_workday(date(2027, 2, 10))  # off by the notice, not by statute
    assert calendar.is_workday(date(2027, 2, 14))  # a make-up Sunday
    # Statutory days the notice did not name are ordinary days once it is in.
    assert calendar.is_workday(date(2027, 4, 5))


def test_a_notice_for_a_year_the_published_calendar_carries_is_refused(staff_client):
    response = staff_client.post(
        reverse("calendar_notice"),
        {"year": 2026, "text": NOTICE_2026, "save": "1"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "2026 is already official from the published calendar" in response.content.decode()
    assert not HolidayNotice.objects.exists()


def test_a_notice_with_a_day_of_another_year_is_refused(staff_client):
    response = staff_client.post(
        reverse("calendar_notice"),
        {"year": 2027, "holidays": "2028-01-01 元旦", "save": "1"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "2028-01-01 is not in 2027." in response.content.decode()
    assert not HolidayNotice.objects.exists()


def test_a_staff_calendar_day_still_beats_an_entered_notice(db):
    HolidayNotice.objects.create(
        year=2027, holidays={"2027-01-01": "元旦"}, workdays={"2027-02-20": "春节"}
    )
    CalendarDay.objects.create(date=date(2027, 2, 20), kind="holiday", name="区内调整")
    CalendarDay.objects.create(date=date(2027, 1, 1), kind="workday", name="值守")
    calendar = WorkdayCalendar(date(2027, 1, 1), date(2027, 2, 28))
    assert not calendar.is_workday(date(2027, 2, 20))
    assert calendar.is_workday(date(2027, 1, 1))


def test_staff_without_the_permission_cannot_enter_a_notice(client, limited_staff_user):
    client.force_login(limited_staff_user)
    response = client.post(
        reverse("calendar_notice"), {"year": 2027, "text": "一、元旦：1月1日放假。"}
    )
    assert response.status_code == 403
    assert not HolidayNotice.objects.exists()


# --- the rota pages ----------------------------------------------------------------------------


@pytest.fixture
def staffed_point(assistant, second_assistant):
    """The service window, staffed on weekday mornings by Bob (finance) and Charlie (legal)."""
    point = factories.make_service_point(name="台江区人才助理专窗", kind="service_window")
    for weekday in range(5):
        ShiftTemplate.objects.create(
            service_point=point, weekday=weekday, starts_at=time(9), ends_at=time(12)
        )
    for person in (assistant, second_assistant):
        Dispatch.objects.create(assistant=person, service_point=point, starts_on=date(2026, 1, 1))
    return point


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_the_generator_and_the_preview_say_2027_is_provisional(staff_client, staffed_point):
    page = staff_client.get(reverse("rota:list"), headers=ENGLISH).content.decode()
    assert 'data-testid="calendar-banner"' in page
    assert "2027 is provisional" in page

    response = staff_client.post(
        reverse("rota:generate"),
        {"starts_on": "2027-02-01", "ends_on": "2027-02-14", "service_point": staffed_point.pk},
        headers=ENGLISH,
        follow=True,
    )
    rota = Rota.objects.get()
    page = response.content.decode()
    assert "2027 is provisional" in page
    assert 'name="provisional_confirmed"' in page
    duty_days = set(rota.shifts.values_list("date", flat=True))
    assert date(2027, 2, 4) in duty_days
    assert not duty_days & {date(2027, 2, 5), date(2027, 2, 8)}  # the Spring Festival


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_publishing_a_provisional_rota_needs_the_confirmation(staff_client, staffed_point):
    staff_client.post(
        reverse("rota:generate"),
        {"starts_on": "2027-01-04", "ends_on": "2027-01-10", "service_point": staffed_point.pk},
        follow=True,  # the preview shows, and so uses up, the "generated" message
    )
    rota = Rota.objects.get()
    url = reverse("rota:publish", args=[rota.pk])

    response = staff_client.post(url, headers=ENGLISH)
    assert response.status_code == 302
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text.startswith("This rota reaches into 2027, whose holidays are provisional")
    rota.refresh_from_db()
    assert rota.status == "draft"

    response = staff_client.post(url, {"provisional_confirmed": "1"}, headers=ENGLISH)
    assert ("success", f"Rota “{rota.name}” published.") in messages_of(response)
    rota.refresh_from_db()
    assert rota.status == "published"


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_the_service_refuses_a_provisional_rota_from_any_caller(staff_user, staffed_point):
    from assistants.rota import generate_rota

    rota = generate_rota(
        starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 10), service_point=staffed_point
    )
    with pytest.raises(ValidationError) as raised:
        publish_rota(rota=rota, by=staff_user)
    assert raised.value.code == "rota_calendar_provisional"


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_rota_in_an_official_year_has_no_banner_and_no_confirmation(staff_client, staffed_point):
    staff_client.post(
        reverse("rota:generate"),
        {"starts_on": "2026-12-14", "ends_on": "2026-12-20", "service_point": staffed_point.pk},
    )
    rota = Rota.objects.get()
    page = staff_client.get(reverse("rota:preview", args=[rota.pk])).content.decode()
    assert 'name="provisional_confirmed"' not in page
    staff_client.post(reverse("rota:publish", args=[rota.pk]))
    rota.refresh_from_db()
    assert rota.status == "published"


# --- case deadlines ----------------------------------------------------------------------------


def test_a_deadline_in_2027_is_marked_provisional_in_the_admin_list_and_on_the_phone(
    client, assistant
):
    case = make_case_in_progress(lead=assistant)
    case.target_date = date(2027, 1, 8)
    case.save(update_fields=["target_date"])
    assert case.target_date_is_provisional
    assert 'class="provisional"' in case.target_date_marked()

    client.force_login(assistant.user)
    page = client.get(f"/m/cases/{case.pk}/", headers=ENGLISH).content.decode()
    assert 'data-testid="provisional"' in page
    assert "provisional" in page
    listing = client.get("/m/cases/", headers=ENGLISH).content.decode()
    assert 'data-testid="provisional"' in listing


def test_a_deadline_in_an_official_year_is_not_marked(client, assistant):
    case = make_case_in_progress(lead=assistant)
    case.target_date = date(2026, 12, 18)
    case.save(update_fields=["target_date"])
    assert not case.target_date_is_provisional
    assert case.target_date_marked() == "2026-12-18"
    client.force_login(assistant.user)
    page = client.get(f"/m/cases/{case.pk}/", headers=ENGLISH).content.decode()
    assert 'data-testid="provisional"' not in page


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_warns_from_1_november_that_next_year_is_not_official(
    staff_client, time_machine
):
    time_machine.move_to(datetime(2026, 10, 31, 10, 0, tzinfo=SHANGHAI), tick=False)
    page = staff_client.get("/staff/dashboard/", headers=ENGLISH).content.decode()
    assert 'data-testid="calendar-warning"' not in page

    time_machine.move_to(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI), tick=False)
    page = staff_client.get("/staff/dashboard/", headers=ENGLISH).content.decode()
    assert 'data-testid="calendar-warning"' in page
    assert "2027 has no official holiday calendar yet" in page

    HolidayNotice.objects.create(year=2027, holidays={"2027-01-01": "元旦"})
    page = staff_client.get("/staff/dashboard/", headers=ENGLISH).content.decode()
    assert 'data-testid="calendar-warning"' not in page


# --- the accept window in working hours --------------------------------------------------------


def test_the_accept_window_counts_round_the_clock_hours_by_default(
    settings, staff_user, assistant, time_machine
):
    settings.CASE_ACCEPT_HOURS = 24
    moment = datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI)
    time_machine.move_to(moment, tick=False)
    case = make_assigned_case(lead=assistant, by=staff_user)
    assert case.accept_by == moment + timedelta(hours=24)


def test_the_accept_window_can_count_office_hours_on_working_days(
    settings, staff_user, assistant, second_assistant, time_machine
):
    settings.CASE_ACCEPT_WORKING_HOURS = True
    settings.CASE_ACCEPT_HOURS = 24
    settings.OFFICE_HOURS = (time(9), time(17))
    # Wednesday 30 September 2026, 16:00: one hour that day, then National Day week off;
    # Thursday 8 and Friday 9 October give sixteen, and the make-up Saturday the last seven.
    time_machine.move_to(datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI), tick=False)
    case = make_assigned_case(lead=assistant, by=staff_user)
    assert case.accept_by == datetime(2026, 10, 10, 16, 0, tzinfo=SHANGHAI)

    # Reassigning counts afresh from the new assignment.
    time_machine.move_to(datetime(2026, 10, 16, 18, 30, tzinfo=SHANGHAI), tick=False)
    workflow.reassign_case(case=case, lead=second_assistant, by=staff_user, reason="换人跟进")
    case.refresh_from_db()
    # Friday evening: the window starts on Monday 19 October and ends Wednesday 21 at 17:00.
    assert case.accept_by == datetime(2026, 10, 21, 17, 0, tzinfo=SHANGHAI)


def test_working_hours_start_at_the_office_opening(db, settings):
    settings.OFFICE_HOURS = (time(9), time(17))
    saturday_night = datetime(2026, 3, 7, 23, 0, tzinfo=SHANGHAI)
    assert add_working_hours(saturday_night, 2) == datetime(2026, 3, 9, 11, 0, tzinfo=SHANGHAI)


def test_a_make_up_day_of_an_entered_notice_works_as_the_weekday_it_pays_for(
    staff_client, before_2026_was_published
):
    staff_client.post(reverse("calendar_notice"), {"year": 2026, "text": NOTICE_2026, "save": "1"})
    duty = DutyCalendar(date(2026, 9, 1), date(2026, 10, 31))
    # As the published calendar pairs them: Sunday 20 September works as Tuesday 6 October,
    # Saturday 10 October as Wednesday 7 October.
    assert duty.weekdays_for(date(2026, 9, 20)) == (6, 1)
    assert duty.weekdays_for(date(2026, 10, 10)) == (5, 2)


def test_the_case_sweep_logs_deadline_warnings_counted_on_a_provisional_year(
    db, caplog, time_machine
):
    from cases.sweeps import due_warnings

    time_machine.move_to(datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI), tick=False)
    due_warnings(date(2026, 12, 30), 2)
    assert "deadline warnings counted on a calendar that is not official: 2027 provisional" in (
        caplog.text
    )


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_the_calendar_page_lists_each_year_with_its_state_and_source(staff_client):
    HolidayNotice.objects.create(year=2028, holidays={"2028-01-01": "元旦"})
    response = staff_client.get(reverse("calendar_notice"), {"year": "2027"}, headers=ENGLISH)
    assert response.status_code == 200
    states = {row["year"]: row["state"] for row in response.context["states"]}
    assert states == {2025: "official", 2026: "official", 2027: "provisional", 2028: "official"}
    assert response.context["form"]["year"].value() == 2027
    page = response.content.decode()
    assert "statutory holidays only, no make-up workdays" in page
    assert "notice entered" in page


def test_office_hours_that_cannot_be_read_refuse_to_start():
    from tests.test_settings import refusal

    assert "OFFICE_HOURS must look like 09:00-17:00" in refusal(OFFICE_HOURS="9 to 5")
    assert "OFFICE_HOURS must open before it closes" in refusal(OFFICE_HOURS="17:00-09:00")
