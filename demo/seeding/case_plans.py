"""A case planned before it is written: its state, dates and people, and the working days
that set its target date.
"""

import bisect
import random
from contextlib import contextmanager
from datetime import date, timedelta

from talentoffice.workdays import WorkdayCalendar


@contextmanager
def _own_created_at(*models):
    """Let bulk_create keep the `created_at` we give: a demo case opened in March says March.

    `auto_now_add` overwrites the value on insert; the flag is put back even on error. Seeding is
    single-threaded, so nothing else saves these models while it is off.
    """
    fields = [model._meta.get_field("created_at") for model in models]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


class WorkdayTable:
    """Working days of the whole demo span, read once: add_workdays() per case would query
    the calendar once for every case seeded. Same answers as talentoffice.workdays.add_workdays."""

    def __init__(self, first: date, last: date):
        self.days = WorkdayCalendar(first, last).workdays(first, last)

    def add(self, start: date, count: int) -> date:
        """The date `count` working days after start."""
        return self.days[bisect.bisect_right(self.days, start) + count - 1]


class CasePlan:
    """One case's drawn facts and timeline, light enough to hold 300,000 of them."""

    __slots__ = (
        "accepted_at",
        "assigned_at",
        "closed_at",
        "council",
        "created_at",
        "enterprise_id",
        "followed_at",
        "index",
        "item",
        "lead",
        "number",
        "outcome",
        "point_id",
        "priority",
        "reopened",
        "resident_id",
        "resolved_at",
        "source",
        "state",
        "target_date",
    )


STATE_ORDER = ["new", "assigned", "in_progress", "resolved", "followed_up", "closed"]


def _reached(plan: CasePlan, state: str) -> bool:
    """Whether the case got to `state` (a reopened case went through resolved and followed up)."""
    if plan.reopened and state in ("resolved", "followed_up"):
        return True
    return STATE_ORDER.index(plan.state) >= STATE_ORDER.index(state)


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A random duration between low and high minutes."""
    return timedelta(minutes=rng.uniform(low, high))
