"""Builders for shifts, rotas, leave and swaps, on top of tests.factories."""

from datetime import date, datetime, time

from django.utils import timezone

from assistants.models import Rota, Shift, SwapRequest, Unavailability
from tests import factories


def local(day: date, at: time) -> datetime:
    """An aware datetime for a day and time in Asia/Shanghai."""
    return timezone.make_aware(datetime.combine(day, at))


def make_rota(**overrides) -> Rota:
    fields = {
        "name": f"值班表{factories.next_number()}",
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 3, 31),
        "status": "published",
    } | overrides
    if fields["status"] == "published":
        fields.setdefault("published_at", local(fields["starts_on"], time(8)))
    return Rota.objects.create(**fields)


def make_shift(**overrides) -> Shift:
    """A shift from 09:00 to 12:00 local time; published (no rota) unless a rota is given."""
    day = overrides.pop("date", date(2026, 3, 3))
    starts = overrides.pop("starts", time(9))
    ends = overrides.pop("ends", time(12))
    fields = {
        "date": day,
        "starts_at": local(day, starts),
        "ends_at": local(day, ends),
    } | overrides
    if "service_point" not in fields:
        fields["service_point"] = factories.make_service_point()
    if "specialty" not in fields:
        assistant = fields.get("assistant")
        fields["specialty"] = assistant.specialty if assistant else "finance"
    return Shift.objects.create(**fields)


def make_leave(**overrides) -> Unavailability:
    fields = {
        "kind": "leave",
        "starts_on": date(2026, 3, 3),
        "ends_on": date(2026, 3, 3),
        "status": "approved",
    } | overrides
    if "assistant" not in fields:
        fields["assistant"] = factories.make_assistant()
    return Unavailability.objects.create(**fields)


def make_swap(**overrides) -> SwapRequest:
    fields = dict(overrides)
    if "shift" not in fields:
        fields["shift"] = make_shift(assistant=fields.get("requested_by"))
    fields.setdefault("requested_by", fields["shift"].assistant)
    return SwapRequest.objects.create(**fields)


def dispatch_all(service_point, *assistants, starts_on=date(2026, 1, 1)):
    """Post each assistant to the service point from starts_on, open-ended."""
    for assistant in assistants:
        factories.make_dispatch(
            assistant=assistant, service_point=service_point, starts_on=starts_on
        )
