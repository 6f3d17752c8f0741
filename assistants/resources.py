"""Spreadsheet import and export of assistants and service points."""

from import_export import fields

from partners.models import Partner
from talentoffice.importing import LookupWidget, NamesWidget, RosterResource, cell_text
from talentoffice.models import Community, Street
from talentoffice.validators import normalize_phone

from .models import Assistant, ServicePoint, Skill


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
