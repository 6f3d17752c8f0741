"""The duty calendar: which weekday's templates staff a date, holidays and make-up days included."""

from datetime import date, timedelta

import chinese_calendar

from talentoffice.models import CalendarDay
from talentoffice.workdays import WorkdayCalendar

# Make-up workdays are looked up this far around a date, enough to cover any official holiday.
MAKE_UP_WINDOW = timedelta(days=45)
MONDAY = 0


class DutyCalendar:
    """Which weekday's templates a date is staffed with, on top of the working-day calendar.

    - A statutory holiday (official, or a `CalendarDay` holiday) has no duty at all.
    - A Monday-to-Friday working day uses that weekday's templates.
    - An ordinary weekend (not part of a holiday) uses that weekend day's templates, so a
      point open on Saturdays keeps its Saturday duty.
    - A make-up workday (调休: a Saturday or Sunday that is a working day) follows a normal
      working-day schedule. A point that has templates for that weekend day keeps them (it is
      open that day anyway); any other point works the schedule of the weekday whose rest the
      make-up day pays for, as the official calendar pairs them (the n-th make-up day of a
      holiday with its n-th day off in lieu, e.g. Sunday 2026-09-20 works as Tuesday
      2026-10-06). A make-up day staff add themselves, or one the library cannot pair, works
      as a Monday: the start of a normal working week.
    """

    def __init__(self, first_day: date, last_day: date):
        self.workdays = WorkdayCalendar(first_day, last_day)

    def weekdays_for(self, day: date) -> tuple[int, ...]:
        """Weekdays whose templates staff the day, most preferred first; empty on a holiday."""
        weekday = day.weekday()
        if self.workdays.is_workday(day):
            if weekday < 5:
                return (weekday,)
            entered = self.workdays.stand_in_weekday(day)
            return (weekday, self.stand_in_weekday(day) if entered is None else entered)
        if self._is_holiday(day):
            return ()
        return (weekday,)

    def _is_holiday(self, day: date) -> bool:
        """A rest day that belongs to a holiday, not an ordinary weekend."""
        if self.workdays.overrides.get(day) == CalendarDay.Kind.HOLIDAY:
            return True
        if day.weekday() < 5:
            # A weekday off is always a holiday or a day off in lieu.
            return True
        # A weekend inside a holiday (official, entered, or statutory in a provisional year).
        return self.workdays.is_holiday(day)

    @staticmethod
    def stand_in_weekday(day: date) -> int:
        """The weekday a make-up workday works as (see the class docstring)."""
        try:
            on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
            if on_holiday or holiday_name is None:
                return MONDAY
            first, last = day - MAKE_UP_WINDOW, day + MAKE_UP_WINDOW
            make_up_days = [
                other
                for other in chinese_calendar.get_workdays(first, last)
                if other.weekday() >= 5
                and chinese_calendar.get_holiday_detail(other)[1] == holiday_name
            ]
            days_off_in_lieu = [
                other
                for other in chinese_calendar.get_holidays(first, last, include_weekends=False)
                if chinese_calendar.is_in_lieu(other)
                and chinese_calendar.get_holiday_detail(other)[1] == holiday_name
            ]
        except NotImplementedError:
            return MONDAY
        if len(make_up_days) != len(days_off_in_lieu) or day not in make_up_days:
            return MONDAY
        return days_off_in_lieu[make_up_days.index(day)].weekday()
