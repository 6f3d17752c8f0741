"""Admin pages for the service checklist (categories and items) and enterprises."""

from django.contrib import admin

from talentoffice.admin_base import ProgrammeAdmin, RosterAdmin, ScopedTabularInline

from ..models import Enterprise, ServiceCategory, ServiceItem
from ..resources import EnterpriseResource


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
