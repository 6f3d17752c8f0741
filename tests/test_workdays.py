"""The working-day calendar: official holidays and make-up days, staff overrides, unknown years,
and which weekday's duty a day gets."""

from datetime import date

import pytest

from assistants.rota import DutyCalendar
from talentoffice.models import CalendarDay
from talentoffice.workdays import WorkdayCalendar, add_workdays, is_workday

NATIONAL_DAY_2026 = [date(2026, 10, day) for day in range(1, 8)]


def test_national_day_week_is_off_and_its_make_up_days_are_worked(db):
    calendar = WorkdayCalendar(date(2026, 9, 14), date(2026, 10, 14))

    assert not any(calendar.is_workday(day) for day in NATIONAL_DAY_2026)
    # Sunday 20 September and Saturday 10 October 2026 are the make-up workdays (调休).
    assert calendar.is_workday(date(2026, 9, 20))
    assert calendar.is_workday(date(2026, 10, 10))
    assert not calendar.is_workday(date(2026, 10, 11))


def test_workdays_lists_the_working_days_of_a_range_in_order(db):
    calendar = WorkdayCalendar(date(2026, 9, 28), date(2026, 10, 11))

    assert calendar.workdays(date(2026, 9, 28), date(2026, 10, 11)) == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


def test_a_staff_override_beats_the_official_calendar_both_ways(db):
    CalendarDay.objects.create(date=date(2026, 3, 10), kind="holiday", name="区庆")
    CalendarDay.objects.create(date=date(2026, 3, 14), kind="workday", name="补班")
    calendar = WorkdayCalendar(date(2026, 3, 9), date(2026, 3, 15))

    assert not calendar.is_workday(date(2026, 3, 10))  # a Tuesday
    assert calendar.is_workday(date(2026, 3, 14))  # a Saturday
    assert calendar.is_workday(date(2026, 3, 11))
    assert not calendar.is_workday(date(2026, 3, 15))
    assert not is_workday(date(2026, 3, 10))


def test_a_year_the_library_does_not_know_is_provisional_with_its_statutory_holidays(db):
    # 2031 is beyond chinesecalendar's data: its March has no holiday, so Monday to Friday.
    calendar = WorkdayCalendar(date(2031, 3, 1), date(2031, 3, 31))
    assert calendar.provisional_years == [2031]
    assert calendar.is_workday(date(2031, 3, 3))  # Monday
    assert not calendar.is_workday(date(2031, 3, 8))  # Saturday
    assert len(calendar.workdays(date(2031, 3, 1), date(2031, 3, 31))) == 21
    assert not is_workday(date(2031, 10, 1))  # National Day


def test_add_workdays_steps_over_the_national_day_holiday(db):
    # Three working days after Wednesday 30 September 2026: 8, 9 and 10 October.
    assert add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)


@pytest.mark.parametrize(
    ("make_up_day", "works_as"),
    [
        (date(2026, 9, 20), 1),  # pays for Tuesday 6 October
        (date(2026, 10, 10), 2),  # pays for Wednesday 7 October
        (date(2026, 1, 4), 4),  # pays for Friday 2 January
        (date(2026, 2, 14), 4),  # pays for Friday 20 February
        (date(2026, 2, 28), 0),  # pays for Monday 23 February
        (date(2026, 5, 9), 1),  # pays for Tuesday 5 May
    ],
)
def test_an_official_make_up_day_works_as_the_weekday_it_pays_for(db, make_up_day, works_as):
    calendar = DutyCalendar(make_up_day, make_up_day)

    assert calendar.weekdays_for(make_up_day) == (make_up_day.weekday(), works_as)


def test_a_make_up_day_added_by_staff_works_as_a_monday(db):
    CalendarDay.objects.create(date=date(2026, 3, 14), kind="workday")

    assert DutyCalendar(date(2026, 3, 14), date(2026, 3, 14)).weekdays_for(date(2026, 3, 14)) == (
        5,
        0,
    )


def test_holidays_have_no_duty_and_ordinary_weekends_keep_their_own(db):
    calendar = DutyCalendar(date(2026, 9, 19), date(2026, 10, 11))

    assert calendar.weekdays_for(date(2026, 10, 1)) == ()
    # Weekend days inside a holiday (Mid-Autumn 2026 runs Friday 25 to Sunday 27 September;
    # National Day includes Saturday 3 October) are part of it, not normal weekends.
    assert calendar.weekdays_for(date(2026, 9, 26)) == ()
    assert calendar.weekdays_for(date(2026, 10, 3)) == ()
    assert calendar.weekdays_for(date(2026, 9, 19)) == (5,)
    assert calendar.weekdays_for(date(2026, 10, 11)) == (6,)
    assert calendar.weekdays_for(date(2026, 10, 8)) == (3,)


def test_an_unknown_year_gives_weekday_duty_and_ordinary_weekends(db):
    calendar = DutyCalendar(date(2031, 3, 3), date(2031, 3, 9))

    assert [calendar.weekdays_for(date(2031, 3, d)) for d in range(3, 10)] == [
        (0,),
        (1,),
        (2,),
        (3,),
        (4,),
        (5,),
        (6,),
    ]
