"""Swaps: an assistant offers a shift, a colleague takes it up, staff approve where the point
wants it."""

from django.utils import timezone

from talentoffice import events

from ..choices import ShiftEventKind, SwapStatus
from ..models import SwapRequest
from .common import (
    LIVE_SWAP_STATUSES,
    give_shift,
    lock_shift,
    lock_swap,
    log_event,
    offerable,
    require_staff,
)
from .errors import (
    AlreadyOffered,
    NotOffered,
    NotYourShift,
    OwnShift,
    ShiftNotOfferable,
    SwapClosed,
    SwapStale,
)
from .suitability import check_suitable


@events.step
def offer_shift(*, shift, by_assistant, to_assistant=None, note="") -> SwapRequest:
    """The shift's assistant offers it to a named colleague, or to every suitable colleague."""
    shift = lock_shift(shift.pk)
    if shift.assistant_id != by_assistant.pk:
        raise NotYourShift()
    if not offerable(shift, timezone.now()):
        raise ShiftNotOfferable()
    if to_assistant is not None:
        if to_assistant.pk == by_assistant.pk:
            raise OwnShift()
        check_suitable(shift=shift, assistant=to_assistant)
    # The shift row is locked, so this check and the insert cannot interleave with another offer;
    # the partial unique index stays as the backstop for any path that skips this function.
    if SwapRequest.objects.filter(shift=shift, status__in=LIVE_SWAP_STATUSES).exists():
        raise AlreadyOffered()
    swap = SwapRequest.objects.create(
        shift=shift, requested_by=by_assistant, offered_to=to_assistant, note=note
    )
    log_event(
        shift,
        ShiftEventKind.SWAP_OFFERED,
        actor=by_assistant.user,
        assistant=by_assistant,
        note=f"→ {to_assistant.name} {note}".strip() if to_assistant else note,
    )
    return swap


def _complete_swap(*, shift, swap, by=None, now) -> None:
    """Hand the shift to the colleague who accepted; the one step that changes the calendar."""
    previous = shift.assistant
    give_shift(shift, swap.accepted_by)
    swap.status = SwapStatus.APPROVED
    swap.decided_by = by
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    log_event(
        shift,
        ShiftEventKind.SWAP_APPROVED,
        actor=by,
        assistant=swap.accepted_by,
        note=f"{previous.name} → {swap.accepted_by.name}",
        at=now,
    )


@events.step
def accept_swap(*, swap, by_assistant) -> SwapRequest:
    """A colleague takes up an offer: done at once, or waiting for staff where the point says so."""
    shift = lock_shift(swap.shift_id)
    swap = lock_swap(swap.pk)
    now = timezone.now()
    if swap.status != SwapStatus.OPEN:
        raise SwapClosed()
    if swap.requested_by_id == by_assistant.pk:
        raise OwnShift()
    if swap.offered_to_id is not None and swap.offered_to_id != by_assistant.pk:
        raise NotOffered()
    if shift.assistant_id != swap.requested_by_id or not offerable(shift, now):
        raise SwapStale()
    check_suitable(shift=shift, assistant=by_assistant)
    swap.accepted_by = by_assistant
    swap.status = SwapStatus.ACCEPTED
    swap.save(update_fields=["accepted_by", "status", "updated_at"])
    log_event(
        shift,
        ShiftEventKind.SWAP_ACCEPTED,
        actor=by_assistant.user,
        assistant=by_assistant,
        at=now,
    )
    if not shift.service_point.swaps_need_approval:
        _complete_swap(shift=shift, swap=swap, now=now)
    return swap


@events.step
def approve_swap(*, swap, by) -> SwapRequest:
    """Staff approve an accepted swap; the colleague's suitability is checked again now."""
    require_staff(by)
    shift = lock_shift(swap.shift_id)
    swap = lock_swap(swap.pk)
    now = timezone.now()
    if swap.status != SwapStatus.ACCEPTED:
        raise SwapClosed()
    if shift.assistant_id != swap.requested_by_id or not offerable(shift, now):
        raise SwapStale()
    # Leave may have been approved, or another shift given, since the colleague accepted.
    check_suitable(shift=shift, assistant=swap.accepted_by)
    _complete_swap(shift=shift, swap=swap, by=by, now=now)
    return swap


@events.step
def reject_swap(*, swap, by, note="") -> SwapRequest:
    """Staff turn a swap down; the shift stays with the assistant who offered it."""
    require_staff(by)
    shift = lock_shift(swap.shift_id)
    swap = lock_swap(swap.pk)
    if swap.status not in LIVE_SWAP_STATUSES:
        raise SwapClosed()
    now = timezone.now()
    swap.status = SwapStatus.REJECTED
    swap.decided_by = by
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    log_event(
        shift,
        ShiftEventKind.SWAP_REJECTED,
        actor=by,
        assistant=swap.accepted_by,
        note=note,
        at=now,
    )
    return swap


@events.step
def cancel_swap(*, swap, by_assistant) -> SwapRequest:
    """The assistant who offered the shift withdraws the offer before it is done."""
    shift = lock_shift(swap.shift_id)
    swap = lock_swap(swap.pk)
    if swap.requested_by_id != by_assistant.pk:
        raise NotYourShift()
    if swap.status not in LIVE_SWAP_STATUSES:
        raise SwapClosed()
    swap.status = SwapStatus.CANCELLED
    swap.save(update_fields=["status", "updated_at"])
    log_event(shift, ShiftEventKind.SWAP_CANCELLED, actor=by_assistant.user, assistant=by_assistant)
    return swap
