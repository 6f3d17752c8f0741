"""Builders for shift templates, leave and hand-made shifts, used by the rota tests."""

from datetime import date, datetime, time

from assistants.models import Shift, ShiftTemplate, Unavailability
from assistants.rota import LOCAL_TZ


def make_template(**overrides) -> ShiftTemplate:
    fields = {
        "weekday": 0,
        "starts_at": time(9),
        "ends_at": time(12),
        "finance_needed": 1,
        "legal_needed": 1,
    } | overrides
    return ShiftTemplate.objects.create(**fields)


def make_unavailability(**overrides) -> Unavailability:
    fields = {"kind": "leave", "status": "approved"} | overrides
    return Unavailability.objects.create(**fields)


def local(day: date, at: time) -> datetime:
    """An aware datetime for a Shanghai wall-clock time."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def make_shift(*, day: date, starts: time, ends: time, **overrides) -> Shift:
    """A shift made by hand (no rota), e.g. one that rota generation must work around."""
    fields = {
        "date": day,
        "starts_at": local(day, starts),
        "ends_at": local(day, ends),
    } | overrides
    if "specialty" not in fields and fields.get("assistant") is not None:
        fields["specialty"] = fields["assistant"].specialty
    return Shift.objects.create(**fields)
