"""The case admin: cases are created through the workflow and moved only by its step buttons.

The case page shows the timeline, visits, follow-ups, referrals and extension requests; a case's
state, lead and dates are never edited as fields.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin, ReadOnlyInline, StepViewMixin, record_missing

from .. import meetings, workflow
from ..assignment import suggest_assistants
from ..choices import CaseSource, CaseState
from ..models import Case, CaseEvent, ExtensionRequest, FollowUp, Referral, Visit
from .common import OPEN_STATES, admin_change_url, masked_requester, state_label
from .steps import WORKFLOW_STEPS


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

# Who handles a case and its clock: shown in the form's "Handling" section, and only ever set by
# the workflow's steps and the system, never typed, so read-only once the case exists.
HANDLING_FIELDS = [
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


@admin.register(Case)
class CaseAdmin(StepViewMixin, ProgrammeAdmin):
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
        "service_item",
        "service_item__specialty",
        "supervised",
        "lead__partner",
    ]
    list_select_related = ["service_item", "resident", "enterprise", "lead__partner"]
    search_fields = [
        "number",
        "title",
        "enterprise__name",
        "enterprise__credit_code",
    ]

    def get_search_results(self, request, queryset, search_term):
        # A full case number is looked up exactly on its unique index; the loose search over
        # titles and names would scan every case to find the same row.
        term = search_term.strip().upper()
        if CASE_NUMBER.fullmatch(term):
            return queryset.filter(number=term), False
        return super().get_search_results(request, queryset, search_term)

    search_help_text = _(
        "Case number, title, enterprise name or credit code; a resident's whole phone or ID "
        "number if your role may see them."
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
            {"fields": HANDLING_FIELDS},
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
        *HANDLING_FIELDS,
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
        return case.target_date_marked()

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
            return record_missing(request, self.opts, object_id)
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
        return self.render_step(
            request,
            original=case,
            step=spec,
            form=form,
            title=f"{case.number} · {spec.label}",
            change_url=change_url,
            state_line=gettext("This case is “%(state)s”.") % {"state": case.get_state_display()},
            suggestions=self.suggestions_for(case) if step in ("assign", "reassign") else (),
        )

    def suggestions_for(self, case):
        """The assignment module's ranking, shown beside the lead field (five at most)."""
        return suggest_assistants(case, limit=5)
