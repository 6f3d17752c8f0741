"""The district's working-day calendar: China's official holidays and make-up workdays (调休),
with the days staff add or override in the admin.

The official calendar is announced one year at a time, and `chinesecalendar` knows only the
years published when it was released. For a later year we fall back to "Monday to Friday" plus
the staff's own entries, so rota generation and case deadlines keep working (staff then enter
that year's holidays as `CalendarDay` rows once the State Council announces them).
"""

from datetime import date, timedelta

import chinese_calendar

from .models import CalendarDay


class WorkdayCalendar:
    """Answers "is this a working day?" for a range, with the staff's overrides loaded once."""

    def __init__(self, first_day: date, last_day: date):
        self.overrides = dict(
            CalendarDay.objects.filter(date__range=(first_day, last_day)).values_list(
                "date", "kind"
            )
        )

    def is_workday(self, day: date) -> bool:
        """True when the district works that day (a duty day, a day counted for deadlines)."""
        override = self.overrides.get(day)
        if override is not None:
            return override == CalendarDay.Kind.WORKDAY
        return official_is_workday(day)

    def workdays(self, first_day: date, last_day: date) -> list[date]:
        """Every working day from first_day to last_day, both included."""
        days = []
        day = first_day
        while day <= last_day:
            if self.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days


def official_is_workday(day: date) -> bool:
    """The official answer where it is published; weekdays only for years not yet announced."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: date) -> bool:
    """One-off check of a single day."""
    return WorkdayCalendar(day, day).is_workday(day)


def add_workdays(start: date, count: int) -> date:
    """The date `count` working days after start (for case deadlines)."""
    # Enough calendar days to hold `count` working days even across the Spring Festival.
    horizon = start + timedelta(days=count * 2 + 30)
    calendar = WorkdayCalendar(start, horizon)
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if day > horizon:
            horizon = day + timedelta(days=60)
            calendar = WorkdayCalendar(day, horizon)
        if calendar.is_workday(day):
            remaining -= 1
    return day
