"""What an assistant asks of staff from the phone: days off, more time on a case.

Both go through their service (assistants.shifts.request_leave, cases.deadlines.
request_extension), which writes the row staff decide on and, through the event table, tells
them. A retried form creates nothing new: the service refuses a second overlapping leave and
a second waiting extension with a message that says so.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assistants import shifts as shift_service
from assistants.models import Unavailability
from cases import deadlines
from cases.choices import CaseState

from ..forms import ExtensionForm, LeaveForm
from .access import _error_messages, assistant_page
from .cases import _visible_case_or_404

MY_LEAVE_SHOWN = 20
# The states in which a case has a lead who still works on it.
LEAD_STATES = (CaseState.ASSIGNED, CaseState.IN_PROGRESS)


@require_http_methods(["GET", "POST"])
@assistant_page
def leave(request):
    """Ask for leave, and see my recent requests and how they were decided."""
    # Queries (GET): session, user, assistant, my newest leave rows.
    form = LeaveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                shift_service.request_leave(assistant=request.assistant, **form.cleaned_data)
            except ValidationError as error:
                for message in _error_messages(error):
                    form.add_error(None, message)
                status = 409
            else:
                messages.success(request, _("Your leave request is sent; staff will decide on it."))
                return redirect("mobile:leave")
        else:
            status = 400
    mine = Unavailability.objects.visible_to(request.user).filter(assistant=request.assistant)
    return render(
        request,
        "mobile/leave.html",
        {"form": form, "requests": mine.order_by("-starts_on", "-pk")[:MY_LEAVE_SHOWN]},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@assistant_page
def extension(request, pk):
    """Ask staff for more working days on one of my open cases, saying why."""
    # Queries (GET): session, user, assistant, case.
    case = _visible_case_or_404(request, pk)
    if case.lead_id != request.assistant.pk or case.state not in LEAD_STATES:
        messages.error(request, _("Only the lead of an open case can ask for more time."))
        return redirect("mobile:case_detail", pk=case.pk)
    form = ExtensionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deadlines.request_extension(
                    case=case,
                    assistant=request.assistant,
                    extra_workdays=form.cleaned_data["extra_workdays"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                for message in _error_messages(error):
                    form.add_error(None, message)
                status = 409
            else:
                messages.success(
                    request, _("Your request for more time is sent; staff will decide on it.")
                )
                return redirect("mobile:case_detail", pk=case.pk)
        else:
            status = 400
    return render(request, "mobile/extension.html", {"case": case, "form": form}, status=status)
