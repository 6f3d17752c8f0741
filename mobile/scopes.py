"""What an assistant may open on the mobile pages, built on the models' visible_to querysets,
and the assistant's own cases read so that a page costs the same however long their history.

Enterprises and residents are staff-only records (StaffOnlyQuerySet); an assistant reaches
the requesters of the cases they lead or help with (Case.objects.visible_to), and the
enterprises they are the active liaison of (挂钩联系), whom they visit without a case.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q

from cases.models import Case, Enterprise, EnterpriseLiaison, Resident


@dataclass(frozen=True)
class CaseOrder:
    """An order of cases said twice: for the database, and as a key for merging in Python."""

    fields: tuple
    key: Callable


# Soonest target date first (none last), then newest; served by the case_lead_due indexes.
SOONEST_DUE = CaseOrder(
    fields=(F("target_date").asc(nulls_last=True), "-pk"),
    key=lambda case: (case.target_date is None, case.target_date or date.min, -case.pk),
)
# Newest first; served by the case_lead_newest index.
NEWEST = CaseOrder(fields=("-pk",), key=lambda case: -case.pk)


def helped_case_ids(assistant) -> list[int]:
    """The cases the assistant helps with, read once per request (usually a handful)."""
    helped = getattr(assistant, "_helped_case_ids", None)
    if helped is None:
        helped = list(
            Case.helpers.through.objects.filter(assistant=assistant).values_list(
                "case_id", flat=True
            )
        )
        assistant._helped_case_ids = helped
    return helped


def cases_visible_to(user, assistant):
    """Case.objects.visible_to(user), with the same set said again in a form indexes can serve.

    visible_to ORs "I lead it" with a subquery of the cases I help with; PostgreSQL cannot
    combine an OR with a hashed subquery through indexes, so it filters every open case of
    the district. ANDing "lead is me or the id is one of these few" lets it start from the lead
    index and the primary key; visible_to stays the authority on what may be seen.
    """
    return Case.objects.visible_to(user).filter(
        Q(lead=assistant) | Q(pk__in=helped_case_ids(assistant))
    )


def first_cases(user, assistant, cases, order: CaseOrder, stop: int) -> list:
    """The first `stop` of the assistant's cases among `cases` (a Case queryset) in `order`.

    Even ANDed as in cases_visible_to, an OR cannot be read in order from an index: the
    database fetches every matching case, joins and sorts them all to keep twenty, which grows
    with the assistant's history (thousands of cases for a busy assistant after some years). So
    the cases led and the few helped with are read apart, each in order and limited, and merged.
    """
    visible = cases & Case.objects.visible_to(user)
    rows = list(visible.filter(lead=assistant).order_by(*order.fields)[:stop])
    helped = helped_case_ids(assistant)
    if helped:
        rows += visible.filter(pk__in=helped).exclude(lead=assistant).order_by(*order.fields)[:stop]
    return sorted(rows, key=order.key)[:stop]


class MyCases:
    """The assistant's cases among `cases` in `order`, sliceable like a queryset (for paging)."""

    def __init__(self, user, assistant, cases, order: CaseOrder):
        self.user, self.assistant, self.cases, self.order = user, assistant, cases, order

    def __getitem__(self, window: slice) -> list:
        rows = first_cases(self.user, self.assistant, self.cases, self.order, window.stop)
        return rows[window.start or 0 :]


def enterprises_visible_to(user, assistant):
    """Enterprises of the assistant's cases and those they are the active liaison of."""
    cases = cases_visible_to(user, assistant).filter(enterprise__isnull=False)
    liaisons = EnterpriseLiaison.objects.filter(assistant=assistant, active=True)
    return Enterprise.objects.filter(
        Q(pk__in=cases.values("enterprise_id")) | Q(pk__in=liaisons.values("enterprise_id"))
    )


def residents_visible_to(user, assistant):
    """Residents (households) of the assistant's cases."""
    cases = cases_visible_to(user, assistant).filter(resident__isnull=False)
    return Resident.objects.filter(pk__in=cases.values("resident_id"))


def recent_requesters(user, assistant, cases, limit: int) -> tuple[list, list]:
    """Up to `limit` residents and `limit` enterprises, of the newest of my cases among `cases`.

    Read through the cases, newest first and limited, rather than through every requester of
    every case I ever had: the phone lists the households and enterprises of my recent work.
    """
    residents, enterprises = {}, {}
    for case in first_cases(user, assistant, cases, NEWEST, 4 * limit):
        if case.resident_id and len(residents) < limit:
            residents.setdefault(case.resident_id, case.resident)
        if case.enterprise_id and len(enterprises) < limit:
            enterprises.setdefault(case.enterprise_id, case.enterprise)
    return list(residents.values()), list(enterprises.values())


def my_requester_ids(user, assistant) -> tuple[list[int], list[int]]:
    """The residents and the enterprises of all my cases, as two lists of ids.

    A search by name must look at every requester I ever served. Read as ids first, the search
    then picks those few rows by primary key; asked as one join, the planner would rather scan
    every resident of the district for the name.
    """
    residents, enterprises = set(), set()
    for resident_id, enterprise_id in cases_visible_to(user, assistant).values_list(
        "resident_id", "enterprise_id"
    ):
        if resident_id:
            residents.add(resident_id)
        if enterprise_id:
            enterprises.add(enterprise_id)
    return sorted(residents), sorted(enterprises)
