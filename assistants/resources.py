"""Spreadsheet import and export of assistants and service points."""

from import_export import fields

from partners.models import Partner
from talentoffice.importing import LookupWidget, NamesWidget, RosterResource, cell_text
from talentoffice.models import Community, Street
from talentoffice.validators import normalize_phone

from .models import Assistant, Dispatch, ServicePoint, Skill


class CommunityInStreetWidget(LookupWidget):
    """A community name is only unique inside its street, so the row's street narrows the search."""

    def get_queryset(self, value, row, *args, **kwargs):
        street = cell_text((row or {}).get("street"))
        return Community.objects.filter(street__name=street) if street else Community.objects.all()


class AssistantResource(RosterResource):
    """An assistant row, matched to an existing assistant by licence number, then by phone."""

    partner = fields.Field(
        attribute="partner",
        column_name="partner",
        widget=LookupWidget(Partner, ["credit_code", "name", "short_name"], render_field="name"),
    )
    skills = fields.Field(
        attribute="skills", column_name="skills", widget=NamesWidget(Skill, field="name")
    )

    extra_headers = {
        "name": ("姓名",),
        "partner": ("所在机构", "合作机构", "派出单位", "单位"),
        "specialty": ("专业", "专业领域", "类别"),
        "title": ("职务", "职称"),
        "phone": ("手机", "手机号", "手机号码", "联系电话", "电话"),
        "licence_number": ("执业证号", "律师执业证号", "执业证号码"),
        "party_member": ("党员", "是否党员"),
        "skills": ("专长", "专长标签", "擅长领域"),
        "status": ("状态",),
    }

    class Meta:
        model = Assistant
        fields = (
            "name",
            "partner",
            "specialty",
            "title",
            "phone",
            "licence_number",
            "party_member",
            "skills",
            "status",
        )
        import_id_fields = ("phone",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        if "phone" in row:
            row["phone"] = normalize_phone(cell_text(row["phone"]))
        if "licence_number" in row:
            row["licence_number"] = "".join(cell_text(row["licence_number"]).split())

    def get_instance(self, instance_loader, row):
        # A lawyer's licence number outlives a changed phone number, so it is tried first.
        licence_number = row.get("licence_number")
        if licence_number:
            found = Assistant.objects.filter(licence_number=licence_number).first()
            if found is not None:
                return found
        return super().get_instance(instance_loader, row)


class ServicePointResource(RosterResource):
    """A service point row, matched by its unique name."""

    street = fields.Field(
        attribute="street", column_name="street", widget=LookupWidget(Street, ["name", "code"])
    )
    community = fields.Field(
        attribute="community",
        column_name="community",
        widget=CommunityInStreetWidget(Community, ["name"]),
    )

    extra_headers = {
        "name": ("名称", "服务点名称"),
        "kind": ("类型", "服务点类型"),
        "street": ("街道", "所属街道"),
        "community": ("社区", "所属社区"),
        "address": ("地址",),
        "opening_hours": ("开放时间", "营业时间", "服务时间"),
        "latitude": ("纬度",),
        "longitude": ("经度",),
        "active": ("启用", "是否启用"),
    }

    class Meta:
        model = ServicePoint
        fields = (
            "name",
            "kind",
            "street",
            "community",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "active",
        )
        import_id_fields = ("name",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class DispatchResource(RosterResource):
    """A posting row: the assistant (by phone or licence number) to a point (by name) for a
    period. The same assistant, point and first day is the same posting, so a second import of
    the file changes nothing."""

    assistant = fields.Field(
        attribute="assistant",
        column_name="assistant",
        widget=LookupWidget(Assistant, ["phone", "licence_number", "name"], render_field="name"),
    )
    service_point = fields.Field(
        attribute="service_point",
        column_name="service_point",
        widget=LookupWidget(ServicePoint, ["name"], render_field="name"),
    )

    extra_headers = {
        "assistant": ("人才助理", "姓名", "手机号码", "手机号"),
        "service_point": ("服务点", "派驻服务点", "派驻地点"),
        "starts_on": ("开始日期", "派驻开始", "起始日期"),
        "ends_on": ("结束日期", "派驻结束", "截止日期"),
        "note": ("备注",),
    }

    class Meta:
        model = Dispatch
        fields = ("assistant", "service_point", "starts_on", "ends_on", "note")
        import_id_fields = ("assistant", "service_point", "starts_on")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        # Excel hands a phone over as a number; the lookup wants the stored text.
        if "assistant" in row and any(ch.isdigit() for ch in cell_text(row["assistant"])):
            row["assistant"] = normalize_phone(cell_text(row["assistant"]))
