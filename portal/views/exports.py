"""The partner's spreadsheets: assistants, shifts with attendance, cases (residents masked)."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from assistants.models import Assistant, Shift
from cases.models import Case
from talentoffice.exporting import xlsx_response

from ..access import partner_page
from .cases import CASE_COLUMNS, masked

CHUNK = 2000


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@partner_page
def export_list(request):
    """The page that offers the three workbooks."""
    return render(request, "portal/exports.html")


@partner_page
def export_assistants(request):
    """Every assistant of the partner, one row each."""
    assistants = (
        Assistant.objects.visible_to(request.user)
        .prefetch_related("skills")
        .order_by("name", "pk")
        .iterator(chunk_size=CHUNK)
    )
    rows = (
        [
            assistant.name,
            assistant.get_specialty_display(),
            assistant.title,
            assistant.licence_number,
            "、".join(skill.name for skill in assistant.skills.all()),
            assistant.get_status_display(),
        ]
        for assistant in assistants
    )
    header = [_("name"), _("specialty"), _("job title"), _("practising-licence number")]
    header += [_("skills"), _("status")]
    return xlsx_response(_("Assistants"), header, rows, filename="assistants.xlsx")


@partner_page
def export_shifts(request):
    """The partner's shifts with their check-ins, newest first."""
    shifts = (
        Shift.objects.visible_to(request.user)
        .select_related("service_point", "assistant")
        .order_by("-starts_at", "-pk")
        .iterator(chunk_size=CHUNK)
    )
    rows = (
        [
            shift.date.isoformat(),
            _local(shift.starts_at),
            _local(shift.ends_at),
            shift.service_point.name,
            shift.assistant.name if shift.assistant_id else "",
            shift.get_status_display(),
            _local(shift.checked_in_at),
            _("yes") if shift.check_in_far else "",
        ]
        for shift in shifts
    )
    header = [_("date"), _("starts at"), _("ends at"), _("service point"), _("assistant")]
    header += [_("status"), _("checked in at"), _("far check-ins")]
    return xlsx_response(_("Duty"), header, rows, filename="shifts.xlsx")


@partner_page
def export_cases(request):
    """The cases the partner's people lead or help, masked as on the pages and in the API."""
    cases = (
        Case.objects.visible_to(request.user)
        .select_related("service_item", "lead", "resident", "enterprise")
        .only(*CASE_COLUMNS)
        .order_by("-created_at", "-pk")
        .iterator(chunk_size=CHUNK)
    )
    partner_id = request.partner.pk
    rows = (
        [
            row["case"].number,
            row["title"],
            row["case"].service_item.name,
            row["case"].get_state_display(),
            row["case"].target_date.isoformat() if row["case"].target_date else "",
            row["lead_name"],
            row["resident_name"]
            or (row["case"].enterprise.name if row["case"].enterprise_id else ""),
            row["resident_phone"],
        ]
        for row in (masked(case, partner_id) for case in cases)
    )
    header = [_("number"), _("title"), _("service item"), _("state"), _("target date")]
    header += [_("lead"), _("requester"), _("phone")]
    return xlsx_response(_("Cases"), header, rows, filename="cases.xlsx")
