"""Spreadsheet import and export of partners."""

from talentoffice.importing import RosterResource
from talentoffice.validators import normalize_credit_code

from .models import Partner


class PartnerResource(RosterResource):
    """A partner row; the credit code identifies it, so importing twice never duplicates."""

    extra_headers = {
        "name": ("机构名称", "单位名称", "合作机构"),
        "short_name": ("简称", "机构简称"),
        "sector": ("领域", "所属领域"),
        "kind": ("机构类型", "类型"),
        "credit_code": ("信用代码", "社会信用代码"),
        "address": ("地址", "机构地址"),
        "status": ("状态",),
    }

    class Meta:
        model = Partner
        fields = ("name", "short_name", "sector", "kind", "credit_code", "address", "status")
        import_id_fields = ("credit_code",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        # The instance loader looks the credit code up as typed; match the stored form.
        if row.get("credit_code"):
            row["credit_code"] = normalize_credit_code(str(row["credit_code"]))
