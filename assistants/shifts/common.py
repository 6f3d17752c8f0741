"""What the shift services share: the row locks, the history row, handing a shift over, and
withdrawing offers whose shift changed hands."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..choices import ShiftEventKind, ShiftStatus, SwapStatus
from ..models import Shift, ShiftEvent, SwapRequest
from .errors import DoubleBooked, NotAllowed

LIVE_SWAP_STATUSES = (SwapStatus.OPEN, SwapStatus.ACCEPTED)


def require_staff(user):
    """Refuse anyone but active district staff."""
    if user is None or not (user.is_active and user.is_staff):
        raise NotAllowed()


def lock_shift(shift_id) -> Shift:
    """Re-read the shift under a row lock, with its rota, point and assistant."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to rota.
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("rota", "service_point", "assistant")
        .get(pk=shift_id)
    )


def lock_swap(swap_id) -> SwapRequest:
    """Re-read the swap request under a row lock, with its three assistants."""
    return (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("requested_by", "offered_to", "accepted_by")
        .get(pk=swap_id)
    )


def is_published(shift) -> bool:
    """A shift outside any rota, or in a published one, is binding."""
    return shift.rota_id is None or shift.rota.is_published


def log_event(shift, kind, *, actor=None, assistant=None, note="", at=None) -> ShiftEvent:
    """Write one row of the shift's history (the event table tells of it)."""
    return ShiftEvent.objects.create(
        shift=shift,
        kind=kind,
        actor=actor,
        assistant=assistant,
        note=str(note)[:300],
        at=at or timezone.now(),
    )


def give_shift(shift, assistant) -> None:
    """Put the shift in another assistant's hands, letting the database have the last word."""
    shift.assistant = assistant
    shift.sequence += 1
    try:
        # A savepoint, so the surrounding transaction survives the refusal and can report it.
        with transaction.atomic():
            shift.save(update_fields=["assistant", "sequence", "updated_at"])
    except IntegrityError as error:
        # check_suitable looked first; this catches a booking committed in between by another
        # transaction, which the exclusion constraint (trigger on SQLite) refuses.
        if assistant is not None and "shift_no_double_booking" in str(error):
            raise DoubleBooked(params={"name": assistant.name}) from error
        raise


def offerable(shift, now) -> bool:
    """A published, scheduled shift that has not started may change hands."""
    return shift.status == ShiftStatus.SCHEDULED and is_published(shift) and shift.starts_at > now


def withdraw_live_swaps(shift_ids, *, actor, now) -> None:
    """Withdraw offers on shifts whose holder changed under them: nobody may accept them now."""
    live = SwapRequest.objects.filter(shift_id__in=shift_ids, status__in=LIVE_SWAP_STATUSES)
    withdrawn = list(live.values_list("shift_id", "requested_by_id"))
    if not withdrawn:
        return
    live.update(status=SwapStatus.CANCELLED, updated_at=now)
    ShiftEvent.objects.bulk_create(
        ShiftEvent(
            shift_id=shift_id,
            kind=ShiftEventKind.SWAP_CANCELLED,
            actor=actor,
            assistant_id=requested_by_id,
            at=now,
        )
        for shift_id, requested_by_id in withdrawn
    )
