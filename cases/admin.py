"""Admin pages for the service checklist, enterprises, residents and the case records.

Staff follow a case end to end here: the case page shows its timeline, visits, follow-ups,
referrals and extension requests, and its workflow buttons open small forms that call
`cases.workflow` (and `cases.deadlines`). A case's state, lead and dates are never edited as
fields: every change goes through the one state machine, which writes the timeline.
"""

import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from auditlog.models import LogEntry
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty
from assistants.models import Assistant
from talentoffice import audit
from talentoffice.admin_base import ProgrammeAdmin, RosterAdmin, ScopedTabularInline
from talentoffice.crypto import lookup_hash
from talentoffice.masking import mask_address, mask_id_number, mask_name, mask_phone
from talentoffice.pagination import EstimatedCountPaginator

from . import deadlines, liaison, meetings, privacy, referrals, visits, workflow
from .choices import CaseOutcome, CaseSource, CaseState, DecisionStatus, FollowUpMethod
from .models import (
    Case,
    CaseEvent,
    CouncilMeeting,
    Enterprise,
    EnterpriseLiaison,
    ExtensionRequest,
    FollowUp,
    PersonalDataAccess,
    Referral,
    Resident,
    ServiceCategory,
    ServiceItem,
    Visit,
    VisitAttachment,
)
from .resources import EnterpriseResource, ResidentExportResource, ResidentFullExportResource

OPEN_STATES = (CaseState.NEW, CaseState.ASSIGNED, CaseState.IN_PROGRESS)


class ServiceItemInline(ScopedTabularInline):
    model = ServiceItem
    extra = 0
    fields = [
        "code",
        "name",
        "specialty",
        "target_days",
        "follow_up_days",
        "is_financial",
        "active",
    ]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(ProgrammeAdmin):
    list_display = ["code", "name", "order"]
    search_fields = ["code", "name"]
    inlines = [ServiceItemInline]


@admin.register(ServiceItem)
class ServiceItemAdmin(ProgrammeAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "specialty",
        "target_days",
        "follow_up_days",
        "is_financial",
        "active",
    ]
    list_filter = ["category", "specialty", "is_financial", "active"]
    list_select_related = ["category"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["category"]


@admin.register(Enterprise)
class EnterpriseAdmin(RosterAdmin):
    resource_classes = [EnterpriseResource]
    list_display = ["name", "credit_code", "industry", "street", "contact_name"]
    list_filter = ["street"]
    list_select_related = ["street"]
    search_fields = ["name", "credit_code", "contact_phone"]
    autocomplete_fields = ["street"]


PERSONAL_FIELDS = ["phone", "address", "id_number"]
# The request whose resident page is being drawn (see ResidentAdmin.get_form).
_asking: ContextVar = ContextVar("resident_page_request")
ID_NUMBER_TERM = re.compile(r"^[1-9][0-9]{16}[0-9Xx]$")


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you need the full values, e.g. to call the resident about case TJ-…"),
    )

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class RevealStep:
    label: str


@admin.register(Resident)
class ResidentAdmin(ProgrammeAdmin):
    """Residents' phones, addresses and ID numbers are masked in lists, exports and on the page.

    Whoever holds `view_personal_data` may ask to see them in full on the page, giving a reason;
    the request is logged (cases.privacy) and the values show, editable, for a few minutes.
    """

    resource_classes = [ResidentExportResource, ResidentFullExportResource]
    list_display = [
        "name",
        "masked_phone",
        "community",
        "masked_address",
        "masked_id_number",
        "household_size",
    ]
    list_filter = ["community__street"]
    list_select_related = ["community__street"]
    search_fields = ["name", "phone"]
    search_help_text = _("Name, phone number or its last digits, or a full ID number.")
    autocomplete_fields = ["community"]

    @admin.display(description=_("phone"))
    def masked_phone(self, resident):
        return mask_phone(resident.phone)

    @admin.display(description=_("address"))
    def masked_address(self, resident):
        return mask_address(resident.address)

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, resident):
        return mask_id_number(resident.id_number) or "—"

    def get_search_results(self, request, queryset, search_term):
        # An ID number is stored encrypted: only a whole number is found, through its hash.
        term = search_term.strip()
        if ID_NUMBER_TERM.fullmatch(term):
            return queryset.filter(id_number_hash=lookup_hash(term.upper())), False
        return super().get_search_results(request, queryset, search_term)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "phone", "community", "address", "id_number", "household_size"]
        if privacy.is_revealed(request, obj):
            personal = PERSONAL_FIELDS
        else:
            personal = ["masked_phone", "masked_address", "masked_id_number"]
        return ["name", "community", "household_size", *personal, "personal_data", "anonymized_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "masked_phone",
            "masked_address",
            "masked_id_number",
            "personal_data",
            "anonymized_at",
        ]

    @admin.display(description=_("personal data"))
    def personal_data(self, resident):
        request = _asking.get()
        if privacy.is_revealed(request, resident):
            return gettext(
                "Shown in full for a few minutes; your request was logged. Reload later to mask."
            )
        if not privacy.can_view_in_full(request.user):
            return gettext("Masked. Your role does not show residents' personal data in full.")
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:cases_resident_reveal", args=[resident.pk]),
            gettext("Show in full (give a reason; logged)"),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The panel above needs to know who asks; admin display methods get only the object.
        # A context variable, not an attribute: this admin object serves every thread.
        _asking.set(request)
        return super().get_form(request, obj, change, **kwargs)

    def get_export_resource_classes(self, request):
        if privacy.can_export_in_full(request.user):
            return [ResidentExportResource, ResidentFullExportResource]
        return [ResidentExportResource]

    def get_urls(self):
        view = self.admin_site.admin_view(self.reveal_view)
        return [
            path("<path:object_id>/personal-data/", view, name="cases_resident_reveal"),
            *super().get_urls(),
        ]

    def reveal_view(self, request, object_id):
        """Ask for a resident's personal data in full: a reason, then a logged, timed view."""
        resident = self.get_object(request, unquote(object_id))
        if resident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not privacy.can_view_in_full(request.user):
            raise PermissionDenied
        change_url = reverse("admin:cases_resident_change", args=[resident.pk])
        form = RevealForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            privacy.reveal(request=request, resident=resident, reason=form.cleaned_data["reason"])
            return HttpResponseRedirect(change_url)
        step = RevealStep(gettext("Show personal data in full"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{resident} · {step.label}",
            "opts": self.opts,
            "original": resident,
            "step": step,
            "form": form,
            "media": self.media + form.media,
            "change_url": change_url,
            "state_line": gettext(
                "The phone, address and ID number will show for %(minutes)d minutes. "
                "Your name, the time and your reason are recorded."
            )
            % {"minutes": settings.PERSONAL_DATA_REVEAL_MINUTES},
            "suggestions": (),
        }
        return TemplateResponse(request, workflow_template(), context)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ProgrammeAdmin):
    """Who saw or exported residents' personal data in full, when and why; read-only."""

    list_display = ["at", "kind", "username", "resident_link", "rows", "reason", "remote_addr"]
    list_filter = ["kind"]
    list_select_related = ["resident"]
    search_fields = ["username", "reason", "=resident__id"]
    search_help_text = _("Username, words of the reason, or the resident's number.")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("resident"))
    def resident_link(self, access):
        if access.resident_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            admin_change_url(access.resident),
            mask_name(access.resident.name),
        )


class AuditTrailAdmin(admin.ModelAdmin):
    """The whole audit trail, searchable; nobody may add, change or delete an entry."""

    list_display = ["timestamp", "action", "resource", "actor_name", "remote_addr", "changed"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "actor"]
    search_fields = ["object_repr", "=object_pk", "actor__username", "=remote_addr"]
    search_help_text = _("Record name or number, username, or an exact address.")
    date_hierarchy = "timestamp"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    fields = [
        "timestamp",
        "action",
        "resource",
        "actor_name",
        "remote_addr",
        "cid",
        "changes_table",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    @admin.display(description=_("record"), ordering="object_repr")
    def resource(self, entry):
        label = f"{entry.content_type.name} · {entry.object_repr}"
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_history",
                args=[entry.object_pk],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("by"), ordering="actor__username")
    def actor_name(self, entry):
        name = entry.actor.get_username() if entry.actor_id else (entry.actor_email or "—")
        process = (entry.additional_data or {}).get("process")
        return f"{name} ({process})" if process else name

    @admin.display(description=_("changed fields"))
    def changed(self, entry):
        return ", ".join((entry.changes or {}).keys())[:120] or "—"

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        rows = audit.describe_entries([entry])[0]["rows"]
        return format_html_join(
            "",
            "<div><strong>{}</strong>: {} → {}</div>",
            ((row["label"], row["old"], row["new"]) for row in rows),
        )


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditTrailAdmin)


# --- shared pieces --------------------------------------------------------------------------


def admin_change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def masked_requester(case):
    """The requester as lists show it: a resident's name and phone masked, an enterprise's name."""
    if case.resident_id is not None:
        resident = case.resident
        return f"{mask_name(resident.name)} {mask_phone(resident.phone)}"
    if case.enterprise_id is not None:
        return case.enterprise.name
    return "—"


def state_label(value):
    return CaseState(value).label if value in CaseState.values else (value or "")


class ReadOnlyInline(ScopedTabularInline):
    """A history inline: rows are written by the services, never typed in here."""

    extra = 0
    can_delete = False
    select_related = ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each row shows its related people; joined here, or every row costs queries.
        return super().get_queryset(request).select_related(*self.select_related)


class CaseEventInline(ReadOnlyInline):
    """The case's timeline: who did what, when, from which state to which."""

    model = CaseEvent
    fields = ["at", "kind", "actor", "assistant", "from_label", "to_label", "note"]
    readonly_fields = fields
    # The tabular inline prints each row's __str__, which names the case.
    select_related = ["case", "actor", "assistant__partner"]
    verbose_name_plural = _("timeline")

    @admin.display(description=_("from"))
    def from_label(self, event):
        return state_label(event.from_state)

    @admin.display(description=_("to"))
    def to_label(self, event):
        return state_label(event.to_state)


class CaseVisitInline(ReadOnlyInline):
    model = Visit
    fields = ["occurred_at", "kind", "assistant", "duration_minutes", "people_present", "notes"]
    readonly_fields = fields
    select_related = ["assistant__partner"]
    show_change_link = True


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["due_on", "done_at", "method", "satisfaction", "still_solved", "by", "notes"]
    readonly_fields = fields
    select_related = ["case", "by__partner"]


class ReferralInline(ReadOnlyInline):
    model = Referral
    fields = [
        "created_at",
        "to_specialty",
        "to_department",
        "reason",
        "status",
        "decision_reason",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields
    select_related = ["case", "decided_by"]
    show_change_link = True


class ExtensionRequestInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = [
        "created_at",
        "requested_by",
        "extra_workdays",
        "reason",
        "status",
        "decision_reason",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields
    select_related = ["case", "requested_by__partner", "decided_by"]
    show_change_link = True


# --- workflow forms and actions --------------------------------------------------------------


class WorkflowForm(forms.Form):
    """A form for one workflow step; autocomplete widgets need the admin site."""

    def __init__(self, *args, admin_site, **kwargs):
        self.admin_site = admin_site
        super().__init__(*args, **kwargs)


def lead_field(admin_site, label):
    return forms.ModelChoiceField(
        label=label,
        queryset=Assistant.objects.all(),
        widget=AutocompleteSelect(Case._meta.get_field("lead"), admin_site),
    )


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

WORKFLOW_TEMPLATE = """{% extends "admin/base_site.html" %}
{% load i18n admin_urls %}
{% block extrahead %}{{ block.super }}{{ media }}{% endblock %}
{% block bodyclass %}{{ block.super }} app-{{ opts.app_label }} model-{{ opts.model_name }}
{% endblock %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">{% translate 'Home' %}</a>
&rsaquo; <a href="{% url 'admin:app_list' app_label=opts.app_label %}">
{{ opts.app_config.verbose_name }}</a>
&rsaquo; <a href="{% url opts|admin_urlname:'changelist' %}">
{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; <a href="{{ change_url }}">{{ original }}</a>
&rsaquo; {{ step.label }}</div>{% endblock %}
{% block content %}<div id="content-main">
<p>{{ state_line }}</p>
{% if suggestions %}<div class="module"><h2>{% translate "Suggested assistants" %}</h2><ul>
{% for suggestion in suggestions %}
<li>{{ suggestion.assistant }}: {{ suggestion.reasons|join:"; " }}</li>
{% endfor %}</ul></div>{% endif %}
<form method="post">{% csrf_token %}
{% if form.non_field_errors %}{{ form.non_field_errors }}{% endif %}
{% if form.fields %}<fieldset class="module aligned">{% for field in form %}
<div class="form-row">{{ field.errors }}
<div class="flex-container">{{ field.label_tag }} {{ field }}</div></div>
{% endfor %}</fieldset>{% endif %}
<div class="submit-row"><input type="submit" class="default" value="{{ step.label }}">
<a href="{{ change_url }}" class="closelink">{% translate 'Cancel' %}</a></div>
</form></div>{% endblock %}
"""


@cache
def workflow_template():
    """The page of one workflow step; kept here so the admin is one module (see the report)."""
    return engines["django"].from_string(WORKFLOW_TEMPLATE)


# --- cases -----------------------------------------------------------------------------------


class CaseAdminForm(forms.ModelForm):
    """The add form: the requester and the link to a council meeting must agree with the rules."""

    class Meta:
        model = Case
        fields = [
            "title",
            "description",
            "service_item",
            "resident",
            "enterprise",
            "source",
            "service_point",
            "council_meeting",
            "priority",
            "beneficiaries",
            "amount",
        ]

    def clean(self):
        data = super().clean()
        item = data.get("service_item", getattr(self.instance, "service_item", None))
        if data.get("amount") is not None and item is not None and not item.is_financial:
            self.add_error("amount", _("Only financial service items record an amount."))
        if "source" in self.fields:
            meeting, source = data.get("council_meeting"), data.get("source")
            if meeting is not None and source and source != CaseSource.COUNCIL_MEETING:
                self.add_error("source", _("A case raised at a council meeting has that source."))
            if meeting is None and source == CaseSource.COUNCIL_MEETING:
                self.add_error("council_meeting", _("Name the council meeting that raised it."))
        return data


CASE_NUMBER = re.compile(r"^[A-Z]+-\d{4}-\d{6}$")


@admin.register(Case)
class CaseAdmin(ProgrammeAdmin):
    """Cases, created through `workflow.create_case` and moved only by the workflow buttons."""

    form = CaseAdminForm
    list_display = [
        "number",
        "title",
        "requester",
        "item",
        "state",
        "outcome",
        "lead",
        "target",
        "supervised",
    ]
    list_display_links = ["number", "title"]
    list_filter = [
        "state",
        "outcome",
        "source",
        "priority",
        "service_item__category",
        "service_item__specialty",
        "supervised",
        "lead__partner",
    ]
    list_select_related = ["service_item", "resident", "enterprise", "lead__partner"]
    search_fields = [
        "number",
        "title",
        "resident__phone",
        "enterprise__name",
        "enterprise__credit_code",
    ]

    def get_search_results(self, request, queryset, search_term):
        # A full case number is looked up exactly on its unique index; the loose search over
        # titles, phones and names would scan every case to find the same row.
        term = search_term.strip().upper()
        if CASE_NUMBER.fullmatch(term):
            return queryset.filter(number=term), False
        return super().get_search_results(request, queryset, search_term)

    search_help_text = _(
        "Case number, title, the resident's phone (or its last digits), "
        "enterprise name or credit code."
    )
    autocomplete_fields = [
        "service_item",
        "resident",
        "enterprise",
        "service_point",
        "council_meeting",
    ]
    inlines = [
        CaseEventInline,
        CaseVisitInline,
        FollowUpInline,
        ReferralInline,
        ExtensionRequestInline,
    ]
    add_fields = [
        "title",
        "description",
        "service_item",
        "resident",
        "enterprise",
        "source",
        "service_point",
        "council_meeting",
        "priority",
        "beneficiaries",
        "amount",
    ]
    change_fieldsets = [
        (_("Workflow"), {"fields": ["number", "state", "outcome", "workflow_panel"]}),
        (
            _("Request"),
            {
                "fields": [
                    "title",
                    "description",
                    "service_item",
                    "requester_link",
                    "source",
                    "service_point",
                    "council_meeting",
                    "priority",
                    "beneficiaries",
                    "amount",
                ]
            },
        ),
        (
            _("Handling"),
            {
                "fields": [
                    "lead",
                    "helper_names",
                    "target",
                    "assigned_at",
                    "accept_by",
                    "accepted_at",
                    "resolved_at",
                    "follow_up_due",
                    "closed_at",
                    "supervised",
                    "supervision_note",
                    "created_by",
                    "created_at",
                ]
            },
        ),
    ]
    change_readonly_fields = [
        "number",
        "state",
        "outcome",
        "workflow_panel",
        "service_item",
        "requester_link",
        "source",
        "council_meeting",
        "lead",
        "helper_names",
        "target",
        "assigned_at",
        "accept_by",
        "accepted_at",
        "resolved_at",
        "follow_up_due",
        "closed_at",
        "supervised",
        "supervision_note",
        "created_by",
        "created_at",
    ]

    def has_delete_permission(self, request, obj=None):
        # A case is the programme's record of a request; it is closed or withdrawn, not erased.
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related(
                "service_item",
                "resident",
                "enterprise",
                "lead__partner",
                "service_point",
                "council_meeting",
                "created_by",
            )
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.add_fields})]
        return self.change_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new case gets its number, target date and first timeline entry from the workflow.
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "service_item": data["service_item"],
            "resident": data.get("resident"),
            "enterprise": data.get("enterprise"),
            "by": request.user,
            "description": data.get("description", ""),
            "service_point": data.get("service_point"),
            "priority": data["priority"],
            "beneficiaries": data["beneficiaries"],
            "amount": data.get("amount"),
        }
        if data.get("council_meeting") is not None:
            case = meetings.raise_case_from_meeting(meeting=data["council_meeting"], **fields)
        else:
            case = workflow.create_case(source=data["source"], **fields)
        for model_field in Case._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(case, model_field.attname))
        obj._state.adding = False
        obj._state.db = case._state.db

    # -- list columns

    @admin.display(description=_("requester"))
    def requester(self, case):
        return masked_requester(case)

    @admin.display(description=_("service item"), ordering="service_item__name")
    def item(self, case):
        return case.service_item.name

    @admin.display(description=_("target date"), ordering="target_date")
    def target(self, case):
        if case.target_date is None:
            return "—"
        if case.state in OPEN_STATES and case.target_date < timezone.localdate():
            return format_html(
                '<strong class="overdue" style="color: var(--error-fg, #ba2121)">{} ({})</strong>',
                case.target_date.isoformat(),
                gettext("overdue"),
            )
        return case.target_date.isoformat()

    # -- change page

    @admin.display(description=_("requester"))
    def requester_link(self, case):
        requester = case.resident or case.enterprise
        if requester is None:
            return "—"
        # Masked here as in lists; the resident's own page shows it in full on request, logged.
        return format_html(
            '<a href="{}">{}</a>', admin_change_url(requester), masked_requester(case)
        )

    @admin.display(description=_("helpers"))
    def helper_names(self, case):
        names = [helper.name for helper in case.helpers.all()]
        return "、".join(names) or "—"

    @admin.display(description=_("next steps"))
    def workflow_panel(self, case):
        allowed = workflow.ALLOWED_TRANSITIONS[CaseState(case.state)]
        labels = "、".join(str(CaseState(state).label) for state in sorted(allowed)) or gettext(
            "none"
        )
        buttons = format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:cases_case_workflow", args=[case.pk, name]), step.label)
                for name, step in WORKFLOW_STEPS.items()
                if step.offered_for(case)
            ),
        )
        return format_html(
            "<p>{}</p><p>{}</p>",
            gettext("Allowed next states: %(states)s") % {"states": labels},
            buttons,
        )

    # -- workflow views

    def get_urls(self):
        view = self.admin_site.admin_view(self.workflow_view)
        return [
            path("<path:object_id>/workflow/<slug:step>/", view, name="cases_case_workflow"),
            *super().get_urls(),
        ]

    def workflow_view(self, request, object_id, step):
        """One workflow step for one case: a form, then the service call, then back to the case."""
        spec = WORKFLOW_STEPS.get(step)
        if spec is None:
            raise Http404
        case = self.get_object(request, unquote(object_id))
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        change_url = reverse("admin:cases_case_change", args=[case.pk])
        # An empty POST is still a submission: the confirm-only steps have no fields at all.
        data = request.POST if request.method == "POST" else None
        form = spec.form(data, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            try:
                spec.run(request, case, form.cleaned_data)
            except ValidationError as error:
                # The workflow's refusal names what is allowed; nothing was changed.
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, spec.done, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{case.number} · {spec.label}",
            "opts": self.opts,
            "original": case,
            "step": spec,
            "form": form,
            "media": self.media + form.media,
            "change_url": change_url,
            "state_line": gettext("This case is “%(state)s”.")
            % {"state": case.get_state_display()},
            "suggestions": self.suggestions_for(case) if step in ("assign", "reassign") else (),
        }
        return TemplateResponse(request, workflow_template(), context)

    def suggestions_for(self, case):
        """The assignment module's ranking, shown beside the lead field (five at most)."""
        try:
            from .assignment import suggest_assistants
        except ImportError:  # the ranking ships with the assignment work; the form works without
            return ()
        return suggest_assistants(case, limit=5)


# --- visits ----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or PDFs in one field; each is checked by content in the form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class VisitAdminForm(forms.ModelForm):
    """A visit typed in by staff; the same checks as `visits.log_visit` report on the fields."""

    upload = MultipleFileField(
        label=_("add attachments"),
        required=False,
        help_text=_("Photos (JPEG, PNG, WebP, HEIC) or PDF documents; checked by their content."),
    )

    class Meta:
        model = Visit
        fields = [
            "kind",
            "assistant",
            "case",
            "occurred_at",
            "duration_minutes",
            "service_point",
            "enterprise",
            "resident",
            "people_present",
            "notes",
        ]

    def clean_upload(self):
        files = self.cleaned_data.get("upload") or []
        visits.check_attachments(files)
        return files

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            try:
                visits.check_visit(
                    kind=data.get("kind"),
                    occurred_at=data.get("occurred_at"),
                    service_point=data.get("service_point"),
                    enterprise=data.get("enterprise"),
                    resident=data.get("resident"),
                    people_present=data.get("people_present"),
                )
                if data.get("case") is not None and data.get("assistant") is not None:
                    visits.check_case_for_visit(case=data["case"], assistant=data["assistant"])
            except ValidationError as error:
                self.add_error(None, error)
        return data


class VisitAttachmentInline(ReadOnlyInline):
    model = VisitAttachment
    fields = ["download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, attachment):
        # The scoped download (cases.files), never the file's storage path.
        return format_html('<a href="{}">{}</a>', attachment.get_absolute_url(), attachment)


@admin.register(Visit)
class VisitAdmin(ProgrammeAdmin):
    """Visits, logged through `visits.log_visit`, so cases get their timeline entry."""

    form = VisitAdminForm
    list_display = [
        "occurred_at",
        "kind",
        "assistant",
        "case_number",
        "place",
        "duration_minutes",
        "people_present",
        "attachment_count",
    ]
    list_filter = ["kind", "assistant__specialty", "assistant__partner"]
    list_select_related = [
        "assistant__partner",
        "case",
        "service_point",
        "enterprise",
        "resident",
    ]
    search_fields = ["assistant__name", "case__number", "enterprise__name", "service_point__name"]
    autocomplete_fields = ["assistant", "case", "service_point", "enterprise", "resident"]
    date_hierarchy = "occurred_at"
    inlines = [VisitAttachmentInline]
    fields = [
        "kind",
        "assistant",
        "case",
        "occurred_at",
        "duration_minutes",
        "service_point",
        "enterprise",
        "resident",
        "people_present",
        "notes",
        "upload",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            # A correlated count is worked out for the 50 rows shown; a JOIN + GROUP BY
            # aggregated every visit of the district first (2.5 s a page at 200,000 visits).
            .annotate(
                attachment_total=Coalesce(
                    Subquery(
                        VisitAttachment.objects.filter(visit=OuterRef("pk"))
                        .order_by()
                        .values("visit")
                        .annotate(total=Count("pk"))
                        .values("total")
                    ),
                    0,
                )
            )
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A logged visit is a record; staff may correct its notes and add attachments.
        return [name for name in self.fields if name not in ("notes", "upload")]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            super().save_model(request, obj, form, change)
            if data.get("upload"):
                visits.attach_files(visit=obj, files=data["upload"])
            return
        visit, _created = visits.log_visit(
            assistant=data["assistant"],
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            duration_minutes=data["duration_minutes"],
            case=data.get("case"),
            service_point=data.get("service_point"),
            enterprise=data.get("enterprise"),
            resident=data.get("resident"),
            people_present=data["people_present"],
            notes=data.get("notes", ""),
            attachments=data.get("upload") or (),
        )
        for model_field in Visit._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(visit, model_field.attname))
        obj._state.adding = False
        obj._state.db = visit._state.db

    @admin.display(description=_("case"), ordering="case__number")
    def case_number(self, visit):
        return visit.case.number if visit.case_id else "—"

    @admin.display(description=_("place"))
    def place(self, visit):
        if visit.service_point_id:
            return visit.service_point.name
        if visit.enterprise_id:
            return visit.enterprise.name
        if visit.resident_id:
            return mask_name(visit.resident.name)
        return "—"

    @admin.display(description=_("attachments"), ordering="attachment_total")
    def attachment_count(self, visit):
        return visit.attachment_total


# --- council meetings ------------------------------------------------------------------------


class MeetingCaseInline(ReadOnlyInline):
    """The problems the meeting raised, each followed to its return visit."""

    model = Case
    fk_name = "council_meeting"
    fields = ["number", "title", "state", "outcome", "lead", "target_date", "follow_up_due"]
    readonly_fields = fields
    select_related = ["lead__partner"]
    show_change_link = True
    verbose_name_plural = _("cases raised")


@admin.register(CouncilMeeting)
class CouncilMeetingAdmin(ProgrammeAdmin):
    list_display = ["held_on", "title", "place", "service_point", "enterprise", "case_count"]
    list_select_related = ["service_point", "enterprise"]
    search_fields = ["title", "place", "enterprise__name"]
    autocomplete_fields = ["service_point", "enterprise", "institutions", "assistants"]
    date_hierarchy = "held_on"
    inlines = [MeetingCaseInline]
    readonly_fields = ["raise_case"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_total=Count("cases"))

    def get_fields(self, request, obj=None):
        fields = [
            "title",
            "held_on",
            "place",
            "service_point",
            "enterprise",
            "participants",
            "institutions",
            "assistants",
            "minutes",
        ]
        return fields if obj is None else [*fields, "raise_case"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        meeting = meetings.record_council_meeting(
            title=data["title"],
            held_on=data["held_on"],
            place=data["place"],
            service_point=data.get("service_point"),
            enterprise=data.get("enterprise"),
            participants=data.get("participants", ""),
            institutions=data.get("institutions") or (),
            assistants=data.get("assistants") or (),
            minutes=data.get("minutes", ""),
        )
        for model_field in CouncilMeeting._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(meeting, model_field.attname))
        obj._state.adding = False
        obj._state.db = meeting._state.db

    @admin.display(description=_("cases"), ordering="case_total")
    def case_count(self, meeting):
        return meeting.case_total

    @admin.display(description=_("raise a case"))
    def raise_case(self, meeting):
        url = reverse("admin:cases_case_add")
        return format_html(
            '<a class="button" href="{}?council_meeting={}&amp;source={}">{}</a>',
            url,
            meeting.pk,
            CaseSource.COUNCIL_MEETING,
            gettext("Raise a case from this meeting"),
        )


# --- enterprise liaison ----------------------------------------------------------------------


class VisitDueFilter(admin.SimpleListFilter):
    title = _("visit due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("yes", _("not visited within the interval"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            due = liaison.enterprises_due_for_visit(today=timezone.localdate())
            return queryset.filter(pk__in=due.values("pk"))
        return queryset


@admin.register(EnterpriseLiaison)
class EnterpriseLiaisonAdmin(ProgrammeAdmin):
    list_display = [
        "enterprise",
        "assistant",
        "visit_interval_days",
        "last_visit",
        "visit_due",
        "active",
    ]
    list_filter = [VisitDueFilter, "active", "assistant__partner"]
    list_select_related = ["enterprise", "assistant__partner"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "assistant__name"]
    autocomplete_fields = ["enterprise", "assistant"]

    def get_queryset(self, request):
        return liaison.with_visit_due(super().get_queryset(request))

    @admin.display(description=_("last visit"), ordering="last_visit_at")
    def last_visit(self, link):
        if link.last_visit_at is None:
            return "—"
        return f"{timezone.localtime(link.last_visit_at):%Y-%m-%d}"

    @admin.display(description=_("next visit due"), ordering="visit_due_at")
    def visit_due(self, link):
        due = timezone.localtime(link.visit_due_at).date()
        if link.active and due <= timezone.localdate():
            return format_html(
                '<strong style="color: var(--error-fg, #ba2121)">{}</strong>', due.isoformat()
            )
        return due.isoformat()


# --- follow-ups, referrals, extension requests -----------------------------------------------


class RecordAdmin(ProgrammeAdmin):
    """A record written by the case services; staff read it here and act from the case page."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("case"), ordering="case__number")
    def case_link(self, record):
        return format_html('<a href="{}">{}</a>', admin_change_url(record.case), record.case.number)


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = [
        "case_link",
        "due_on",
        "done_at",
        "method",
        "satisfaction",
        "still_solved",
        "by",
    ]
    list_filter = [
        ("done_at", admin.EmptyFieldListFilter),
        "method",
        "satisfaction",
        "still_solved",
    ]
    list_select_related = ["case", "by__partner"]
    search_fields = ["case__number", "case__title"]
    date_hierarchy = "due_on"


class ReferralDecisionForm(WorkflowForm):
    """The reason, and for an accepted referral to the other specialty the new lead.

    Both are optional here: `referrals.decide_referral` says when they are needed (a rejection
    needs a reason, the new lead must be of the other specialty), so its messages are the ones
    staff read.
    """

    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, admin_site, needs_lead, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        if needs_lead:
            lead = lead_field(admin_site, _("new lead assistant"))
            lead.required = False
            self.fields = {"lead": lead, **self.fields}


@dataclass(frozen=True)
class ReferralDecision:
    """A button on a pending referral's page."""

    label: str
    done: str
    accept: bool


REFERRAL_DECISIONS = {
    "accept": ReferralDecision(_("Accept the referral"), _("The referral is accepted."), True),
    "reject": ReferralDecision(_("Reject the referral"), _("The referral is rejected."), False),
}


@admin.register(Referral)
class ReferralAdmin(RecordAdmin):
    """Referrals, made from the case page; staff accept or reject a pending one from its page."""

    list_display = [
        "case_link",
        "to_specialty",
        "to_department",
        "status",
        "created_at",
        "decided_by",
    ]
    list_filter = ["status", "to_specialty"]
    list_select_related = ["case", "decided_by"]
    search_fields = ["case__number", "to_department"]

    def has_decide_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.has_decide_permission(request):
            fields.append("decision_panel")
        return fields

    @admin.display(description=_("decision"))
    def decision_panel(self, referral):
        if referral.status != DecisionStatus.PENDING:
            return referral.get_status_display()
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:cases_referral_decide", args=[referral.pk, name]), decision.label)
                for name, decision in REFERRAL_DECISIONS.items()
            ),
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        return [
            path("<path:object_id>/decide/<slug:decision>/", view, name="cases_referral_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, decision):
        """Accept or reject one referral: a small form, then `referrals.decide_referral`."""
        spec = REFERRAL_DECISIONS.get(decision)
        if spec is None:
            raise Http404
        referral = self.get_object(request, unquote(object_id))
        if referral is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_decide_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:cases_referral_change", args=[referral.pk])
        needs_lead = spec.accept and bool(referral.to_specialty)
        data = request.POST if request.method == "POST" else None
        form = ReferralDecisionForm(data, admin_site=self.admin_site, needs_lead=needs_lead)
        if request.method == "POST" and form.is_valid():
            try:
                referrals.decide_referral(
                    referral=referral,
                    by=request.user,
                    accept=spec.accept,
                    reason=form.cleaned_data["reason"],
                    lead=form.cleaned_data.get("lead"),
                )
            except ValidationError as error:
                # ReferralError and the workflow's CaseError: nothing was changed.
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, spec.done, messages.SUCCESS)
                # The case page, where the timeline shows the decision and what followed.
                return HttpResponseRedirect(admin_change_url(referral.case))
        suggestions = ()
        if needs_lead:
            from .assignment import suggest_assistants

            suggestions = suggest_assistants(
                referral.case, specialty=referral.to_specialty, limit=5
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{referral.case.number} · {spec.label}",
            "opts": self.opts,
            "original": referral,
            "step": spec,
            "form": form,
            "media": self.media + form.media,
            "change_url": change_url,
            "state_line": gettext("Referral of case %(number)s to %(target)s: %(status)s.")
            % {
                "number": referral.case.number,
                "target": referral.to_department or referral.get_to_specialty_display(),
                "status": referral.get_status_display(),
            },
            "suggestions": suggestions,
        }
        return TemplateResponse(request, workflow_template(), context)


class DecisionActionForm(ActionForm):
    reason = forms.CharField(label=_("reason"), required=False)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(RecordAdmin):
    """Extension requests; staff approve or refuse the selected ones with a reason."""

    list_display = [
        "case_link",
        "requested_by",
        "extra_workdays",
        "reason",
        "status",
        "created_at",
        "decided_by",
    ]
    list_filter = ["status"]
    list_select_related = ["case", "requested_by__partner", "decided_by"]
    search_fields = ["case__number", "requested_by__name"]
    action_form = DecisionActionForm
    actions = ["approve", "refuse"]

    def has_decide_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def _decide(self, request, queryset, *, approve):
        reason = request.POST.get("reason", "")
        decided = 0
        for extension in queryset.filter(status=DecisionStatus.PENDING).select_related("case"):
            try:
                deadlines.decide_extension(
                    request=extension, by=request.user, approve=approve, reason=reason
                )
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{extension.case.number}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
            else:
                decided += 1
        if decided:
            self.message_user(
                request,
                ngettext(
                    "%(count)d extension request decided.",
                    "%(count)d extension requests decided.",
                    decided,
                )
                % {"count": decided},
                messages.SUCCESS,
            )

    @admin.action(description=_("Approve the selected extension requests"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(
        description=_("Refuse the selected extension requests (give the reason)"),
        permissions=["decide"],
    )
    def refuse(self, request, queryset):
        self._decide(request, queryset, approve=False)
