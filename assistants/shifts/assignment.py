"""Staff put an assistant on a shift."""

from django.utils import timezone

from talentoffice import events

from ..choices import ShiftEventKind, ShiftStatus
from ..models import Shift
from .common import give_shift, lock_shift, log_event, require_staff, withdraw_live_swaps
from .errors import ShiftNotAssignable
from .suitability import check_suitable


@events.step
def assign_shift(*, shift, assistant, by) -> Shift:
    """Staff put an assistant on a shift (an open one, or in place of its current assistant)."""
    require_staff(by)
    shift = lock_shift(shift.pk)
    if shift.status != ShiftStatus.SCHEDULED:
        raise ShiftNotAssignable()
    if shift.assistant_id == assistant.pk:
        return shift
    check_suitable(shift=shift, assistant=assistant)
    now = timezone.now()
    previous = shift.assistant
    give_shift(shift, assistant)
    withdraw_live_swaps([shift.pk], actor=by, now=now)
    if previous is not None:
        log_event(shift, ShiftEventKind.UNASSIGNED, actor=by, assistant=previous, at=now)
    log_event(shift, ShiftEventKind.ASSIGNED, actor=by, assistant=assistant, at=now)
    return shift
