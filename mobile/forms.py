"""Forms of the assistants' mobile pages; each control carries a stable data-testid.

The forms only read and shape what was typed; every rule about shifts, cases and visits stays
in its service module (assistants.shifts, cases.workflow, cases.visits, cases.intake).
"""

import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistants.choices import UnavailabilityKind
from cases.choices import CaseOutcome, CaseSource, FollowUpMethod, VisitKind
from cases.models import ServiceItem
from talentoffice.models import Street
from talentoffice.validators import validate_programme_date
from talentoffice.widgets import ISODateInput

# Case sources an assistant can meet in person; hotline, partner and public-form cases reach
# them through staff.
IN_PERSON_SOURCES = [
    (CaseSource.COMMUNITY_POINT, CaseSource.COMMUNITY_POINT.label),
    (CaseSource.SERVICE_WINDOW, CaseSource.SERVICE_WINDOW.label),
    (CaseSource.ENTERPRISE_VISIT, CaseSource.ENTERPRISE_VISIT.label),
    (CaseSource.COUNCIL_MEETING, CaseSource.COUNCIL_MEETING.label),
]


def testid(name: str, **attrs) -> dict:
    """Widget attributes with the data-testid the browser tests find the control by."""
    return {"data-testid": name} | attrs


class MobileLoginForm(AuthenticationForm):
    """Username or mobile number, and password."""

    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(
            attrs=testid(
                "login-username", autofocus=True, autocomplete="username", autocapitalize="none"
            )
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs=testid("login-password", autocomplete="current-password")),
    )


class MobilePasswordChangeForm(PasswordChangeForm):
    """Django's password change, with test ids on its three fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, testid_name in [
            ("old_password", "password-old"),
            ("new_password1", "password-new1"),
            ("new_password2", "password-new2"),
        ]:
            self.fields[name].widget.attrs["data-testid"] = testid_name


class CheckInForm(forms.Form):
    """The browser's location, when the assistant allowed the page to read it."""

    latitude = forms.DecimalField(required=False, max_digits=12, decimal_places=8)
    longitude = forms.DecimalField(required=False, max_digits=12, decimal_places=8)


class OfferShiftForm(forms.Form):
    """Offer a shift to one colleague, or to every suitable colleague when none is chosen."""

    to_assistant = forms.ModelChoiceField(
        label=_("Offer to"),
        queryset=None,
        required=False,
        empty_label=_("Any suitable colleague"),
        widget=forms.Select(attrs=testid("offer-to")),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=testid("offer-note")),
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_assistant"].queryset = colleagues


class CaseFilterForm(forms.Form):
    """The filters of the case list: state and due date."""

    DUE_CHOICES = [
        ("", _("Any due date")),
        ("overdue", _("Overdue")),
        ("week", _("Due within 7 days")),
    ]
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[],
        widget=forms.Select(attrs=testid("case-filter-state")),
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=DUE_CHOICES,
        widget=forms.Select(attrs=testid("case-filter-due")),
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Open cases")), ("all", _("All states")), *states]


class CaseActionForm(forms.Form):
    """One workflow step from the case page, with the state the page showed (to catch races)."""

    action = forms.CharField(max_length=20)
    state = forms.CharField(max_length=12)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs=testid("case-return-reason", rows=2)),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", "—"), *CaseOutcome.choices],
        widget=forms.Select(attrs=testid("case-resolve-outcome")),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=testid("case-note", rows=3)),
    )


class FollowUpForm(forms.Form):
    """The return visit: how, how satisfied, and whether the problem stays solved."""

    method = forms.ChoiceField(
        label=_("How did you reach them?"),
        choices=FollowUpMethod.choices,
        widget=forms.RadioSelect(attrs=testid("follow-up-method")),
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1 = very unhappy, 5 = very happy)"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect(attrs=testid("follow-up-satisfaction")),
    )
    still_solved = forms.TypedChoiceField(
        label=_("Does the problem stay solved?"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes, still solved")), ("no", _("No, it came back"))],
        widget=forms.RadioSelect(attrs=testid("follow-up-still-solved")),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=testid("follow-up-notes", rows=3)),
    )


class VisitForm(forms.Form):
    """A visit as typed on a phone; its target is "case:<id>", "enterprise:<id>" or "resident:<id>".

    The idempotency key is made when the form is drawn and travels with every retry of it.
    """

    idempotency_key = forms.CharField(
        max_length=64, widget=forms.HiddenInput(attrs=testid("visit-idempotency-key"))
    )
    # Checked by looking the target up among the assistant's own (views._visit_target), so a
    # choice found by search is accepted too, not only the ones listed when the page was made.
    target = forms.CharField(
        label=_("Case, enterprise or household"),
        max_length=40,
        widget=forms.Select(attrs=testid("visit-target")),
        error_messages={"required": _("Choose the case, enterprise or household visited.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of visit"),
        choices=VisitKind.choices,
        widget=forms.Select(attrs=testid("visit-kind")),
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        validators=[validate_programme_date],
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            format="%Y-%m-%dT%H:%M", attrs=testid("visit-occurred-at", type="datetime-local")
        ),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs=testid("visit-duration", inputmode="numeric")),
    )
    people_present = forms.IntegerField(
        label=_("People present"),
        min_value=1,
        max_value=1000,
        widget=forms.NumberInput(attrs=testid("visit-people", inputmode="numeric")),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=testid("visit-notes", rows=4)),
    )

    def __init__(self, *args, target_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].widget.choices = [("", "—"), *target_choices]

    @staticmethod
    def fresh_initial(**extra) -> dict:
        """What a new form starts with: a new submission key and the time now."""
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {
            "idempotency_key": uuid.uuid4().hex,
            "occurred_at": now,
            "duration_minutes": 30,
            "people_present": 1,
        } | extra


class NewCaseForm(forms.Form):
    """A case opened on the spot: for a known requester, or a new resident or enterprise."""

    REQUESTER_KINDS = [
        ("resident", _("A resident or household")),
        ("enterprise", _("An enterprise")),
    ]

    requester = forms.CharField(required=False, widget=forms.HiddenInput)
    # Not required: the radios are not drawn once a known requester was chosen from a search.
    # Left empty for a new requester, it means a resident (the radios start there anyway).
    requester_kind = forms.ChoiceField(
        label=_("Who is asking?"),
        choices=REQUESTER_KINDS,
        initial="resident",
        required=False,
        widget=forms.RadioSelect(attrs=testid("case-new-kind")),
    )
    name = forms.CharField(
        label=_("Name of the resident or enterprise"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=testid("case-new-name")),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=testid("case-new-phone", inputmode="tel")),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=testid("case-new-credit-code", autocapitalize="characters")),
    )
    street = forms.ModelChoiceField(
        label=_("Street"),
        queryset=Street.objects.order_by("name"),
        required=False,
        widget=forms.Select(attrs=testid("case-new-street")),
    )
    service_item = forms.ModelChoiceField(
        label=_("Service item"),
        queryset=ServiceItem.objects.active().select_related("category"),
        widget=forms.Select(attrs=testid("case-new-item")),
    )
    source = forms.ChoiceField(
        label=_("Where did you meet them?"),
        choices=IN_PERSON_SOURCES,
        widget=forms.Select(attrs=testid("case-new-source")),
    )
    title = forms.CharField(
        label=_("Title"), max_length=150, widget=forms.TextInput(attrs=testid("case-new-title"))
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=testid("case-new-description", rows=4)),
    )


class LeaveForm(forms.Form):
    """Days off asked for on the phone; the overlap and date-order rules are the service's."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=UnavailabilityKind.choices,
        initial=UnavailabilityKind.LEAVE,
        widget=forms.Select(attrs=testid("leave-kind")),
    )
    starts_on = forms.DateField(
        label=_("First day"),
        input_formats=["%Y-%m-%d"],
        widget=ISODateInput(attrs=testid("leave-starts-on")),
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        input_formats=["%Y-%m-%d"],
        widget=ISODateInput(attrs=testid("leave-ends-on")),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs=testid("leave-reason")),
    )

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        # Leave is asked for ahead; days already past are settled by attendance, not leave.
        if day < timezone.localdate():
            raise forms.ValidationError(
                _("Leave cannot start in the past."), code="leave_in_the_past"
            )
        validate_programme_date(day)
        return day

    def clean_ends_on(self):
        day = self.cleaned_data["ends_on"]
        validate_programme_date(day)
        return day


class ExtensionForm(forms.Form):
    """More working days for one of my cases, and why."""

    extra_workdays = forms.IntegerField(
        label=_("Extra working days"),
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs=testid("extension-days")),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs=testid("extension-reason", rows=3)),
    )
