"""The refusals of the shift services: one class per refusal, so callers can tell them apart and
show the message as it is."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ShiftError(ValidationError):
    """A shift operation refused; nothing was changed."""

    default_message = _("This cannot be done with this shift.")
    default_code = "shift_error"

    def __init__(self, message=None, *, code=None, params=None):
        super().__init__(
            message or self.default_message, code=code or self.default_code, params=params
        )


class NotAllowed(ShiftError):
    default_message = _("Only the organization department's staff may do this.")
    default_code = "not_allowed"


class NotYourShift(ShiftError):
    default_message = _("This is not your shift.")
    default_code = "not_your_shift"


class ShiftNotOfferable(ShiftError):
    default_message = _("Only a published shift that has not started yet can be handed over.")
    default_code = "shift_not_offerable"


class ShiftNotAssignable(ShiftError):
    default_message = _("Only a scheduled shift can be given to an assistant.")
    default_code = "shift_not_assignable"


class NotSuitable(ShiftError):
    default_message = _("This assistant cannot take this shift.")
    default_code = "not_suitable"


class InactiveAssistant(NotSuitable):
    default_message = _("%(name)s is not serving in the programme at the moment.")
    default_code = "inactive_assistant"


class WrongSpecialty(NotSuitable):
    default_message = _("This shift needs a %(specialty)s assistant.")
    default_code = "wrong_specialty"


class NotDispatched(NotSuitable):
    default_message = _("%(name)s is not dispatched to %(point)s on %(date)s.")
    default_code = "not_dispatched"


class OnLeave(NotSuitable):
    default_message = _("%(name)s is on approved leave on %(date)s.")
    default_code = "on_leave"


class DoubleBooked(NotSuitable):
    default_message = _("%(name)s already has a shift at that time.")
    default_code = "double_booked"


class AlreadyOffered(ShiftError):
    default_message = _("This shift is already offered.")
    default_code = "already_offered"


class NotOffered(ShiftError):
    default_message = _("This shift was not offered to you.")
    default_code = "not_offered"


class OwnShift(ShiftError):
    default_message = _("You cannot take over your own shift.")
    default_code = "own_shift"


class SwapClosed(ShiftError):
    default_message = _("This swap request is no longer waiting for that step.")
    default_code = "swap_closed"


class SwapStale(ShiftError):
    default_message = _(
        "The shift changed since it was offered (new holder, cancelled, or started)."
    )
    default_code = "swap_stale"


class LeaveError(ShiftError):
    default_message = _("This leave request cannot be handled that way.")
    default_code = "leave_error"


class LeaveOverlaps(LeaveError):
    default_message = _("There is already leave requested or approved on some of these days.")
    default_code = "leave_overlaps"


class LeaveDecided(LeaveError):
    default_message = _("This leave request has already been decided.")
    default_code = "leave_decided"


class CheckInError(ShiftError):
    default_message = _("You cannot check in to this shift.")
    default_code = "check_in_error"


class OutsideCheckInWindow(CheckInError):
    default_message = _("Check-in is open from %(opens)s until the shift ends at %(closes)s.")
    default_code = "outside_check_in_window"


class AlreadyCheckedIn(CheckInError):
    default_message = _("You have already checked in to this shift.")
    default_code = "already_checked_in"


class NotCheckedIn(CheckInError):
    default_message = _("Check in before checking out.")
    default_code = "not_checked_in"


class BadLocation(CheckInError):
    default_message = _("The location sent with the check-in is not valid.")
    default_code = "bad_location"
