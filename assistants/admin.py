"""Admin pages for assistants, service points, dispatches and skill tags."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from talentoffice.admin_base import ProgrammeAdmin, ReadOnlyInline, RosterAdmin, ScopedTabularInline

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
from .resources import AssistantResource, ServicePointResource
from .services import withdraw_assistants


def warn_of_cases_to_hand_over(model_admin, request, assistants):
    """List who still holds open cases, linked to them, so staff hand them over."""
    # Imported here: the cases app builds on this one, not the other way round.
    from cases.assignment import open_cases_for_hand_over

    cases_url = reverse("admin:cases_case_changelist")
    for assistant in assistants:
        count = open_cases_for_hand_over(assistant).count()
        if count:
            model_admin.message_user(
                request,
                format_html(
                    '{} <a href="{}?lead__id__exact={}">{}</a>',
                    ngettext(
                        "%(name)s still has %(count)d open case to hand over.",
                        "%(name)s still has %(count)d open cases to hand over.",
                        count,
                    )
                    % {"name": assistant.name, "count": count},
                    cases_url,
                    assistant.pk,
                    _("Show them"),
                ),
                messages.WARNING,
            )


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
        warn_of_cases_to_hand_over(self, request, queryset)


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


@admin.register(Dispatch)
class DispatchAdmin(ProgrammeAdmin):
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
            warn_of_cases_to_hand_over(self, request, [obj.assistant])


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


@admin.register(Unavailability)
class UnavailabilityAdmin(ProgrammeAdmin):
    list_display = ["assistant", "kind", "starts_on", "ends_on", "status", "decided_by"]
    list_filter = ["status", "kind", "assistant__specialty"]
    list_select_related = ["assistant__partner", "decided_by"]
    search_fields = ["assistant__name", "assistant__phone"]
    autocomplete_fields = ["assistant"]
    readonly_fields = ["decided_by", "decided_at"]
    date_hierarchy = "starts_on"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Rota)
class RotaAdmin(ProgrammeAdmin):
    list_display = ["name", "starts_on", "ends_on", "service_point", "status", "published_at"]
    list_filter = ["status"]
    list_select_related = ["service_point"]
    search_fields = ["name"]
    readonly_fields = ["status", "created_by", "published_at", "published_by"]
    autocomplete_fields = ["service_point"]


@admin.register(Shift)
class ShiftAdmin(ProgrammeAdmin):
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
    autocomplete_fields = ["service_point", "assistant"]
    raw_id_fields = ["rota", "template"]
    readonly_fields = [
        "checked_in_at",
        "checked_out_at",
        "check_in_far",
        "check_in_distance_m",
        "sequence",
    ]
    date_hierarchy = "date"
    inlines = [ShiftEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(SwapRequest)
class SwapRequestAdmin(ProgrammeAdmin):
    list_display = ["shift", "requested_by", "offered_to", "accepted_by", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = [
        "shift__service_point",
        "requested_by__partner",
        "offered_to__partner",
        "accepted_by__partner",
    ]
    search_fields = ["requested_by__name", "offered_to__name", "accepted_by__name"]
    raw_id_fields = ["shift", "requested_by", "offered_to", "accepted_by"]
    readonly_fields = ["decided_by", "decided_at"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(ProgrammeAdmin):
    list_display = ["kind", "active", "hour", "minutes", "days"]
