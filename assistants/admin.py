"""Admin pages for assistants, service points, dispatches and skill tags."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from talentoffice.admin_base import ProgrammeAdmin, RosterAdmin

from .models import Assistant, Dispatch, ServicePoint, Skill
from .resources import AssistantResource, ServicePointResource
from .services import withdraw_assistants


class DispatchInline(admin.TabularInline):
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


@admin.register(ServicePoint)
class ServicePointAdmin(RosterAdmin):
    resource_classes = [ServicePointResource]
    list_display = ["name", "kind", "street", "community", "opening_hours", "active"]
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
