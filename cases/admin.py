"""Admin pages for the service checklist, enterprises and residents."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin, RosterAdmin
from talentoffice.masking import mask_address, mask_phone

from .models import Enterprise, Resident, ServiceCategory, ServiceItem
from .resources import EnterpriseResource, ResidentExportResource


class ServiceItemInline(admin.TabularInline):
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


@admin.register(Resident)
class ResidentAdmin(ProgrammeAdmin):
    """Lists show residents' phones and addresses masked; the change page shows them in full."""

    resource_classes = [ResidentExportResource]
    list_display = ["name", "masked_phone", "community", "masked_address", "household_size"]
    list_filter = ["community__street"]
    list_select_related = ["community__street"]
    search_fields = ["name", "phone"]
    search_help_text = _("Name, phone number or its last digits.")
    autocomplete_fields = ["community"]

    @admin.display(description=_("phone"))
    def masked_phone(self, resident):
        return mask_phone(resident.phone)

    @admin.display(description=_("address"))
    def masked_address(self, resident):
        return mask_address(resident.address)
