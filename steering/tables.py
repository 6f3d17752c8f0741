"""The columns of every list behind a figure, shared by the list page and its Excel export.

Households are personal data: their names and phones are masked here as in every list and
export. Titles and places are typed by people and may carry a phone or an ID number, so they go
through the one scrubber, for every role: these lists are for counting, not for calling.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from assistants.choices import AssistantStatus, ShiftStatus, Specialty
from cases.choices import CaseOutcome, CaseState, VisitKind
from talentoffice.masking import mask_name, mask_phone, scrub

from .choices import ActivityKind

_LABELS: dict = {}


def label(choices, value) -> str:
    """A choice's label in the current language, looked up once per export, not per row.

    (get_FOO_display hashes the field's whole choice list on every call: a third of an
    export's time went there.)
    """
    key = (choices, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(text) for value, text in choices.choices}
    return labels.get(value, value)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day(day):
    return day.strftime("%Y-%m-%d") if day else ""


@dataclass(frozen=True)
class Table:
    """Columns, the joins that fill them without extra queries, and one row's cells."""

    columns: tuple
    related: tuple
    cells: object  # row -> list of cell values
    link: object = None  # row -> admin URL of the row, or None
    only: tuple = ()  # the fields the cells read, so that exports load nothing else


def _admin(name):
    return lambda row: reverse(f"admin:{name}_change", args=[row.pk])


ASSISTANTS = Table(
    (_("name"), _("partner"), _("specialty"), _("status")),
    ("partner",),
    lambda a: [
        a.name,
        a.partner.short_name,
        label(Specialty, a.specialty),
        label(AssistantStatus, a.status),
    ],
    _admin("assistants_assistant"),
)
ENTERPRISES = Table(
    (_("name"), _("unified social credit code"), _("street"), _("industry")),
    ("street",),
    lambda e: [e.name, e.credit_code, e.street.name, e.industry],
    _admin("cases_enterprise"),
)
HOUSEHOLDS = Table(
    (_("name"), _("phone"), _("community"), _("household size")),
    ("community__street",),
    lambda r: [mask_name(r.name), mask_phone(r.phone), str(r.community or ""), r.household_size],
    _admin("cases_resident"),
)
CASES = Table(
    (
        _("case number"),
        _("title"),
        _("service item"),
        _("state"),
        _("outcome"),
        _("opened"),
        _("target date"),
        _("resolved"),
        _("lead assistant"),
        _("beneficiaries"),
    ),
    ("service_item", "lead"),
    lambda c: [
        c.number,
        scrub(c.title),
        c.service_item.name,
        label(CaseState, c.state),
        label(CaseOutcome, c.outcome) if c.outcome else "",
        _local(c.created_at),
        _day(c.target_date),
        _local(c.resolved_at),
        c.lead.name if c.lead else "",
        c.beneficiaries,
    ],
    _admin("cases_case"),
    (
        "number",
        "title",
        "state",
        "outcome",
        "created_at",
        "target_date",
        "resolved_at",
        "beneficiaries",
        "service_item__name",
        "lead__name",
    ),
)
VISITS = Table(
    (_("when"), _("kind"), _("assistant"), _("enterprise"), _("household"), _("people present")),
    ("assistant", "enterprise", "resident"),
    lambda v: [
        _local(v.occurred_at),
        label(VisitKind, v.kind),
        v.assistant.name,
        v.enterprise.name if v.enterprise else "",
        mask_name(v.resident.name) if v.resident else "",
        v.people_present,
    ],
    _admin("cases_visit"),
)
ACTIVITIES = Table(
    (_("held on"), _("kind"), _("title"), _("place"), _("attendees"), _("beneficiaries")),
    (),
    lambda a: [
        _day(a.held_on),
        label(ActivityKind, a.kind),
        scrub(a.title),
        scrub(a.place),
        a.attendees,
        a.beneficiaries,
    ],
    _admin("steering_activity"),
)
FOLLOW_UPS = Table(
    (_("case number"), _("due on"), _("done at"), _("satisfaction (1–5)")),
    ("case",),
    lambda f: [f.case.number, _day(f.due_on), _local(f.done_at), f.satisfaction or ""],
    _admin("cases_followup"),
)
SHIFTS = Table(
    (_("date"), _("service point"), _("assistant"), _("specialty"), _("status")),
    ("service_point", "assistant"),
    lambda s: [
        _day(s.date),
        s.service_point.name,
        s.assistant.name if s.assistant else "",
        label(Specialty, s.specialty),
        label(ShiftStatus, s.status),
    ],
    _admin("assistants_shift"),
)

TABLES = {
    "assistants_dispatched": ASSISTANTS,
    "enterprises_reached": ENTERPRISES,
    "households_reached": HOUSEHOLDS,
    "cases_opened": CASES,
    "cases_resolved": CASES,
    "disputes_mediated": VISITS,
    "activities_held": ACTIVITIES,
    "follow_ups_due": FOLLOW_UPS,
    "follow_ups_done": FOLLOW_UPS,
    "shifts_due": SHIFTS,
}
