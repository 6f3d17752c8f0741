"""Leave: an assistant asks for days off; staff approve (which frees the shifts of those days)
or turn it down."""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice import events
from talentoffice.audit import log_bulk_changes

from ..choices import ShiftEventKind, ShiftStatus, UnavailabilityStatus
from ..models import Assistant, Shift, ShiftEvent, Unavailability
from .common import require_staff, withdraw_live_swaps
from .errors import LeaveDecided, LeaveError, LeaveOverlaps


@events.step
def request_leave(*, assistant, kind, starts_on, ends_on, reason="") -> Unavailability:
    """An assistant (or staff for them) asks for days off; nothing is blocked until approved."""
    if ends_on < starts_on:
        raise LeaveError(_("Leave cannot end before it starts."), code="leave_ends_before_start")
    # Lock the assistant row so two requests sent at once cannot both pass the overlap check.
    Assistant.objects.select_for_update().filter(pk=assistant.pk).first()
    overlapping = (
        Unavailability.objects.filter(assistant=assistant)
        .exclude(status=UnavailabilityStatus.REJECTED)
        .overlapping(starts_on, ends_on)
    )
    if overlapping.exists():
        raise LeaveOverlaps()
    leave = Unavailability(
        assistant=assistant, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    leave.full_clean()
    leave.save()
    return leave


def _lock_leave(leave_id) -> Unavailability:
    return (
        Unavailability.objects.select_for_update(of=("self",))
        .select_related("assistant")
        .get(pk=leave_id)
    )


@events.step
def approve_leave(*, unavailability, by) -> list[int]:
    """Staff approve leave: the assistant's future shifts on those days become open, staff told.

    Returns the ids of the shifts that were opened.
    """
    require_staff(by)
    leave = _lock_leave(unavailability.pk)
    if leave.status != UnavailabilityStatus.REQUESTED:
        raise LeaveDecided()
    now = timezone.now()
    leave.status = UnavailabilityStatus.APPROVED
    leave.decided_by = by
    leave.decided_at = now
    leave.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])

    # Shifts already started stay: they are under way or over, and attendance tells the rest.
    # Locked in id order, so a concurrent swap on one of them waits instead of deadlocking.
    opened = list(
        Shift.objects.select_for_update(of=("self",))
        .filter(
            assistant=leave.assistant,
            status=ShiftStatus.SCHEDULED,
            date__range=(leave.starts_on, leave.ends_on),
            starts_at__gt=now,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not opened:
        return []
    Shift.objects.filter(pk__in=opened).update(
        assistant=None, sequence=F("sequence") + 1, updated_at=now
    )
    # The audit trail sees no signal from update(); the old assistant is known.
    log_bulk_changes(
        model=Shift,
        changes_by_pk={pk: {"assistant": (leave.assistant_id, None)} for pk in opened},
    )
    withdraw_live_swaps(opened, actor=by, now=now)
    freed = ShiftEvent.objects.bulk_create(
        ShiftEvent(
            shift_id=shift_id,
            kind=ShiftEventKind.OPENED_BY_LEAVE,
            actor=by,
            assistant=leave.assistant,
            note=f"{leave.starts_on:%Y-%m-%d}–{leave.ends_on:%Y-%m-%d}",
            at=now,
        )
        for shift_id in opened
    )
    # Written in bulk, so no signal tells of them: each freed shift goes to the assistant's
    # partner, and staff hear once of the whole leave, after commit.
    events.announce(freed)
    events.announce([leave], kind="freed_shifts")
    return opened


@events.step
def reject_leave(*, unavailability, by) -> Unavailability:
    """Staff turn a leave request down; the assistant's shifts stay as they are."""
    require_staff(by)
    leave = _lock_leave(unavailability.pk)
    if leave.status != UnavailabilityStatus.REQUESTED:
        raise LeaveDecided()
    leave.status = UnavailabilityStatus.REJECTED
    leave.decided_by = by
    leave.decided_at = timezone.now()
    leave.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return leave
