"""Admin pages for visits, logged through the visit service, and their attachments."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin, ReadOnlyInline
from talentoffice.masking import mask_name

from .. import visits
from ..models import Visit, VisitAttachment


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or PDFs in one field; each is checked by content in the form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class VisitAdminForm(forms.ModelForm):
    """A visit typed in by staff; the same checks as `visits.log_visit` report on the fields."""

    upload = MultipleFileField(
        label=_("add attachments"),
        required=False,
        help_text=_("Photos (JPEG, PNG, WebP, HEIC) or PDF documents; checked by their content."),
    )

    class Meta:
        model = Visit
        fields = [
            "kind",
            "assistant",
            "case",
            "occurred_at",
            "duration_minutes",
            "service_point",
            "enterprise",
            "resident",
            "people_present",
            "notes",
        ]

    def clean_upload(self):
        files = self.cleaned_data.get("upload") or []
        visits.check_attachments(files)
        return files

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            try:
                visits.check_visit(
                    kind=data.get("kind"),
                    occurred_at=data.get("occurred_at"),
                    service_point=data.get("service_point"),
                    enterprise=data.get("enterprise"),
                    resident=data.get("resident"),
                    people_present=data.get("people_present"),
                )
                if data.get("case") is not None and data.get("assistant") is not None:
                    visits.check_case_for_visit(case=data["case"], assistant=data["assistant"])
            except ValidationError as error:
                self.add_error(None, error)
        return data


class VisitAttachmentInline(ReadOnlyInline):
    model = VisitAttachment
    fields = ["download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, attachment):
        # The scoped download (cases.files), never the file's storage path.
        return format_html('<a href="{}">{}</a>', attachment.get_absolute_url(), attachment)


@admin.register(Visit)
class VisitAdmin(ProgrammeAdmin):
    """Visits, logged through `visits.log_visit`, so cases get their timeline entry."""

    form = VisitAdminForm
    list_display = [
        "occurred_at",
        "kind",
        "assistant",
        "case_number",
        "place",
        "duration_minutes",
        "people_present",
        "attachment_count",
    ]
    list_filter = ["kind", "assistant__specialty", "assistant__partner"]
    list_select_related = [
        "assistant__partner",
        "case",
        "service_point",
        "enterprise",
        "resident",
    ]
    search_fields = ["assistant__name", "case__number", "enterprise__name", "service_point__name"]
    autocomplete_fields = ["assistant", "case", "service_point", "enterprise", "resident"]
    date_hierarchy = "occurred_at"
    inlines = [VisitAttachmentInline]
    fields = [*VisitAdminForm.Meta.fields, "upload"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            # A correlated count is worked out for the 50 rows shown; a JOIN + GROUP BY
            # aggregated every visit of the district first, which grew slow as visits piled up.
            .annotate(
                attachment_total=Coalesce(
                    Subquery(
                        VisitAttachment.objects.filter(visit=OuterRef("pk"))
                        .order_by()
                        .values("visit")
                        .annotate(total=Count("pk"))
                        .values("total")
                    ),
                    0,
                )
            )
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A logged visit is a record; staff may correct its notes and add attachments.
        return [name for name in self.fields if name not in ("notes", "upload")]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            super().save_model(request, obj, form, change)
            if data.get("upload"):
                visits.attach_files(visit=obj, files=data["upload"])
            return
        visit, _created = visits.log_visit(
            assistant=data["assistant"],
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            duration_minutes=data["duration_minutes"],
            case=data.get("case"),
            service_point=data.get("service_point"),
            enterprise=data.get("enterprise"),
            resident=data.get("resident"),
            people_present=data["people_present"],
            notes=data.get("notes", ""),
            attachments=data.get("upload") or (),
        )
        for model_field in Visit._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(visit, model_field.attname))
        obj._state.adding = False
        obj._state.db = visit._state.db

    @admin.display(description=_("case"), ordering="case__number")
    def case_number(self, visit):
        return visit.case.number if visit.case_id else "—"

    @admin.display(description=_("place"))
    def place(self, visit):
        if visit.service_point_id:
            return visit.service_point.name
        if visit.enterprise_id:
            return visit.enterprise.name
        if visit.resident_id:
            return mask_name(visit.resident.name)
        return "—"

    @admin.display(description=_("attachments"), ordering="attachment_total")
    def attachment_count(self, visit):
        return visit.attachment_total
