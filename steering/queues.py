"""The staff workspace's queues: what waits for the organization department today.

Each queue is a scoped queryset (the model's `visible_to`, so a street coordinator sees their
street's) and the permission a staff member needs to act on it; read-only viewers and
coordinators see the same rows without the buttons. The workspace shows each queue's size as a
bounded count (`LIMIT 100`, shown "99+"): an exact COUNT would read the whole case table every
morning for a figure nobody needs past a hundred.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistants.choices import ShiftStatus, SwapStatus, UnavailabilityStatus
from assistants.models import Shift, SwapRequest, Unavailability
from cases.choices import CaseEventKind, CaseState, DecisionStatus
from cases.models import Case, CaseEvent, ExtensionRequest, FollowUp, Referral
from cases.sweeps import warning_workdays
from talentoffice.workdays import add_workdays

# The workspace counts up to this many rows of a queue and shows one less with a plus sign.
COUNT_CAP = 100
# Open shifts, gaps and flagged check-ins are looked at over this many days around today.
ROTA_HORIZON_DAYS = 14
# Return visits due within this many days are listed with the overdue ones.
FOLLOW_UP_AHEAD_DAYS = 7

LED_OPEN = (CaseState.ASSIGNED, CaseState.IN_PROGRESS)
OPEN = (CaseState.NEW, CaseState.ASSIGNED, CaseState.IN_PROGRESS)


@dataclass(frozen=True)
class Queue:
    """One queue: its rows for a user, the permission to act on them, and its group."""

    key: str
    label: str
    group: str
    rows: Callable
    permission: str
    kind: str  # which row layout and actions the queue page uses

    def can_act(self, user) -> bool:
        return user.has_perm(self.permission)


def _returned():
    return Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=CaseEventKind.RETURNED))


def _cases(user):
    return Case.objects.visible_to(user)


def new_cases(user, now):
    """New cases nobody has returned yet: first assignment."""
    return (
        _cases(user).filter(state=CaseState.NEW).filter(~_returned()).order_by("created_at", "pk")
    )


def returned_cases(user, now):
    """Cases a lead sent back (退单): back to "new", to be assigned again."""
    return _cases(user).filter(state=CaseState.NEW).filter(_returned()).order_by("created_at", "pk")


def escalated_cases(user, now):
    """Assigned cases whose lead has not accepted (签收) within the accept window."""
    return (
        _cases(user).filter(state=CaseState.ASSIGNED, accept_by__lt=now).order_by("accept_by", "pk")
    )


def deadline_cases(user, now):
    """Led open cases past their target date or within the warning's working days of it."""
    today = timezone.localdate(now)
    warn_from = add_workdays(today, warning_workdays())
    return (
        _cases(user)
        .filter(state__in=LED_OPEN, target_date__lte=warn_from)
        .order_by("target_date", "pk")
    )


def supervised_cases(user, now):
    """Open cases under supervision (督办)."""
    return _cases(user).filter(state__in=OPEN, supervised=True).order_by("target_date", "pk")


def extension_requests(user, now):
    """Extension requests waiting for a decision."""
    return (
        ExtensionRequest.objects.visible_to(user)
        .filter(status=DecisionStatus.PENDING)
        .order_by("created_at", "pk")
    )


def referrals(user, now):
    """Referrals waiting for a decision."""
    return (
        Referral.objects.visible_to(user)
        .filter(status=DecisionStatus.PENDING)
        .order_by("created_at", "pk")
    )


def follow_ups(user, now):
    """Return visits (回访) not done, overdue or due within the week."""
    today = timezone.localdate(now)
    return (
        FollowUp.objects.filter(case__in=_cases(user).values("pk"))
        .filter(done_at__isnull=True, due_on__lte=today + timedelta(days=FOLLOW_UP_AHEAD_DAYS))
        .order_by("due_on", "pk")
    )


def leave_requests(user, now):
    """Leave asked for and not yet decided."""
    return (
        Unavailability.objects.visible_to(user)
        .filter(status=UnavailabilityStatus.REQUESTED)
        .order_by("starts_on", "pk")
    )


def swap_requests(user, now):
    """Swaps a colleague accepted that wait for staff approval."""
    return (
        SwapRequest.objects.visible_to(user)
        .filter(status=SwapStatus.ACCEPTED)
        .order_by("shift__starts_at", "pk")
    )


def open_shifts(user, now):
    """Published shifts with nobody on them in the coming two weeks: the rota's gaps."""
    return (
        Shift.objects.visible_to(user)
        .published()
        .open()
        .filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=ROTA_HORIZON_DAYS))
        .order_by("starts_at", "pk")
    )


def far_check_ins(user, now):
    """Check-ins sent from far away in the last two weeks, for staff to look at."""
    return (
        Shift.objects.visible_to(user)
        .filter(check_in_far=True, starts_at__gte=now - timedelta(days=ROTA_HORIZON_DAYS))
        .order_by("-starts_at", "pk")
    )


def missed_shifts(user, now):
    """Shifts nobody checked in to, in the last two weeks."""
    return (
        Shift.objects.visible_to(user)
        .filter(
            status=ShiftStatus.MISSED,
            starts_at__gte=now - timedelta(days=ROTA_HORIZON_DAYS),
        )
        .order_by("-starts_at", "pk")
    )


CASES = _("Cases")
DECISIONS = _("Decisions")
DUTY = _("Duty")

QUEUES = {
    queue.key: queue
    for queue in [
        Queue("new", _("New cases to assign"), CASES, new_cases, "cases.change_case", "assign"),
        Queue(
            "returned",
            _("Returned cases to assign again"),
            CASES,
            returned_cases,
            "cases.change_case",
            "assign",
        ),
        Queue(
            "escalated",
            _("Not accepted in time"),
            CASES,
            escalated_cases,
            "cases.change_case",
            "reassign",
        ),
        Queue(
            "deadlines",
            _("Deadline warnings and overdue cases"),
            CASES,
            deadline_cases,
            "cases.change_case",
            "supervise",
        ),
        Queue(
            "supervised",
            _("Cases under supervision"),
            CASES,
            supervised_cases,
            "cases.change_case",
            "unsupervise",
        ),
        Queue(
            "follow-ups",
            _("Return visits due and overdue"),
            CASES,
            follow_ups,
            "cases.change_followup",
            "follow_up",
        ),
        Queue(
            "extensions",
            _("Extension requests"),
            DECISIONS,
            extension_requests,
            "cases.change_extensionrequest",
            "extension",
        ),
        Queue(
            "referrals",
            _("Referrals to decide"),
            DECISIONS,
            referrals,
            "cases.change_referral",
            "referral",
        ),
        Queue(
            "leave",
            _("Leave requests"),
            DECISIONS,
            leave_requests,
            "assistants.change_unavailability",
            "leave",
        ),
        Queue(
            "swaps",
            _("Swaps to approve"),
            DECISIONS,
            swap_requests,
            "assistants.change_swaprequest",
            "swap",
        ),
        Queue(
            "open-shifts",
            _("Open shifts in the coming two weeks"),
            DUTY,
            open_shifts,
            "assistants.change_shift",
            "open_shift",
        ),
        Queue(
            "far-check-ins",
            _("Check-ins far from the point"),
            DUTY,
            far_check_ins,
            "assistants.change_shift",
            "shift",
        ),
        Queue(
            "missed",
            _("Missed shifts"),
            DUTY,
            missed_shifts,
            "assistants.change_shift",
            "shift",
        ),
    ]
}


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int

    @property
    def shown(self) -> str:
        return f"{COUNT_CAP - 1}+" if self.count >= COUNT_CAP else str(self.count)


def bounded_count(queryset) -> int:
    """How many rows, counted up to COUNT_CAP only: the query stops at the cap."""
    return len(queryset.order_by().values_list("pk", flat=True)[:COUNT_CAP])


def queue_counts(user, now=None) -> list[QueueCount]:
    """Every queue's bounded size: one short query per queue, whatever the data size."""
    now = now or timezone.now()
    return [QueueCount(queue, bounded_count(queue.rows(user, now))) for queue in QUEUES.values()]
