"""The steps staff take on shifts, leave and swaps from the admin: one form, one service call.

The admin shows a shift's assistant and status, a leave's and a swap's status read-only; these
buttons are the only way the admin moves them, through `assistants.shifts`, so every change
writes its `ShiftEvent`, checks suitability, frees shifts and tells whom the event table says.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ServiceStep, StepForm

from . import shifts
from .choices import ShiftStatus, SwapStatus, UnavailabilityStatus
from .models import Assistant, Shift


class AssignShiftForm(StepForm):
    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields["assistant"] = forms.ModelChoiceField(
            label=_("assistant"),
            queryset=Assistant.objects.all(),
            widget=AutocompleteSelect(Shift._meta.get_field("assistant"), admin_site),
        )


class ConfirmStepForm(StepForm):
    pass


class NoteStepForm(StepForm):
    note = forms.CharField(
        label=_("note"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


def run_assign_shift(request, shift, data):
    shifts.assign_shift(shift=shift, assistant=data["assistant"], by=request.user)


def run_approve_leave(request, leave, data=None):
    shifts.approve_leave(unavailability=leave, by=request.user)


def run_reject_leave(request, leave, data=None):
    shifts.reject_leave(unavailability=leave, by=request.user)


def run_approve_swap(request, swap, data=None):
    shifts.approve_swap(swap=swap, by=request.user)


def run_reject_swap(request, swap, data=None):
    shifts.reject_swap(swap=swap, by=request.user, note=(data or {}).get("note", ""))


SHIFT_STEPS = {
    "assign": ServiceStep(
        _("Give the shift to an assistant"),
        AssignShiftForm,
        run_assign_shift,
        _("The shift is given to the assistant, who is told."),
        lambda shift: shift.status == ShiftStatus.SCHEDULED,
    ),
}

LEAVE_STEPS = {
    "approve": ServiceStep(
        _("Approve the leave"),
        ConfirmStepForm,
        run_approve_leave,
        _("The leave is approved; its shifts are open and offered."),
        lambda leave: leave.status == UnavailabilityStatus.REQUESTED,
    ),
    "reject": ServiceStep(
        _("Reject the leave"),
        ConfirmStepForm,
        run_reject_leave,
        _("The leave is rejected; the shifts stay as they are."),
        lambda leave: leave.status == UnavailabilityStatus.REQUESTED,
    ),
}

SWAP_STEPS = {
    "approve": ServiceStep(
        _("Approve the swap"),
        ConfirmStepForm,
        run_approve_swap,
        _("The swap is approved; both assistants are told."),
        lambda swap: swap.status == SwapStatus.ACCEPTED,
    ),
    "reject": ServiceStep(
        _("Reject the swap"),
        NoteStepForm,
        run_reject_swap,
        _("The swap is rejected; the shift stays with the assistant who offered it."),
        lambda swap: swap.status in (SwapStatus.OPEN, SwapStatus.ACCEPTED),
    ),
}
