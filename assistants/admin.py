"""Admin pages for assistants, service points, dispatches and skill tags."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from partners.admin import PartnerAdmin
from partners.models import AssistantProposal, Partner
from talentoffice.admin_base import (
    ProgrammeAdmin,
    ReadOnlyInline,
    RosterAdmin,
    ScopedTabularInline,
    ServiceStepsMixin,
)

from . import shifts
from .admin_steps import (
    LEAVE_STEPS,
    SHIFT_STEPS,
    SWAP_STEPS,
    run_approve_leave,
    run_approve_swap,
    run_reject_leave,
    run_reject_swap,
)
from .choices import SwapStatus, UnavailabilityStatus
from .forms import ShiftAdminForm
from .models import (
    Assistant,
    Dispatch,
    ReminderPolicy,
    Rota,
    ServicePoint,
    Shift,
    ShiftEvent,
    ShiftTemplate,
    Skill,
    SwapRequest,
    Unavailability,
)
from .proposals import approve_proposal, reject_proposal
from .resources import AssistantResource, DispatchResource, ServicePointResource
from .services import withdraw_assistants
from .signals import postings_ended


class DispatchInline(ScopedTabularInline):
    model = Dispatch
    extra = 0
    fields = ["service_point", "starts_on", "ends_on", "note"]
    autocomplete_fields = ["service_point"]


@admin.register(Skill)
class SkillAdmin(ProgrammeAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Assistant)
class AssistantAdmin(RosterAdmin):
    resource_classes = [AssistantResource]
    list_display = ["name", "partner", "specialty", "title", "phone", "party_member", "status"]
    list_filter = ["specialty", "status", "party_member", "partner__sector", "partner", "skills"]
    list_select_related = ["partner"]
    search_fields = ["name", "phone", "licence_number", "partner__name", "partner__short_name"]
    search_help_text = _("Name, phone (or its last digits), licence number or partner.")
    autocomplete_fields = ["partner", "skills"]
    raw_id_fields = ["user"]
    inlines = [DispatchInline]
    actions = ["withdraw"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.action(description=_("Withdraw the selected assistants"), permissions=["change"])
    def withdraw(self, request, queryset):
        changed = withdraw_assistants(assistants=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d assistant withdrawn; their dispatches end today.",
                "%(count)d assistants withdrawn; their dispatches end today.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )
        postings_ended.send(type(self), model_admin=self, request=request, assistants=queryset)


@admin.register(ServicePoint)
class ServicePointAdmin(RosterAdmin):
    resource_classes = [ServicePointResource]
    list_display = [
        "name",
        "kind",
        "street",
        "community",
        "opening_hours",
        "swaps_need_approval",
        "active",
    ]
    list_filter = ["kind", "active", "street"]
    list_select_related = ["street", "community__street"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["street", "community"]
    readonly_fields = ["qr_links"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "qr_links"]

    @admin.display(description=_("QR code"))
    def qr_links(self, point):
        # Residents reach the point's public form through the poster on its wall.
        if point.pk is None:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">{}</a> · <a href="{}" target="_blank">{}</a>',
            reverse("public:point_poster", args=[point.pk]),
            gettext("poster"),
            reverse("public:point_qr", args=[point.pk]),
            gettext("QR image"),
        )


@admin.register(Dispatch)
class DispatchAdmin(RosterAdmin):
    resource_classes = [DispatchResource]
    list_display = ["assistant", "service_point", "starts_on", "ends_on"]
    list_filter = ["service_point__kind", "assistant__specialty", "service_point"]
    list_select_related = ["assistant__partner", "service_point"]
    search_fields = ["assistant__name", "assistant__phone", "service_point__name"]
    autocomplete_fields = ["assistant", "service_point"]
    date_hierarchy = "starts_on"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A posting that ends is when an assistant's open cases need a new owner.
        if obj.ends_on and "ends_on" in form.changed_data:
            postings_ended.send(
                type(self), model_admin=self, request=request, assistants=[obj.assistant]
            )


class ShiftEventInline(ReadOnlyInline):
    """The shift's history, read-only: every step is written by the rota services."""

    model = ShiftEvent
    fields = ["at", "kind", "assistant", "actor", "note"]
    readonly_fields = fields


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(ProgrammeAdmin):
    list_display = [
        "service_point",
        "weekday",
        "starts_at",
        "ends_at",
        "finance_needed",
        "legal_needed",
        "active",
    ]
    list_filter = ["weekday", "active", "service_point__kind", "service_point"]
    list_select_related = ["service_point"]
    search_fields = ["service_point__name"]
    autocomplete_fields = ["service_point"]


class LeaveAddForm(forms.ModelForm):
    """Staff record leave for an assistant: the service's own checks, run before it is saved."""

    class Meta:
        model = Unavailability
        fields = ["assistant", "kind", "starts_on", "ends_on", "reason"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # Asked of the service itself and undone, so its refusal (an overlap, dates in the
        # wrong order) is a form error here rather than a failure at save time.
        try:
            with transaction.atomic():
                shifts.request_leave(**{name: cleaned.get(name) for name in self.Meta.fields})
                raise _TryOnly
        except _TryOnly:
            pass
        return cleaned


class _TryOnly(Exception):
    """Undoes a service call made only to learn whether it would succeed."""


@admin.register(Unavailability)
class UnavailabilityAdmin(ServiceStepsMixin, ProgrammeAdmin):
    add_form = LeaveAddForm
    list_display = ["assistant", "kind", "starts_on", "ends_on", "status", "decided_by"]
    list_filter = ["status", "kind", "assistant__specialty"]
    list_select_related = ["assistant__partner", "decided_by"]
    search_fields = ["assistant__name", "assistant__phone"]
    autocomplete_fields = ["assistant"]
    date_hierarchy = "starts_on"
    service_steps = LEAVE_STEPS
    actions = ["approve", "reject"]
    # Leave moves only by approve_leave and reject_leave, which free shifts and tell staff;
    # its days are fixed once asked, or approved leave would cover other days than it freed.
    change_readonly_fields = [
        "assistant",
        "kind",
        "starts_on",
        "ends_on",
        "status",
        "steps_panel",
        "decided_by",
        "decided_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return LeaveAddForm.Meta.fields
        return [*self.change_readonly_fields, "reason"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        leave = shifts.request_leave(
            **{name: form.cleaned_data.get(name) for name in LeaveAddForm.Meta.fields}
        )
        obj.pk = leave.pk
        obj.status = leave.status
        obj.created_at, obj.updated_at = leave.created_at, leave.updated_at
        obj._state.adding = False
        obj._state.db = leave._state.db

    def step_state_line(self, leave):
        return gettext("This leave is “%(status)s”.") % {"status": leave.get_status_display()}

    @admin.action(description=_("Approve the selected leave"), permissions=["step"])
    def approve(self, request, queryset):
        self.run_on_selected(
            request,
            queryset.filter(status=UnavailabilityStatus.REQUESTED),
            lambda request, leave: run_approve_leave(request, leave),
            lambda n: ngettext("%(count)d leave approved.", "%(count)d leaves approved.", n),
        )

    @admin.action(description=_("Reject the selected leave"), permissions=["step"])
    def reject(self, request, queryset):
        self.run_on_selected(
            request,
            queryset.filter(status=UnavailabilityStatus.REQUESTED),
            lambda request, leave: run_reject_leave(request, leave),
            lambda n: ngettext("%(count)d leave rejected.", "%(count)d leaves rejected.", n),
        )


@admin.register(Rota)
class RotaAdmin(ProgrammeAdmin):
    list_display = ["name", "starts_on", "ends_on", "service_point", "status", "published_at"]
    list_filter = ["status"]
    list_select_related = ["service_point"]
    search_fields = ["name"]
    readonly_fields = ["status", "created_by", "published_at", "published_by"]
    autocomplete_fields = ["service_point"]


@admin.register(Shift)
class ShiftAdmin(ServiceStepsMixin, ProgrammeAdmin):
    form = ShiftAdminForm
    # Far check-ins are kept but flagged (assistants.shifts.check_in): staff look them over.
    list_display = [
        "starts_at",
        "ends_at",
        "service_point",
        "specialty",
        "assistant",
        "status",
        "check_in_far",
        "check_in_distance_m",
    ]
    list_filter = [
        "status",
        "check_in_far",
        "specialty",
        "service_point__kind",
        "service_point",
        "rota__status",
    ]
    list_select_related = ["service_point", "assistant__partner"]
    search_fields = ["assistant__name", "assistant__phone", "service_point__name"]
    autocomplete_fields = ["service_point"]
    raw_id_fields = ["rota", "template"]
    # Who holds a shift and where it stands change only through assistants.shifts (a new
    # shift starts open and scheduled), so every change is checked, logged and told.
    readonly_fields = [
        "assistant",
        "status",
        "steps_panel",
        "checked_in_at",
        "checked_out_at",
        "check_in_far",
        "check_in_distance_m",
        "sequence",
    ]
    date_hierarchy = "date"
    inlines = [ShiftEventInline]
    service_steps = SHIFT_STEPS

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def step_state_line(self, shift):
        holder = shift.assistant.name if shift.assistant_id else gettext("nobody (open)")
        return gettext("This shift is “%(status)s”; it is held by %(holder)s.") % {
            "status": shift.get_status_display(),
            "holder": holder,
        }


@admin.register(SwapRequest)
class SwapRequestAdmin(ServiceStepsMixin, ProgrammeAdmin):
    """Swaps are offered and taken on the phone; staff approve or reject them here."""

    list_display = ["shift", "requested_by", "offered_to", "accepted_by", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = [
        "shift__service_point",
        "requested_by__partner",
        "offered_to__partner",
        "accepted_by__partner",
    ]
    search_fields = ["requested_by__name", "offered_to__name", "accepted_by__name"]
    fields = [
        "shift",
        "requested_by",
        "offered_to",
        "accepted_by",
        "status",
        "steps_panel",
        "note",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields
    service_steps = SWAP_STEPS
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing of a swap is typed in: the phone pages and the steps below write it.
        return False

    def step_state_line(self, swap):
        return gettext("This swap is “%(status)s”.") % {"status": swap.get_status_display()}

    @admin.action(description=_("Approve the selected swaps"), permissions=["step"])
    def approve(self, request, queryset):
        self.run_on_selected(
            request,
            queryset.filter(status=SwapStatus.ACCEPTED),
            lambda request, swap: run_approve_swap(request, swap),
            lambda n: ngettext("%(count)d swap approved.", "%(count)d swaps approved.", n),
        )

    @admin.action(description=_("Reject the selected swaps"), permissions=["step"])
    def reject(self, request, queryset):
        self.run_on_selected(
            request,
            queryset.filter(status__in=[SwapStatus.OPEN, SwapStatus.ACCEPTED]),
            lambda request, swap: run_reject_swap(request, swap),
            lambda n: ngettext("%(count)d swap rejected.", "%(count)d swaps rejected.", n),
        )


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(ProgrammeAdmin):
    list_display = ["kind", "active", "hour", "minutes", "days"]


# --- on the partners' pages --------------------------------------------------------------------


class AssistantInline(ReadOnlyInline):
    """The partner's assistants at a glance; they are edited on their own pages."""

    model = Assistant
    fields = ["name", "specialty", "title", "phone", "status"]
    readonly_fields = fields
    show_change_link = True


# The partner page shows its assistants; assistants build on partners, so the inline is added
# here, to the partners app's own admin, rather than the partners app reaching up for it.
admin.site.unregister(Partner)


@admin.register(Partner)
class PartnerWithAssistantsAdmin(PartnerAdmin):
    inlines = [*PartnerAdmin.inlines, AssistantInline]


@admin.register(AssistantProposal)
class AssistantProposalAdmin(ProgrammeAdmin):
    """Partners' proposals about their assistants; approving one makes the change."""

    list_display = ["__str__", "partner", "kind", "status", "created_at", "decided_at"]
    list_filter = ["status", "kind", "partner__sector"]
    list_select_related = ["partner", "assistant"]
    search_fields = ["partner__name", "partner__short_name", "assistant__name"]
    raw_id_fields = ["assistant"]
    fields = [
        "partner",
        "kind",
        "assistant",
        "changes",
        "note",
        "status",
        "decision_reason",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = ["partner", "kind", "assistant", "changes", "note", "status"]
    readonly_fields += ["decided_by", "decided_at"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for proposal in queryset.filter(status="pending").order_by("pk"):
            try:
                decide(proposal=proposal, by=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{proposal}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                done += 1
        self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected proposals"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide(
            request,
            queryset,
            approve_proposal,
            lambda n: ngettext("%(count)d proposal approved.", "%(count)d proposals approved.", n),
        )

    @admin.action(description=_("Reject the selected proposals"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(
            request,
            queryset,
            reject_proposal,
            lambda n: ngettext("%(count)d proposal rejected.", "%(count)d proposals rejected.", n),
        )
