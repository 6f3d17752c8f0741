"""What every step of the rota's workflow shares: its error, the local time zone, its history."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from ..choices import ShiftStatus
from ..models import Rota, Shift, ShiftEvent

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)


class RotaError(ValidationError):
    """A rota request that cannot be carried out; the message is meant for staff."""


def record_events(*, rota: Rota, kind: str, actor, at: datetime, assigned_only=False) -> None:
    """One history row per shift of the rota (per assigned shift if asked), in one statement."""
    # INSERT ... SELECT keeps tens of thousands of events out of Python altogether.
    quote = connection.ops.quote_name
    event, shift = ShiftEvent._meta, Shift._meta
    columns = ", ".join(
        quote(event.get_field(name).column)
        for name in ("shift", "kind", "at", "actor", "assistant", "note")
    )
    condition = ""
    if assigned_only:
        condition = f" AND {quote('assistant_id')} IS NOT NULL AND {quote('status')} <> %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(event.db_table)} ({columns}) "
            f"SELECT {quote(shift.pk.column)}, %s, %s, %s, {quote('assistant_id')}, %s "
            f"FROM {quote(shift.db_table)} WHERE {quote('rota_id')} = %s{condition}",
            [
                str(kind),
                at,
                actor.pk if actor is not None else None,
                rota.name[:300],
                rota.pk,
                *([ShiftStatus.CANCELLED.value] if assigned_only else []),
            ],
        )
