"""The four standard rates of the work-order system, computed from the case timeline.

Each rate answers for a set of cases (any queryset, e.g. `Case.objects.visible_to(user)` or one
partner's cases) and a period of local days, both included, and gives its numerator, its
denominator and their ratio (None when there is nothing to count). Each is one aggregate query.

* **On-time acceptance** (按时签收率): of the assignments made in the period (an "assigned" or
  "reassigned" event), those the assigned assistant accepted within the acceptance window
  (CASE_ACCEPT_HOURS, the same window `workflow.assign_case` sets as `accept_by`). An assignment
  still inside its window and not yet accepted is left out: it is not decided yet. A returned
  (退单) or escalated assignment counts as not accepted in time. It is counted per assignment
  rather than per case because a reassigned case starts a new acceptance clock for its new lead,
  and the case's own `accept_by` only remembers the latest one.
* **On-time completion** (按时办结率): of the resolutions in the period (transition events to
  "resolved"), those on or before the case's target date (after any approved extension).
  A case reopened and resolved again counts once per resolution: each one was a delivery.
* **Actual resolution** (实际解决率): of the cases resolved in the period and still resolved
  (resolved, followed up or closed), those whose outcome is "resolved" (not referred, not
  "cannot be resolved", not withdrawn). The outcome lives on the case, not in the event.
* **Satisfaction** (满意率): of the return visits done in the period, those where the resident
  gave 4 or 5 out of 5.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
)
from django.utils import timezone

from .choices import CaseEventKind, CaseOutcome, CaseState
from .models import CaseEvent, FollowUp

SATISFIED_FROM = 4
ASSIGNMENT_KINDS = (CaseEventKind.ASSIGNED, CaseEventKind.REASSIGNED)
# Events that end an assignment's acceptance clock without an acceptance.
ASSIGNMENT_ENDING_KINDS = (CaseEventKind.RETURNED, CaseEventKind.REASSIGNED, CaseEventKind.ASSIGNED)


@dataclass(frozen=True)
class Rate:
    """A rate as counted: numerator of denominator, and their ratio (None when nothing counted)."""

    numerator: int
    denominator: int

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's first instant and the instant after its last local day."""
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )


def on_time_acceptance(cases, *, start: date, end: date, now: datetime | None = None) -> Rate:
    """Assignments in the period accepted by their assistant within the acceptance window."""
    now = now or timezone.now()
    window = timedelta(hours=settings.CASE_ACCEPT_HOURS)
    since, until = _bounds(start, end)
    deadline = ExpressionWrapper(
        OuterRef("at") + Value(window, output_field=DurationField()),
        output_field=DateTimeField(),
    )
    acceptances = CaseEvent.objects.filter(
        case_id=OuterRef("case_id"),
        kind=CaseEventKind.ACCEPTED,
        assistant_id=OuterRef("assistant_id"),
        at__gte=OuterRef("at"),
    )
    # An acceptance after the assignment was returned or replaced belongs to a later assignment.
    interrupted = CaseEvent.objects.filter(
        case_id=OuterRef(OuterRef("case_id")),
        kind__in=ASSIGNMENT_ENDING_KINDS,
        at__gt=OuterRef(OuterRef("at")),
        at__lt=OuterRef("at"),
    )
    acceptances = acceptances.filter(~Exists(interrupted))
    counted = (
        CaseEvent.objects.filter(case__in=cases, kind__in=ASSIGNMENT_KINDS, at__gte=since)
        .filter(at__lt=until)
        .annotate(
            accepted_in_time=Exists(acceptances.filter(at__lte=deadline)),
            accepted=Exists(acceptances),
        )
        # Undecided: still inside its window and not accepted yet.
        .exclude(Q(accepted=False) & Q(at__gt=now - window))
        .aggregate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(accepted_in_time=True)),
        )
    )
    return Rate(counted["on_time"], counted["total"])


def on_time_completion(cases, *, start: date, end: date) -> Rate:
    """Resolutions in the period on or before the case's target date."""
    since, until = _bounds(start, end)
    counted = CaseEvent.objects.filter(
        case__in=cases,
        kind=CaseEventKind.TRANSITION,
        to_state=CaseState.RESOLVED,
        at__gte=since,
        at__lt=until,
    ).aggregate(
        total=Count("pk"),
        # `at__date` is the local day (the current time zone, Asia/Shanghai): a case resolved
        # at 23:30 on its target date is on time.
        on_time=Count("pk", filter=Q(at__date__lte=F("case__target_date"))),
    )
    return Rate(counted["on_time"], counted["total"])


def actual_resolution(cases, *, start: date, end: date) -> Rate:
    """Cases resolved in the period (and still resolved) whose outcome is "resolved"."""
    since, until = _bounds(start, end)
    resolved_in_period = CaseEvent.objects.filter(
        case_id=OuterRef("pk"),
        kind=CaseEventKind.TRANSITION,
        to_state=CaseState.RESOLVED,
        at__gte=since,
        at__lt=until,
    )
    counted = (
        cases.filter(Exists(resolved_in_period))
        .exclude(outcome="")
        .aggregate(
            total=Count("pk"),
            resolved=Count("pk", filter=Q(outcome=CaseOutcome.RESOLVED)),
        )
    )
    return Rate(counted["resolved"], counted["total"])


def satisfaction(cases, *, start: date, end: date) -> Rate:
    """Return visits done in the period where the resident gave 4 or 5 out of 5."""
    since, until = _bounds(start, end)
    counted = FollowUp.objects.filter(
        case__in=cases, done_at__gte=since, done_at__lt=until, satisfaction__isnull=False
    ).aggregate(
        total=Count("pk"),
        satisfied=Count("pk", filter=Q(satisfaction__gte=SATISFIED_FROM)),
    )
    return Rate(counted["satisfied"], counted["total"])


def standard_rates(cases, *, start: date, end: date, now: datetime | None = None) -> dict:
    """All four rates for the cases and the period (four queries)."""
    return {
        "on_time_acceptance": on_time_acceptance(cases, start=start, end=end, now=now),
        "on_time_completion": on_time_completion(cases, start=start, end=end),
        "actual_resolution": actual_resolution(cases, start=start, end=end),
        "satisfaction": satisfaction(cases, start=start, end=end),
    }
