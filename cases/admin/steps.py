"""The case page's workflow steps: one small form and one service call per button."""

from dataclasses import dataclass

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty
from assistants.models import Assistant

from .. import deadlines, referrals, workflow
from ..choices import CaseOutcome, CaseState, FollowUpMethod
from ..models import Case, Referral
from .common import OPEN_STATES, WorkflowForm, lead_field


class AssignForm(WorkflowForm):
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields = {
            "lead": lead_field(admin_site, _("lead assistant")),
            "helpers": forms.ModelMultipleChoiceField(
                label=_("helpers"),
                queryset=Assistant.objects.all(),
                required=False,
                widget=AutocompleteSelectMultiple(Case._meta.get_field("helpers"), admin_site),
            ),
            **self.fields,
        }


class ReassignForm(WorkflowForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields = {"lead": lead_field(admin_site, _("new lead assistant")), **self.fields}


class ConfirmForm(WorkflowForm):
    pass


class ReasonForm(WorkflowForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(WorkflowForm):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(WorkflowForm):
    outcome = forms.ChoiceField(label=_("outcome"), choices=CaseOutcome.choices)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(WorkflowForm):
    method = forms.ChoiceField(label=_("method"), choices=FollowUpMethod.choices)
    satisfaction = forms.TypedChoiceField(
        label=_("satisfaction (1–5)"), choices=[(n, n) for n in range(1, 6)], coerce=int
    )
    still_solved = forms.TypedChoiceField(
        label=_("problem stays solved"),
        choices=[("yes", _("yes")), ("no", _("no, reopen the case"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _staff_note(*, case, by, text):
    workflow.add_note(case=case, by=by, note=text)


def run_assign(request, case, data):
    workflow.assign_case(
        case=case, lead=data["lead"], by=request.user, helpers=data["helpers"], note=data["note"]
    )


def run_reassign(request, case, data):
    workflow.reassign_case(case=case, lead=data["lead"], by=request.user, reason=data["reason"])


def _lead_or_refuse(case, to_state):
    if case.lead is None:
        raise workflow.IllegalTransition(case, to_state)
    return case.lead


@transaction.atomic
def run_accept(request, case, data):
    # Staff sign for a lead who called in (e.g. without a phone at hand); the timeline keeps
    # both: the acceptance in the lead's name and a note saying which staff member did it.
    lead = _lead_or_refuse(case, CaseState.IN_PROGRESS)
    workflow.accept_case(case=case, assistant=lead)
    _staff_note(
        case=case,
        by=request.user,
        text=gettext("Accepted on behalf of %(lead)s by staff.") % {"lead": lead.name},
    )


@transaction.atomic
def run_return(request, case, data):
    lead = _lead_or_refuse(case, CaseState.NEW)
    workflow.return_case(case=case, assistant=lead, reason=data["reason"])
    _staff_note(
        case=case,
        by=request.user,
        text=gettext("Returned on behalf of %(lead)s by staff.") % {"lead": lead.name},
    )


def run_resolve(request, case, data):
    workflow.resolve_case(case=case, outcome=data["outcome"], by=request.user, note=data["note"])


@transaction.atomic
def run_follow_up(request, case, data):
    follow_up = case.follow_ups.filter(done_at__isnull=True).order_by("due_on", "pk").first()
    if follow_up is None:
        raise workflow.CaseError(
            gettext("This case has no return visit waiting; only a resolved case has one."),
            code="no_follow_up",
        )
    workflow.record_follow_up(
        follow_up=follow_up,
        method=data["method"],
        satisfaction=data["satisfaction"],
        still_solved=data["still_solved"],
        notes=data["notes"],
    )
    _staff_note(case=case, by=request.user, text=gettext("Return visit recorded by staff."))


def run_close(request, case, data):
    workflow.close_case(case=case, by=request.user)


def run_note(request, case, data):
    workflow.add_note(case=case, by=request.user, note=data["note"])


def run_supervise(request, case, data):
    deadlines.supervise_case(case=case, by=request.user, note=data["note"])


def run_unsupervise(request, case, data):
    deadlines.unsupervise(case=case, by=request.user, note=data["note"])


class ReferForm(WorkflowForm):
    """Refer to the other specialty or to a named department; `referrals` checks that it is
    exactly one of them, so the rule and its message live in one place."""

    to_specialty = forms.ChoiceField(
        label=_("to the other specialty"),
        choices=[("", "—"), *Specialty.choices],
        required=False,
    )
    to_department = forms.CharField(
        label=_("or to a department"),
        max_length=Referral._meta.get_field("to_department").max_length,
        required=False,
        help_text=_("The government department's name, e.g. the district housing bureau."),
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


def run_refer(request, case, data):
    referrals.refer_case(
        case=case,
        by=request.user,
        reason=data["reason"],
        to_specialty=data["to_specialty"],
        to_department=data["to_department"],
    )


class OptionalNoteForm(WorkflowForm):
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@dataclass(frozen=True)
class WorkflowStep:
    """A button on the case page: its form, the service call, and when it is offered."""

    label: str
    form: type
    run: object
    done: str
    states: tuple = ()
    supervised: bool | None = None

    def offered_for(self, case):
        if self.supervised is not None and case.supervised != self.supervised:
            return False
        return not self.states or case.state in self.states


WORKFLOW_STEPS = {
    "assign": WorkflowStep(
        _("Assign to a lead"), AssignForm, run_assign, _("The case is assigned."), (CaseState.NEW,)
    ),
    "reassign": WorkflowStep(
        _("Reassign"),
        ReassignForm,
        run_reassign,
        _("The case is reassigned."),
        (CaseState.ASSIGNED, CaseState.IN_PROGRESS),
    ),
    "accept": WorkflowStep(
        _("Accept for the lead"),
        ConfirmForm,
        run_accept,
        _("The case is accepted and in progress."),
        (CaseState.ASSIGNED,),
    ),
    "return": WorkflowStep(
        _("Return for the lead"),
        ReasonForm,
        run_return,
        _("The case is returned and waits for a new lead."),
        (CaseState.ASSIGNED,),
    ),
    "resolve": WorkflowStep(
        _("Resolve"),
        ResolveForm,
        run_resolve,
        _("The case is resolved."),
        (CaseState.IN_PROGRESS,),
    ),
    "follow_up": WorkflowStep(
        _("Record the return visit"),
        FollowUpForm,
        run_follow_up,
        _("The return visit is recorded."),
        (CaseState.RESOLVED,),
    ),
    "close": WorkflowStep(
        _("Close"),
        ConfirmForm,
        run_close,
        _("The case is closed."),
        (CaseState.RESOLVED, CaseState.FOLLOWED_UP),
    ),
    "refer": WorkflowStep(
        _("Refer"),
        ReferForm,
        run_refer,
        _("The referral is recorded and waits for a decision."),
        (CaseState.IN_PROGRESS,),
    ),
    "supervise": WorkflowStep(
        _("Supervise"),
        NoteForm,
        run_supervise,
        _("The case is under supervision."),
        OPEN_STATES,
    ),
    "unsupervise": WorkflowStep(
        _("Lift supervision"),
        OptionalNoteForm,
        run_unsupervise,
        _("The supervision is lifted."),
        supervised=True,
    ),
    "note": WorkflowStep(_("Add a note"), NoteForm, run_note, _("The note is added.")),
}
