"""Admin pages for residents, whose personal data is masked, and the log of who saw it."""

from contextvars import ContextVar
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin, StepViewMixin, record_missing
from talentoffice.masking import mask_address, mask_id_number, mask_name, mask_phone

from .. import privacy
from ..models import PersonalDataAccess, Resident
from ..resources import ResidentExportResource, ResidentFullExportResource
from .common import admin_change_url

PERSONAL_FIELDS = ["phone", "address", "id_number"]
# The request whose resident page is being drawn (see ResidentAdmin.get_form).
_asking: ContextVar = ContextVar("resident_page_request")


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
class ResidentAdmin(StepViewMixin, ProgrammeAdmin):
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
    # Records made when a known phone came with another name wait here for staff to merge.
    list_filter = ["community__street", ("possible_duplicate_of", admin.EmptyFieldListFilter)]
    list_select_related = ["community__street"]
    # A phone or ID number is found only whole, and only by a role that may see it in full
    # (PersonalDataAdminMixin); the search is logged.
    search_fields = ["name"]
    search_help_text = _("Name, or a whole phone or ID number if your role may see them.")
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

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "phone", "community", "address", "id_number", "household_size"]
        if privacy.is_revealed(request, obj):
            personal = PERSONAL_FIELDS
        else:
            personal = ["masked_phone", "masked_address", "masked_id_number"]
        return [
            "name",
            "community",
            "household_size",
            *personal,
            "personal_data",
            "possible_duplicate_of",
            "anonymized_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "masked_phone",
            "masked_address",
            "masked_id_number",
            "personal_data",
            # Set by intake, for staff to compare the two records; merging is done by hand.
            "possible_duplicate_of",
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
            return record_missing(request, self.opts, object_id)
        if not privacy.can_view_in_full(request.user):
            raise PermissionDenied
        change_url = reverse("admin:cases_resident_change", args=[resident.pk])
        form = RevealForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            privacy.reveal(request=request, resident=resident, reason=form.cleaned_data["reason"])
            return HttpResponseRedirect(change_url)
        step = RevealStep(gettext("Show personal data in full"))
        return self.render_step(
            request,
            original=resident,
            step=step,
            form=form,
            title=f"{resident} · {step.label}",
            change_url=change_url,
            state_line=gettext(
                "The phone, address and ID number will show for %(minutes)d minutes. "
                "Your name, the time and your reason are recorded."
            )
            % {"minutes": settings.PERSONAL_DATA_REVEAL_MINUTES},
        )


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
