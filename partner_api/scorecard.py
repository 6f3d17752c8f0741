"""A partner's scorecard: per assistant and period, duty kept, cases handled, return visits.

A fixed number of queries whatever the period or the number of assistants: one per measure,
grouped by assistant in SQL; medians are taken in Python over the period's resolved cases
(PostgreSQL and SQLite share no median function).
"""

import statistics
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from assistants.models import Assistant, Shift
from cases.models import Case, FollowUp
from partners.models import Partner


@dataclass
class ScorecardRow:
    """The measures of one assistant (or, with assistant None, of the whole partner)."""

    assistant: int | None
    name: str
    shifts_covered: int = 0
    shifts_missed: int = 0
    cases_handled: int = 0
    cases_resolved: int = 0
    median_days_to_resolve: float | None = None
    follow_ups_done: int = 0
    follow_ups_on_time: int = 0
    average_satisfaction: float | None = None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tz),
        datetime.combine(end + timedelta(days=1), time.min, tz),
    )


def _median_days(durations) -> float | None:
    if not durations:
        return None
    return round(statistics.median(d.total_seconds() / 86400 for d in durations), 2)


def scorecard(*, partner: Partner, start: date, end: date, assistants=None) -> dict:
    """The partner's scorecard for the days start..end (both included), with its total row."""
    since, until = _bounds(start, end)
    people = Assistant.objects.filter(partner=partner).order_by("name", "pk")
    if assistants is not None:
        people = people.filter(pk__in=assistants)
    rows = {
        pk: ScorecardRow(assistant=pk, name=name) for pk, name in people.values_list("pk", "name")
    }
    ids = list(rows)

    shifts = (
        Shift.objects.filter(assistant_id__in=ids, date__range=(start, end))
        .values("assistant_id")
        .annotate(
            covered=Count("pk", filter=Q(status__in=["checked_in", "completed"])),
            missed=Count("pk", filter=Q(status="missed")),
        )
    )
    for row in shifts:
        rows[row["assistant_id"]].shifts_covered = row["covered"]
        rows[row["assistant_id"]].shifts_missed = row["missed"]

    handled = (
        Case.objects.filter(lead_id__in=ids, assigned_at__gte=since, assigned_at__lt=until)
        .values("lead_id")
        .annotate(count=Count("pk"))
    )
    for row in handled:
        rows[row["lead_id"]].cases_handled = row["count"]

    durations: dict[int, list[timedelta]] = {}
    resolved = Case.objects.filter(
        lead_id__in=ids, resolved_at__gte=since, resolved_at__lt=until
    ).values_list("lead_id", "created_at", "resolved_at")
    for lead_id, created_at, resolved_at in resolved:
        durations.setdefault(lead_id, []).append(resolved_at - created_at)
    for lead_id, spans in durations.items():
        rows[lead_id].cases_resolved = len(spans)
        rows[lead_id].median_days_to_resolve = _median_days(spans)

    follow_ups = (
        FollowUp.objects.filter(case__lead_id__in=ids, done_at__gte=since, done_at__lt=until)
        .values("case__lead_id")
        .annotate(
            done=Count("pk"),
            on_time=Count("pk", filter=Q(done_at__date__lte=F("due_on"))),
            satisfaction=Avg("satisfaction"),
        )
    )
    total_satisfaction, total_done = 0.0, 0
    for row in follow_ups:
        target = rows[row["case__lead_id"]]
        target.follow_ups_done = row["done"]
        target.follow_ups_on_time = row["on_time"]
        if row["satisfaction"] is not None:
            target.average_satisfaction = round(float(row["satisfaction"]), 2)
            total_satisfaction += float(row["satisfaction"]) * row["done"]
            total_done += row["done"]

    total = ScorecardRow(assistant=None, name=str(partner))
    for row in rows.values():
        for measure in (
            "shifts_covered",
            "shifts_missed",
            "cases_handled",
            "cases_resolved",
            "follow_ups_done",
            "follow_ups_on_time",
        ):
            setattr(total, measure, getattr(total, measure) + getattr(row, measure))
    total.median_days_to_resolve = _median_days(
        [span for spans in durations.values() for span in spans]
    )
    total.average_satisfaction = round(total_satisfaction / total_done, 2) if total_done else None
    return {
        "start": start,
        "end": end,
        "total": asdict(total),
        "assistants": [asdict(row) for row in rows.values()],
    }
