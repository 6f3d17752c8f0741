"""Attendance: checking in (with the distance from the point) and out, and the sweep that marks
shifts nobody checked in to as missed."""

import math
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice import events
from talentoffice.audit import log_bulk_changes

from ..choices import ShiftEventKind, ShiftStatus
from ..models import Shift, ShiftEvent
from .common import is_published, lock_shift, log_event
from .errors import (
    AlreadyCheckedIn,
    BadLocation,
    CheckInError,
    NotCheckedIn,
    NotYourShift,
    OutsideCheckInWindow,
)

# An assistant may check in this long before the shift starts (they arrive early to open up).
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
EARTH_RADIUS_METRES = 6_371_000


def distance_metres(lat1, lon1, lat2, lon2) -> int:
    """The great-circle distance between two points in whole metres (haversine formula)."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return round(2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a)))


def _distance_from_point(shift, latitude, longitude) -> int | None:
    point = shift.service_point
    if latitude is None or point.latitude is None or point.longitude is None:
        return None
    return distance_metres(latitude, longitude, point.latitude, point.longitude)


def _coordinate(value, limit):
    if value is None:
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as error:
        raise BadLocation() from error
    if not number.is_finite() or abs(number) > limit:
        raise BadLocation()
    return number


@events.step
def check_in(*, shift, assistant, at=None, latitude=None, longitude=None) -> Shift:
    """The shift's assistant confirms being on duty, from shortly before the start to the end.

    A shift already marked missed may still be checked in to before it ends: the assistant came
    late, and the record should say so rather than keep a wrong "missed".
    """
    at = at or timezone.now()
    latitude = _coordinate(latitude, 90)
    longitude = _coordinate(longitude, 180)
    if (latitude is None) != (longitude is None):
        raise BadLocation()
    shift = lock_shift(shift.pk)
    if shift.assistant_id != assistant.pk or not is_published(shift):
        raise NotYourShift()
    if shift.status in (ShiftStatus.CHECKED_IN, ShiftStatus.COMPLETED):
        raise AlreadyCheckedIn()
    if shift.status == ShiftStatus.CANCELLED:
        raise CheckInError(_("This shift was cancelled."), code="shift_cancelled")
    opens = shift.starts_at - CHECK_IN_OPENS_BEFORE
    if not (opens <= at < shift.ends_at):
        raise OutsideCheckInWindow(
            params={
                "opens": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}",
                "closes": f"{timezone.localtime(shift.ends_at):%H:%M}",
            }
        )
    was_missed = shift.status == ShiftStatus.MISSED
    distance = _distance_from_point(shift, latitude, longitude)
    shift.status = ShiftStatus.CHECKED_IN
    shift.checked_in_at = at
    shift.check_in_latitude = latitude
    shift.check_in_longitude = longitude
    shift.check_in_distance_m = distance
    # Allowed but flagged: indoors a phone's position can be off by hundreds of metres, so
    # refusing would stop honest assistants; staff look at the flagged ones instead.
    shift.check_in_far = distance is not None and distance > settings.CHECK_IN_FAR_METRES
    shift.save(
        update_fields=[
            "status",
            "checked_in_at",
            "check_in_latitude",
            "check_in_longitude",
            "check_in_distance_m",
            "check_in_far",
            "updated_at",
        ]
    )
    log_event(
        shift,
        ShiftEventKind.CHECKED_IN,
        actor=assistant.user,
        assistant=assistant,
        note="late" if was_missed else "",
        at=at,
    )
    return shift


@events.step
def check_out(*, shift, assistant, at=None) -> Shift:
    """The shift's assistant leaves duty; the shift is then completed."""
    at = at or timezone.now()
    shift = lock_shift(shift.pk)
    if shift.assistant_id != assistant.pk:
        raise NotYourShift()
    if shift.status != ShiftStatus.CHECKED_IN:
        raise NotCheckedIn()
    if at < shift.checked_in_at:
        raise CheckInError(
            _("Check-out cannot be before check-in."), code="check_out_before_check_in"
        )
    shift.status = ShiftStatus.COMPLETED
    shift.checked_out_at = at
    shift.save(update_fields=["status", "checked_out_at", "updated_at"])
    log_event(shift, ShiftEventKind.CHECKED_OUT, actor=assistant.user, assistant=assistant, at=at)
    return shift


@events.step
def mark_missed_shifts(*, now: datetime, grace_minutes: int = 15) -> list[int]:
    """Mark published, assigned shifts still unchecked `grace_minutes` after start as missed.

    Four queries whatever the table size: claim the rows, update them, write their history and
    their audit entries.
    Returns the ids marked, so the caller can alert staff about exactly these.
    """
    cutoff = now - timedelta(minutes=grace_minutes)
    # skip_locked: a shift being checked in right now is left alone; if the check-in fails, the
    # next sweep takes it. Two sweeps at once never both claim a shift, so no double history.
    claimed = list(
        Shift.objects.published()
        .select_for_update(of=("self",), skip_locked=True)
        .filter(status=ShiftStatus.SCHEDULED, assistant__isnull=False, starts_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", "assistant_id")
    )
    if not claimed:
        return []
    ids = [pk for pk, _assistant_id in claimed]
    Shift.objects.filter(pk__in=ids).update(status=ShiftStatus.MISSED, updated_at=now)
    # One more INSERT: the audit entries, whose old status the claim above fixed.
    log_bulk_changes(
        model=Shift,
        changes_by_pk={pk: {"status": (ShiftStatus.SCHEDULED, ShiftStatus.MISSED)} for pk in ids},
    )
    ShiftEvent.objects.bulk_create(
        ShiftEvent(
            shift_id=pk,
            kind=ShiftEventKind.MISSED,
            assistant_id=assistant_id,
            at=now,
            note=f"+{grace_minutes} min",
        )
        for pk, assistant_id in claimed
    )
    return ids
