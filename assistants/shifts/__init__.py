"""The life of one shift after the rota is published: swaps, leave, staff assignment, attendance.

Every function here is the single place its rule lives; admin actions, mobile pages, the API and
Celery tasks all call them. Each step writes a `ShiftEvent`, and each change a subscribed calendar
should see bumps `Shift.sequence` (RFC 5545 SEQUENCE) so phones replace their copy.

Functions that change a shift first lock its row (`select_for_update`): two colleagues accepting
the same offer, or staff assigning while a swap completes, then run one after the other and the
second one sees the first one's result. Locks are always taken shift first, then swap request, so
two of these functions never wait on each other in opposite orders.

One module per topic: `errors` (the refusals), `suitability` (who may take a shift), `swaps`,
`assignment` (by staff), `leave`, `attendance`, and `common` (the locks and the history row they
share). Callers may import every service and refusal from this package.
"""

from .assignment import assign_shift
from .attendance import (
    CHECK_IN_OPENS_BEFORE,
    check_in,
    check_out,
    distance_metres,
    mark_missed_shifts,
)
from .common import LIVE_SWAP_STATUSES
from .errors import (
    AlreadyCheckedIn,
    AlreadyOffered,
    BadLocation,
    CheckInError,
    DoubleBooked,
    InactiveAssistant,
    LeaveDecided,
    LeaveError,
    LeaveOverlaps,
    NotAllowed,
    NotCheckedIn,
    NotDispatched,
    NotOffered,
    NotSuitable,
    NotYourShift,
    OnLeave,
    OutsideCheckInWindow,
    OwnShift,
    ShiftError,
    ShiftNotAssignable,
    ShiftNotOfferable,
    SwapClosed,
    SwapStale,
    WrongSpecialty,
)
from .leave import approve_leave, reject_leave, request_leave
from .suitability import check_suitable, some_suitable_colleagues, suitable_colleagues
from .swaps import accept_swap, approve_swap, cancel_swap, offer_shift, reject_swap

__all__ = [
    "CHECK_IN_OPENS_BEFORE",
    "LIVE_SWAP_STATUSES",
    "AlreadyCheckedIn",
    "AlreadyOffered",
    "BadLocation",
    "CheckInError",
    "DoubleBooked",
    "InactiveAssistant",
    "LeaveDecided",
    "LeaveError",
    "LeaveOverlaps",
    "NotAllowed",
    "NotCheckedIn",
    "NotDispatched",
    "NotOffered",
    "NotSuitable",
    "NotYourShift",
    "OnLeave",
    "OutsideCheckInWindow",
    "OwnShift",
    "ShiftError",
    "ShiftNotAssignable",
    "ShiftNotOfferable",
    "SwapClosed",
    "SwapStale",
    "WrongSpecialty",
    "accept_swap",
    "approve_leave",
    "approve_swap",
    "assign_shift",
    "cancel_swap",
    "check_in",
    "check_out",
    "check_suitable",
    "distance_metres",
    "mark_missed_shifts",
    "offer_shift",
    "reject_leave",
    "reject_swap",
    "request_leave",
    "some_suitable_colleagues",
    "suitable_colleagues",
]
