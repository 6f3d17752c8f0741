"""Who may take a shift. Each rule is one queryset, used both to list colleagues in one query and
to explain to one person which rule refused them."""

from django.db.models import Exists, OuterRef

from ..models import Assistant, Dispatch, Shift, Unavailability
from .errors import DoubleBooked, InactiveAssistant, NotDispatched, OnLeave, WrongSpecialty


def _dispatches_covering(shift):
    return Dispatch.objects.current_on(shift.date).filter(service_point_id=shift.service_point_id)


def _approved_leave_on(shift):
    return Unavailability.objects.approved().overlapping(shift.date, shift.date)


def _live_shifts_overlapping(shift):
    # All live shifts, drafts included: the database's double-booking constraint counts them too.
    return Shift.objects.live().between(shift.starts_at, shift.ends_at).exclude(pk=shift.pk)


def _free_of_leave_and_shifts(shift, assistant_ref: OuterRef) -> list:
    """Conditions that the assistant `assistant_ref` points at is neither on leave nor booked."""
    return [
        ~Exists(_approved_leave_on(shift).filter(assistant=assistant_ref)),
        ~Exists(_live_shifts_overlapping(shift).filter(assistant=assistant_ref)),
    ]


def suitable_colleagues(shift):
    """Active assistants who could take this shift: right specialty, dispatched, free, not on leave.

    One query whatever the number of assistants (three EXISTS subqueries).
    """
    colleagues = (
        Assistant.objects.active()
        .filter(specialty=shift.specialty)
        .filter(Exists(_dispatches_covering(shift).filter(assistant=OuterRef("pk"))))
        .filter(*_free_of_leave_and_shifts(shift, OuterRef("pk")))
    )
    if shift.assistant_id is not None:
        colleagues = colleagues.exclude(pk=shift.assistant_id)
    return colleagues


def some_suitable_colleagues(shift, limit: int):
    """Up to `limit` of the suitable colleagues (by assistant id), with their partners, by name.

    For a pick list on a phone. Sorting every suitable colleague by name would read them all
    (hundreds at a busy point of a large district); walking the point's dispatches in
    assistant order (the dispatch_point_assistant index) stops at the `limit`-th one. The
    same rules as suitable_colleagues, said from the dispatch; an assistant has at most one
    dispatch in force at a point (the database refuses overlapping ones), so no one is listed
    twice.
    """
    first = (
        _dispatches_covering(shift)
        .filter(assistant__in=Assistant.objects.active().filter(specialty=shift.specialty))
        .filter(*_free_of_leave_and_shifts(shift, OuterRef("assistant_id")))
        .exclude(assistant_id=shift.assistant_id)
        .order_by("assistant_id")
        .values("assistant_id")[:limit]
    )
    return Assistant.objects.filter(pk__in=first).select_related("partner").order_by("name", "pk")


def check_suitable(*, shift, assistant) -> None:
    """Raise the NotSuitable error that explains why this assistant cannot take this shift."""
    params = {
        "name": assistant.name,
        "date": shift.date.isoformat(),
        "point": shift.service_point.name,
        "specialty": shift.get_specialty_display(),
    }
    if not assistant.is_active:
        raise InactiveAssistant(params=params)
    if assistant.specialty != shift.specialty:
        raise WrongSpecialty(params=params)
    if not _dispatches_covering(shift).filter(assistant=assistant).exists():
        raise NotDispatched(params=params)
    if _approved_leave_on(shift).filter(assistant=assistant).exists():
        raise OnLeave(params=params)
    if _live_shifts_overlapping(shift).filter(assistant=assistant).exists():
        raise DoubleBooked(params=params)
