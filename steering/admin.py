"""Admin pages of campaigns, activities, partner targets and the alliance's chair terms."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin, ScopedTabularInline

from .models import Activity, ActivityPhoto, Campaign, CampaignTarget, ChairTerm, PartnerTarget


@admin.register(Campaign)
class CampaignAdmin(ProgrammeAdmin):
    list_display = ["name", "target_kind", "starts_on", "ends_on", "target_count", "progress_link"]
    list_filter = ["target_kind"]
    search_fields = ["name"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["partners", "assistants"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(target_total=Count("targets"))

    @admin.display(description=_("targets"), ordering="target_total")
    def target_count(self, obj):
        return obj.target_total

    @admin.display(description=_("progress"))
    def progress_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("steering:campaign", args=[obj.pk]), _("progress")
        )


@admin.register(CampaignTarget)
class CampaignTargetAdmin(ProgrammeAdmin):
    list_display = ["campaign", "enterprise", "resident", "community"]
    list_filter = ["campaign"]
    list_select_related = ["campaign", "enterprise", "resident", "community__street"]
    raw_id_fields = ["enterprise", "resident", "community"]


class ActivityPhotoInline(ScopedTabularInline):
    model = ActivityPhoto
    extra = 1


@admin.register(Activity)
class ActivityAdmin(ProgrammeAdmin):
    list_display = ["held_on", "kind", "title", "place", "street", "attendees", "beneficiaries"]
    list_filter = ["kind", "street"]
    list_select_related = ["street"]
    search_fields = ["title", "place"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["partners", "assistants", "council_meeting"]
    inlines = [ActivityPhotoInline]


@admin.register(PartnerTarget)
class PartnerTargetAdmin(ProgrammeAdmin):
    list_display = [
        "partner",
        "year",
        "shifts",
        "enterprises",
        "cases",
        "activities",
        "evaluated_at",
    ]
    list_filter = ["year", "partner__sector"]
    list_select_related = ["partner"]
    search_fields = ["partner__name", "partner__short_name"]
    autocomplete_fields = ["partner"]
    readonly_fields = ["evaluated_by", "evaluated_at"]

    def save_model(self, request, obj, form, change):
        # Who wrote the year-end evaluation, and when, is kept with it.
        if "evaluation" in form.changed_data:
            obj.evaluated_by = request.user if obj.evaluation else None
            obj.evaluated_at = timezone.now() if obj.evaluation else None
        super().save_model(request, obj, form, change)


@admin.register(ChairTerm)
class ChairTermAdmin(ProgrammeAdmin):
    list_display = ["sector", "partner", "starts_on", "ends_on"]
    list_filter = ["sector"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
