"""The district's working-day calendar: China's holidays and make-up workdays (调休), with the days
staff add or override in the admin, and for each year a state that every page and task can show.

The State Council announces each year's holidays in a notice, usually in November of the year
before. A year is:

- official when its notice is known: `chinesecalendar` publishes it, or staff entered it as a
  `HolidayNotice` (the entered notice counts only for years the library does not know);
- provisional when there is no notice yet: its statutory holidays are computed from the lunar
  calendar (the `holidays` package) and it has no make-up workdays, because those are only
  decided by the notice. Duty and deadlines planned on it may move when the notice comes;
- unknown when not even the statutory holidays can be computed. Nothing is counted on such a
  year: asking raises `CalendarYearUnknown`, so nobody plans on a guess without being told.

Staff `CalendarDay` rows override every state, day by day.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
import holidays as statutory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, HolidayNotice

# Every year `chinesecalendar` carries a notice for; it raises for any other year.
LIBRARY_YEARS = frozenset(day.year for day in chinese_calendar.holidays)
# The day from which the dashboard warns that next year has no official calendar: the notice
# usually comes in November, and December's rotas already reach into January.
WARN_FROM_MONTH = 11


class YearState(models.TextChoices):
    OFFICIAL = "official", _("official")
    PROVISIONAL = "provisional", _("provisional")
    UNKNOWN = "unknown", _("unknown")


class CalendarYearUnknown(ValidationError):
    """A day was asked of a year whose holidays nobody knows; the message is meant for staff."""

    def __init__(self, year: int):
        super().__init__(
            _(
                "The working-day calendar does not know %(year)s: enter the State Council's "
                "holiday notice for %(year)s before planning on it."
            ),
            code="calendar_year_unknown",
            params={"year": year},
        )
        self.year = year


@lru_cache(maxsize=32)
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of a year from the lunar calendar, with no make-up days."""
    # observed=False: the package's own "observed" rule moves a weekend holiday to Monday,
    # which is not how the State Council does it; only the notice decides the days in lieu.
    return dict(statutory.country_holidays("CN", years=year, observed=False, language="zh_CN"))


def _state_of(year: int, notice_years) -> str:
    if year in LIBRARY_YEARS or year in notice_years:
        return YearState.OFFICIAL
    if statutory_holidays(year):
        return YearState.PROVISIONAL
    return YearState.UNKNOWN


def year_states(years) -> dict[int, str]:
    """The state of each year, in at most one query (none when the library knows them all)."""
    years = sorted(set(years))
    others = [year for year in years if year not in LIBRARY_YEARS]
    notice_years = (
        set(HolidayNotice.objects.filter(year__in=others).values_list("year", flat=True))
        if others
        else set()
    )
    return {year: _state_of(year, notice_years) for year in years}


def year_state(year: int) -> str:
    """The state of one year: official, provisional or unknown."""
    return year_states([year])[year]


def years_between(first_day: date, last_day: date) -> range:
    return range(first_day.year, last_day.year + 1)


def not_official_years(first_day: date, last_day: date) -> dict[int, str]:
    """The years of a period that are not official, with their state (empty when all are)."""
    states = year_states(years_between(first_day, last_day))
    return {year: state for year, state in states.items() if state != YearState.OFFICIAL}


@dataclass(frozen=True)
class CalendarWarning:
    """What the dashboard says when next year (or this one) has no official calendar."""

    year: int
    state: str


def calendar_warnings(today: date) -> list[CalendarWarning]:
    """This year if it is not official, and next year from 1 November if it is not."""
    years = [today.year]
    if today.month >= WARN_FROM_MONTH:
        years.append(today.year + 1)
    states = year_states(years)
    return [
        CalendarWarning(year=year, state=state)
        for year, state in states.items()
        if state != YearState.OFFICIAL
    ]


class WorkdayCalendar:
    """Answers "is this a working day?" for a range, with the staff's days loaded once."""

    def __init__(self, first_day: date, last_day: date):
        self.overrides = dict(
            CalendarDay.objects.filter(date__range=(first_day, last_day)).values_list(
                "date", "kind"
            )
        )
        # Notices only matter for years the library does not know, so a range of library
        # years costs no query here.
        others = [year for year in years_between(first_day, last_day) if year not in LIBRARY_YEARS]
        self.notices = (
            {notice.year: notice for notice in HolidayNotice.objects.filter(year__in=others)}
            if others
            else {}
        )
        self.states = {
            year: _state_of(year, self.notices) for year in years_between(first_day, last_day)
        }

    @property
    def provisional_years(self) -> list[int]:
        """Years of the range counted on computed statutory holidays only."""
        return [year for year, state in self.states.items() if state == YearState.PROVISIONAL]

    def state(self, year: int) -> str:
        if year not in self.states:
            self.states[year] = year_state(year)
        return self.states[year]

    def is_workday(self, day: date) -> bool:
        """True when the district works that day (a duty day, a day counted for deadlines)."""
        override = self.overrides.get(day)
        if override is not None:
            return override == CalendarDay.Kind.WORKDAY
        return not self._rests(day)

    def is_holiday(self, day: date) -> bool:
        """True when the day belongs to a holiday (official or statutory), not a plain weekend."""
        if self.overrides.get(day) == CalendarDay.Kind.HOLIDAY:
            return True
        return self._holiday_name(day) is not None

    def _rests(self, day: date) -> bool:
        year = day.year
        if year in LIBRARY_YEARS:
            return not chinese_calendar.is_workday(day)
        notice = self.notices.get(year)
        if notice is None and year not in self.states:
            # Outside the loaded range (add_workdays walks on): load the year once.
            self._load_year(year)
            notice = self.notices.get(year)
        if notice is not None:
            iso = day.isoformat()
            if iso in notice.workdays:
                return False
            return iso in notice.holidays or day.weekday() >= 5
        if self.state(year) == YearState.UNKNOWN:
            raise CalendarYearUnknown(year)
        return day in statutory_holidays(year) or day.weekday() >= 5

    def _holiday_name(self, day: date) -> str | None:
        year = day.year
        if year in LIBRARY_YEARS:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            return name if on_holiday else None
        if year not in self.states:
            self._load_year(year)
        notice = self.notices.get(year)
        if notice is not None:
            return notice.holidays.get(day.isoformat())
        if self.state(year) == YearState.UNKNOWN:
            raise CalendarYearUnknown(year)
        return statutory_holidays(year).get(day)

    def stand_in_weekday(self, day: date) -> int | None:
        """For a make-up day of an entered notice, the weekday off in lieu it pays for.

        The notice pairs them in order: the n-th make-up day of a holiday with the n-th of its
        last weekdays off that are not statutory holidays (the first such weekdays stand for
        statutory days that fell on a weekend, and are paid by no make-up day). None when the
        day is not from an entered notice or cannot be paired.
        """
        notice = self.notices.get(day.year)
        if notice is None or day.isoformat() not in notice.workdays:
            return None
        name = notice.workdays[day.isoformat()]
        statutory_days = statutory_holidays(day.year)
        make_up = sorted(iso for iso, other in notice.workdays.items() if other == name)
        in_lieu = sorted(
            iso
            for iso, other in notice.holidays.items()
            if other == name
            and date.fromisoformat(iso).weekday() < 5
            and date.fromisoformat(iso) not in statutory_days
        )
        if len(in_lieu) < len(make_up):
            return None
        in_lieu = in_lieu[len(in_lieu) - len(make_up) :]
        return date.fromisoformat(in_lieu[make_up.index(day.isoformat())]).weekday()

    def _load_year(self, year: int) -> None:
        notice = HolidayNotice.objects.filter(year=year).first()
        if notice is not None:
            self.notices[year] = notice
        self.states[year] = _state_of(year, self.notices)

    def workdays(self, first_day: date, last_day: date) -> list[date]:
        """Every working day from first_day to last_day, both included."""
        days = []
        day = first_day
        while day <= last_day:
            if self.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days


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


# -- working hours -----------------------------------------------------------------------------


def _office_hours() -> tuple[time, time]:
    return settings.OFFICE_HOURS


def add_working_hours(start: datetime, hours: int) -> datetime:
    """The moment `hours` office hours after start, counting working days only.

    A 12345 office counts its answer window this way: an assignment made on Friday evening
    starts counting on Monday morning, and a holiday week does not eat the window.
    """
    opens, closes = _office_hours()
    local = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    day = local.date()
    calendar = WorkdayCalendar(day, day + timedelta(days=hours // 4 + 30))
    while True:
        if calendar.is_workday(day):
            day_opens = timezone.make_aware(datetime.combine(day, opens))
            day_closes = timezone.make_aware(datetime.combine(day, closes))
            begin = max(day_opens, local)
            if begin < day_closes:
                available = day_closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)


def accept_deadline(assigned_at: datetime) -> datetime:
    """When a lead must have accepted a case assigned at `assigned_at` (CASE_ACCEPT_HOURS)."""
    if settings.CASE_ACCEPT_WORKING_HOURS:
        return add_working_hours(assigned_at, settings.CASE_ACCEPT_HOURS)
    return assigned_at + timedelta(hours=settings.CASE_ACCEPT_HOURS)


# -- the State Council's notice ----------------------------------------------------------------

# "10月1日", "2025年12月28日", or "8日" after a date that named its month ("10月1日至8日").
DATE_IN_NOTICE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日")
# A section begins with a Chinese numeral: "一、元旦：" ... "七、国庆节：".
SECTION = re.compile(r"[一二三四五六七八九十]+、\s*([^：:]+)[：:]")
RANGE_DASH = re.compile(r"\s*(?:\.\.|–|—|~|～|至)\s*")


class NoticeError(ValidationError):
    """A notice that cannot be read; the message says where, for staff to correct it."""


def _dates_in(text: str, year: int, month: int | None) -> list[tuple[date, str]]:
    """The dates of a sentence, each with the text up to the next date ("至" marks a range)."""
    matches = list(DATE_IN_NOTICE.finditer(text))
    found = []
    for index, match in enumerate(matches):
        written_year, written_month, day = match.groups()
        month = int(written_month) if written_month else month
        if month is None:
            raise NoticeError(
                _("A date without its month: “%(text)s”."),
                code="notice_date_without_month",
                params={"text": match.group(0)},
            )
        until = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        try:
            found.append(
                (date(int(written_year or year), month, int(day)), text[match.end() : until])
            )
        except ValueError:
            raise NoticeError(
                _("“%(text)s” is not a date."),
                code="notice_bad_date",
                params={"text": match.group(0)},
            ) from None
    return found


def _expand(found: list[tuple[date, str]]) -> list[date]:
    """The days of "A至B" ranges and of lists of single days."""
    days = []
    index = 0
    while index < len(found):
        first, between = found[index]
        # The text between two dates holds their weekdays in brackets and "至" for a range.
        if "至" in between and index + 1 < len(found):
            last = found[index + 1][0]
            days.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
            index += 2
        else:
            days.append(first)
            index += 1
    return days


def parse_notice_text(text: str, year: int) -> tuple[dict[str, str], dict[str, str]]:
    """The days off and make-up workdays of a notice in the State Council's usual wording."""
    holidays_found: dict[str, str] = {}
    workdays_found: dict[str, str] = {}
    sections = list(SECTION.finditer(text))
    if not sections:
        raise NoticeError(
            _("No holiday found: paste the notice's numbered items (“一、元旦：…”)."),
            code="notice_no_sections",
        )
    for index, section in enumerate(sections):
        name = section.group(1).strip()
        end = sections[index + 1].start() if index + 1 < len(sections) else len(text)
        body = text[section.end() : end]
        month = None
        for sentence in re.split(r"[。；;]", body):
            found = _dates_in(sentence, year, month)
            if not found:
                continue
            month = found[-1][0].month
            if "上班" in sentence:
                for day in _expand(found):
                    workdays_found[day.isoformat()] = name
            elif "放假" in sentence or "休息" in sentence:
                for day in _expand(found):
                    holidays_found[day.isoformat()] = name
    return holidays_found, workdays_found


def parse_notice_lines(text: str) -> dict[str, str]:
    """Days entered one per line: "2026-02-15..2026-02-23 春节" or "2026-02-14 春节"."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, _sep, name = line.partition(" ")
        parts = RANGE_DASH.split(head)
        try:
            first = date.fromisoformat(parts[0])
            last = date.fromisoformat(parts[-1])
        except ValueError:
            raise NoticeError(
                _(
                    "Line %(number)s: write a date as 2026-02-15, or a range as "
                    "2026-02-15..2026-02-23."
                ),
                code="notice_bad_line",
                params={"number": number},
            ) from None
        if last < first or len(parts) > 2:
            raise NoticeError(
                _("Line %(number)s: the range ends before it starts."),
                code="notice_bad_range",
                params={"number": number},
            )
        day = first
        while day <= last:
            found[day.isoformat()] = name.strip()
            day += timedelta(days=1)
    return found


def notice_errors(year, holidays_found: dict, workdays_found: dict) -> list[ValidationError]:
    """What is wrong with a notice's days: outside its year, twice, or no day off at all."""
    errors = []
    if not holidays_found:
        errors.append(ValidationError(_("A notice has days off."), code="notice_empty"))
    for iso in sorted({*holidays_found, *workdays_found}):
        try:
            day = date.fromisoformat(iso)
        except (TypeError, ValueError):
            errors.append(
                ValidationError(
                    _("“%(day)s” is not a date."), code="notice_bad_date", params={"day": iso}
                )
            )
            continue
        # Each day belongs to its own year's notice: the calendar looks a day up by its year.
        if year is not None and day.year != year:
            errors.append(
                ValidationError(
                    _("%(day)s is not in %(year)s."),
                    code="notice_day_outside_year",
                    params={"day": iso, "year": year},
                )
            )
        if iso in holidays_found and iso in workdays_found:
            errors.append(
                ValidationError(
                    _("%(day)s is both a day off and a make-up workday."),
                    code="notice_day_twice",
                    params={"day": iso},
                )
            )
    return errors
