"""Spreadsheet import and export of enterprises, and the masked export of residents."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from import_export import fields

from talentoffice.importing import LookupWidget, RosterResource, cell_text
from talentoffice.models import Street
from talentoffice.validators import normalize_credit_code, normalize_phone

from . import privacy
from .models import Enterprise, Resident


class EnterpriseResource(RosterResource):
    """An enterprise row; the credit code identifies it, so a second import never duplicates."""

    street = fields.Field(
        attribute="street", column_name="street", widget=LookupWidget(Street, ["name", "code"])
    )

    extra_headers = {
        "name": ("企业名称", "名称", "商户名称"),
        "credit_code": ("统一社会信用代码", "信用代码"),
        "industry": ("行业", "所属行业"),
        "street": ("街道", "所属街道"),
        "address": ("地址", "企业地址"),
        "contact_name": ("联系人",),
        "contact_phone": ("联系电话", "电话"),
    }

    class Meta:
        model = Enterprise
        fields = (
            "name",
            "credit_code",
            "industry",
            "street",
            "address",
            "contact_name",
            "contact_phone",
        )
        import_id_fields = ("credit_code",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        if "credit_code" in row:
            row["credit_code"] = normalize_credit_code(cell_text(row["credit_code"]))
        if "contact_phone" in row:
            row["contact_phone"] = normalize_phone(cell_text(row["contact_phone"]))


class ResidentExportResource(RosterResource):
    """Residents for a spreadsheet: name, phone, address and ID number masked.

    The masking itself is the export base's, from the personal-field registry
    (talentoffice.masking.PERSONAL_FIELDS).
    """

    community = fields.Field(
        attribute="community", column_name="community", widget=LookupWidget(Street, ["name"])
    )

    # The community's name includes its street's.
    export_select_related = ("community__street",)

    class Meta:
        model = Resident
        name = _("Residents, masked")
        fields = ("name", "phone", "community", "address", "id_number", "household_size")

    def dehydrate_community(self, resident):
        return str(resident.community) if resident.community_id else ""


class ResidentFullExportResource(ResidentExportResource):
    """Residents unmasked: offered only with `export_personal_data`, and each export is logged."""

    class Meta:
        model = Resident
        name = _("Residents in full (needs the permission; logged)")
        fields = ("name", "phone", "community", "address", "id_number", "household_size")

    def shows_personal_data_in_full(self):
        return self.request is not None and privacy.can_export_in_full(self.request.user)

    def before_export(self, queryset, **kwargs):
        # Checked again here, not only when the form offers this export: a forged form must
        # not reach full values, and every full export leaves its row in the access log before
        # the first row leaves the building.
        if not self.shows_personal_data_in_full():
            raise PermissionDenied
        privacy.record_export(
            request=self.request, rows=queryset.count(), detail=self.request.get_full_path()
        )
