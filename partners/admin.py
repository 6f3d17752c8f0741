"""Admin pages for partners, their agreements and contacts."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assistants.models import Assistant
from talentoffice.admin_base import ProgrammeAdmin, RosterAdmin

from .models import Agreement, Partner, PartnerContact
from .resources import PartnerResource
from .services import reactivate_partners, suspend_partners


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ["title", "signed_on", "starts_on", "ends_on", "document"]


class PartnerContactInline(admin.TabularInline):
    model = PartnerContact
    extra = 0
    fields = ["name", "role", "phone", "email", "user"]
    raw_id_fields = ["user"]


class AssistantInline(admin.TabularInline):
    """The partner's assistants at a glance; they are edited on their own pages."""

    model = Assistant
    extra = 0
    fields = ["name", "specialty", "title", "phone", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(RosterAdmin):
    resource_classes = [PartnerResource]
    list_display = [
        "name",
        "short_name",
        "sector",
        "kind",
        "credit_code",
        "status",
        "assistant_count",
    ]
    list_filter = ["sector", "kind", "status"]
    search_fields = ["name", "short_name", "credit_code"]
    inlines = [AgreementInline, PartnerContactInline, AssistantInline]
    actions = ["suspend", "reactivate"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .annotate(_assistant_count=Count("assistants"))
        )

    @admin.display(description=_("assistants"), ordering="_assistant_count")
    def assistant_count(self, partner):
        return partner._assistant_count

    @admin.action(description=_("Suspend the selected partners"), permissions=["change"])
    def suspend(self, request, queryset):
        changed = suspend_partners(partners=queryset)
        self.message_user(
            request,
            ngettext("%(count)d partner suspended.", "%(count)d partners suspended.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate the selected partners"), permissions=["change"])
    def reactivate(self, request, queryset):
        changed = reactivate_partners(partners=queryset)
        self.message_user(
            request,
            ngettext("%(count)d partner reactivated.", "%(count)d partners reactivated.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )


@admin.register(Agreement)
class AgreementAdmin(ProgrammeAdmin):
    list_display = ["title", "partner", "signed_on", "starts_on", "ends_on"]
    list_filter = ["partner__sector", "starts_on"]
    list_select_related = ["partner"]
    search_fields = ["title", "partner__name", "partner__short_name"]
    autocomplete_fields = ["partner"]
    date_hierarchy = "starts_on"


@admin.register(PartnerContact)
class PartnerContactAdmin(ProgrammeAdmin):
    list_display = ["name", "partner", "role", "phone", "email", "user"]
    list_filter = ["partner__sector"]
    list_select_related = ["partner", "user"]
    search_fields = ["name", "phone", "partner__name", "partner__short_name"]
    autocomplete_fields = ["partner"]
    raw_id_fields = ["user"]
