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
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Window
from django.db.models.expressions import RowRange
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
    # One pass over the period's timeline in case order, instead of probing each assignment's
    # case for its acceptance and for what ended it: the cost follows the period's events, not
    # their number times an index lookup each. Later events matter only up to the last
    # assignment's window (an acceptance after it is late; an undecided one is still inside it).
    timeline = CaseEvent.objects.filter(
        case__in=cases,
        kind__in={*ASSIGNMENT_KINDS, *ASSIGNMENT_ENDING_KINDS, CaseEventKind.ACCEPTED},
        at__gte=since,
        at__lt=until + window,
    ).annotate(
        # The first acceptance by the assigned assistant at or after the assignment: if a later
        # one counts, this one does too, since nothing can end the assignment between them.
        first_acceptance=Window(
            Min("at", filter=Q(kind=CaseEventKind.ACCEPTED)),
            partition_by=[F("case_id"), F("assistant_id")],
            order_by=[F("at").asc(), F("pk").asc()],
            frame=RowRange(start=0, end=None),
        ),
        # The next return or new assignment of the case, which ends this assignment's clock.
        ended_at=Window(
            Min("at", filter=Q(kind__in=ASSIGNMENT_ENDING_KINDS)),
            partition_by=[F("case_id")],
            order_by=[F("at").asc(), F("pk").asc()],
            frame=RowRange(start=1, end=None),
        ),
    )
    accepted = Q(first_acceptance__isnull=False, assistant_id__isnull=False) & (
        Q(ended_at__isnull=True) | Q(ended_at__gte=F("first_acceptance"))
    )
    # Conditions of the aggregate, not of the timeline's WHERE: the windows must see every
    # event before the assignments are picked out of them.
    assignment = Q(kind__in=ASSIGNMENT_KINDS, at__lt=until)
    counted = timeline.aggregate(
        # Undecided ones (still inside their window and not accepted yet) are left out.
        total=Count("pk", filter=assignment & (accepted | Q(at__lte=now - window))),
        on_time=Count(
            "pk", filter=assignment & accepted & Q(first_acceptance__lte=F("at") + window)
        ),
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
