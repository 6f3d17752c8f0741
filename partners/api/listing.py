"""List pages built from `.values()` rows instead of model instances and model serializers.

A page of 50 cases through `CaseSerializer` spends most of its time building model instances
and walking DRF fields value by value. A list action here fetches the same columns as plain
rows and turns each into the serializer's output with one small function per field. The
serializers stay the source of the schema and serve detail and create; tests/api/test_listing.py
proves, for every list, that both give the same items.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

from django.db import router
from django.utils import timezone

from assistants.models import Assistant
from cases.models import Case
from talentoffice.masking import mask_name, mask_phone
from talentoffice.statements import rows_for_values


@dataclass(frozen=True)
class Page:
    """What the field functions of one page may need besides the row."""

    partner_id: int
    timezone: Any


# A field function: (row, page) -> the value the serializer would give.
FieldFunction = Callable[[dict, Page], Any]


def day(name: str) -> FieldFunction:
    """A date as DRF's DateField writes it (ISO 8601), or None."""

    def value(row, page):
        date = row[name]
        return date.isoformat() if date else None

    return value


def moment(name: str) -> FieldFunction:
    """A datetime as DRF's DateTimeField writes it: in the current time zone, UTC as `Z`.

    Away from UTC (Beijing time, in practice) the value stays a datetime: orjson writes it as
    `isoformat()` does, in C, four times faster than making the text here. At offset zero DRF
    writes `Z`, so the text is made here.
    """

    def value(row, page):
        instant = row[name]
        if not instant:
            return None
        local = instant.astimezone(page.timezone)
        if local.utcoffset():
            return local
        text = local.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return value


def masked_name(name: str, present: str) -> FieldFunction:
    """The resident's name masked (王*), None when the row has no resident."""
    return lambda row, page: mask_name(row[name]) if row[present] else None


def masked_phone(name: str, present: str) -> FieldFunction:
    """The resident's phone masked (138****5678), None when the row has no resident."""
    return lambda row, page: mask_phone(row[name]) if row[present] else None


@dataclass(frozen=True)
class ListShape:
    """How one list's rows become items: the columns to fetch and each output field's source.

    A source is a column name, for values the serializer passes on as they come (ids, numbers,
    text, choices, booleans), or a field function. `attach`, if given, adds to the page's rows
    what a separate query brings (a list per row), with the one query a `prefetch_related`
    would have run.
    """

    columns: tuple[str, ...]
    fields: tuple[tuple[str, str | FieldFunction], ...]
    attach: Callable[[list[dict], Page], None] | None = None

    @cached_property
    def _plan(self):
        names = tuple(name for name, _source in self.fields)
        # Every column in one C call; a computed field first takes the id's value as a stand-in,
        # so that the item keeps the serializer's key order when the function overwrites it.
        columns = itemgetter(*(s if isinstance(s, str) else "id" for _n, s in self.fields))
        computed = tuple((name, s) for name, s in self.fields if not isinstance(s, str))
        return names, columns, computed

    def items(self, rows: list[dict], *, partner_id: int) -> list[dict]:
        page = Page(partner_id=partner_id, timezone=timezone.get_current_timezone())
        if self.attach is not None and rows:
            self.attach(rows, page)
        names, columns, computed = self._plan
        items = []
        for row in rows:
            item = dict(zip(names, columns(row), strict=True))
            for name, value in computed:
                item[name] = value(row, page)
            items.append(item)
        return items


def _attach_lists(rows, key: str, links) -> None:
    """Give each row under `key` the list of second values of `links` (row id, value) in order."""
    lists = defaultdict(list)
    for row_id, value in links:
        lists[row_id].append(value)
    for row in rows:
        row[key] = lists.get(row["id"], [])


def _attach_skills(rows, page):
    # As prefetch_related("skills") orders them: by the skill's name.
    def links(ids):
        return (
            Assistant.skills.through.objects.filter(assistant_id__any=ids)
            .order_by("skill__name")
            .values_list("assistant_id", "skill__name")
        )

    ids, using = [row["id"] for row in rows], router.db_for_read(Assistant)
    _attach_lists(rows, "skills", rows_for_values(("skills",), links, ids, using))


def _attach_own_helpers(rows, page):
    # Only the partner's own assistants, in the assistants' default order (name, id), as the
    # serializer's prefetch of `helpers` gives them.
    def links(ids):
        return (
            Case.helpers.through.objects.filter(
                case_id__any=ids, assistant__partner_id=page.partner_id
            )
            .order_by("assistant__name", "assistant_id")
            .values_list("case_id", "assistant_id")
        )

    ids, using = [row["id"] for row in rows], router.db_for_read(Case)
    key = ("own helpers", page.partner_id)
    _attach_lists(rows, "helpers", rows_for_values(key, links, ids, using))


def _own_lead(row, page):
    # Another partner's lead is not named to this partner.
    return row["lead_id"] if row["lead__partner_id"] == page.partner_id else None


AGREEMENTS = ListShape(
    columns=("id", "title", "signed_on", "starts_on", "ends_on", "scope"),
    fields=(
        ("id", "id"),
        ("title", "title"),
        ("signed_on", day("signed_on")),
        ("starts_on", day("starts_on")),
        ("ends_on", day("ends_on")),
        ("scope", "scope"),
    ),
)

ASSISTANTS = ListShape(
    columns=(
        "id",
        "name",
        "specialty",
        "title",
        "phone",
        "licence_number",
        "party_member",
        "max_shifts_per_week",
        "status",
        "created_at",
        "updated_at",
    ),
    fields=(
        ("id", "id"),
        ("name", "name"),
        ("specialty", "specialty"),
        ("title", "title"),
        ("phone", "phone"),
        ("licence_number", "licence_number"),
        ("party_member", "party_member"),
        ("max_shifts_per_week", "max_shifts_per_week"),
        ("status", "status"),
        ("skills", "skills"),
        ("created_at", moment("created_at")),
        ("updated_at", moment("updated_at")),
    ),
    attach=_attach_skills,
)

SHIFTS = ListShape(
    columns=(
        "id",
        "date",
        "starts_at",
        "ends_at",
        "service_point_id",
        "service_point__name",
        "specialty",
        "assistant_id",
        "status",
        "checked_in_at",
        "checked_out_at",
    ),
    fields=(
        ("id", "id"),
        ("date", day("date")),
        ("starts_at", moment("starts_at")),
        ("ends_at", moment("ends_at")),
        ("service_point", "service_point_id"),
        ("service_point_name", "service_point__name"),
        ("specialty", "specialty"),
        ("assistant", "assistant_id"),
        ("status", "status"),
        ("checked_in_at", moment("checked_in_at")),
        ("checked_out_at", moment("checked_out_at")),
    ),
)

CASES = ListShape(
    columns=(
        "id",
        "number",
        "title",
        "service_item_id",
        "service_item__name",
        "service_item__specialty",
        "source",
        "service_point_id",
        "priority",
        "state",
        "outcome",
        "target_date",
        "lead_id",
        "lead__partner_id",
        "resident_id",
        "resident__name",
        "resident__phone",
        "enterprise__name",
        "beneficiaries",
        "created_at",
        "assigned_at",
        "accepted_at",
        "resolved_at",
        "follow_up_due",
        "closed_at",
    ),
    fields=(
        ("id", "id"),
        ("number", "number"),
        ("title", "title"),
        ("service_item", "service_item_id"),
        ("service_item_name", "service_item__name"),
        ("specialty", "service_item__specialty"),
        ("source", "source"),
        ("service_point", "service_point_id"),
        ("priority", "priority"),
        ("state", "state"),
        ("outcome", "outcome"),
        ("target_date", day("target_date")),
        ("lead", _own_lead),
        ("helpers", "helpers"),
        ("resident_name", masked_name("resident__name", "resident_id")),
        ("resident_phone", masked_phone("resident__phone", "resident_id")),
        ("enterprise_name", "enterprise__name"),
        ("beneficiaries", "beneficiaries"),
        ("created_at", moment("created_at")),
        ("assigned_at", moment("assigned_at")),
        ("accepted_at", moment("accepted_at")),
        ("resolved_at", moment("resolved_at")),
        ("follow_up_due", day("follow_up_due")),
        ("closed_at", moment("closed_at")),
    ),
    attach=_attach_own_helpers,
)

VISITS = ListShape(
    columns=(
        "id",
        "kind",
        "assistant_id",
        "case_id",
        "occurred_at",
        "duration_minutes",
        "service_point_id",
        "resident_id",
        "resident__name",
        "people_present",
        "notes",
        "created_at",
    ),
    fields=(
        ("id", "id"),
        ("kind", "kind"),
        ("assistant", "assistant_id"),
        ("case", "case_id"),
        ("occurred_at", moment("occurred_at")),
        ("duration_minutes", "duration_minutes"),
        ("service_point", "service_point_id"),
        ("resident_name", masked_name("resident__name", "resident_id")),
        ("people_present", "people_present"),
        ("notes", "notes"),
        ("created_at", moment("created_at")),
    ),
)
