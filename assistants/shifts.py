"""The life of one shift after the rota is published: swaps, leave, staff assignment, attendance.

Every function here is the single place its rule lives; admin actions, mobile pages, the API and
Celery tasks all call them. Each step writes a `ShiftEvent`, and each change a subscribed calendar
should see bumps `Shift.sequence` (RFC 5545 SEQUENCE) so phones replace their copy.

Functions that change a shift first lock its row (`select_for_update`): two colleagues accepting
the same offer, or staff assigning while a swap completes, then run one after the other and the
second one sees the first one's result. Locks are always taken shift first, then swap request, so
two of these functions never wait on each other in opposite orders.
"""

import math
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice import events
from talentoffice.audit import log_bulk_changes

from .choices import ShiftEventKind, ShiftStatus, SwapStatus, UnavailabilityStatus
from .models import Assistant, Dispatch, Shift, ShiftEvent, SwapRequest, Unavailability

# An assistant may check in this long before the shift starts (they arrive early to open up).
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
LIVE_SWAP_STATUSES = (SwapStatus.OPEN, SwapStatus.ACCEPTED)
EARTH_RADIUS_METRES = 6_371_000


# ---------------------------------------------------------------------------------------------
# Errors: one class per refusal, so callers can tell them apart and show the message as it is.


class ShiftError(ValidationError):
    """A shift operation refused; nothing was changed."""

    default_message = _("This cannot be done with this shift.")
    default_code = "shift_error"

    def __init__(self, message=None, *, code=None, params=None):
        super().__init__(
            message or self.default_message, code=code or self.default_code, params=params
        )


class NotAllowed(ShiftError):
    default_message = _("Only the organization department's staff may do this.")
    default_code = "not_allowed"


class NotYourShift(ShiftError):
    default_message = _("This is not your shift.")
    default_code = "not_your_shift"


class ShiftNotOfferable(ShiftError):
    default_message = _("Only a published shift that has not started yet can be handed over.")
    default_code = "shift_not_offerable"


class ShiftNotAssignable(ShiftError):
    default_message = _("Only a scheduled shift can be given to an assistant.")
    default_code = "shift_not_assignable"


class NotSuitable(ShiftError):
    default_message = _("This assistant cannot take this shift.")
    default_code = "not_suitable"


class InactiveAssistant(NotSuitable):
    default_message = _("%(name)s is not serving in the programme at the moment.")
    default_code = "inactive_assistant"


class WrongSpecialty(NotSuitable):
    default_message = _("This shift needs a %(specialty)s assistant.")
    default_code = "wrong_specialty"


class NotDispatched(NotSuitable):
    default_message = _("%(name)s is not dispatched to %(point)s on %(date)s.")
    default_code = "not_dispatched"


class OnLeave(NotSuitable):
    default_message = _("%(name)s is on approved leave on %(date)s.")
    default_code = "on_leave"


class DoubleBooked(NotSuitable):
    default_message = _("%(name)s already has a shift at that time.")
    default_code = "double_booked"


class AlreadyOffered(ShiftError):
    default_message = _("This shift is already offered.")
    default_code = "already_offered"


class NotOffered(ShiftError):
    default_message = _("This shift was not offered to you.")
    default_code = "not_offered"


class OwnShift(ShiftError):
    default_message = _("You cannot take over your own shift.")
    default_code = "own_shift"


class SwapClosed(ShiftError):
    default_message = _("This swap request is no longer waiting for that step.")
    default_code = "swap_closed"


class SwapStale(ShiftError):
    default_message = _(
        "The shift changed since it was offered (new holder, cancelled, or started)."
    )
    default_code = "swap_stale"


class LeaveError(ShiftError):
    default_message = _("This leave request cannot be handled that way.")
    default_code = "leave_error"


class LeaveOverlaps(LeaveError):
    default_message = _("There is already leave requested or approved on some of these days.")
    default_code = "leave_overlaps"


class LeaveDecided(LeaveError):
    default_message = _("This leave request has already been decided.")
    default_code = "leave_decided"


class CheckInError(ShiftError):
    default_message = _("You cannot check in to this shift.")
    default_code = "check_in_error"


class OutsideCheckInWindow(CheckInError):
    default_message = _("Check-in is open from %(opens)s until the shift ends at %(closes)s.")
    default_code = "outside_check_in_window"


class AlreadyCheckedIn(CheckInError):
    default_message = _("You have already checked in to this shift.")
    default_code = "already_checked_in"


class NotCheckedIn(CheckInError):
    default_message = _("Check in before checking out.")
    default_code = "not_checked_in"


class BadLocation(CheckInError):
    default_message = _("The location sent with the check-in is not valid.")
    default_code = "bad_location"


# ---------------------------------------------------------------------------------------------
# Suitability: who may take a shift. Each rule is one queryset, used both to list colleagues in
# one query and to explain to one person which rule refused them.


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
    (700 at a busy point at scale 100); walking the point's dispatches in assistant order
    (the dispatch_point_assistant index) stops at the `limit`-th one. The same rules as
    suitable_colleagues, said from the dispatch; an assistant has at most one dispatch in force
    at a point (the database refuses overlapping ones), so no one is listed twice.
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


# ---------------------------------------------------------------------------------------------
# Small helpers shared by the services.


def _require_staff(user):
    if user is None or not (user.is_active and user.is_staff):
        raise NotAllowed()


def _lock_shift(shift_id) -> Shift:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to rota.
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("rota", "service_point", "assistant")
        .get(pk=shift_id)
    )


def _lock_swap(swap_id) -> SwapRequest:
    return (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("requested_by", "offered_to", "accepted_by")
        .get(pk=swap_id)
    )


def _is_published(shift) -> bool:
    return shift.rota_id is None or shift.rota.is_published


def _log(shift, kind, *, actor=None, assistant=None, note="", at=None) -> ShiftEvent:
    return ShiftEvent.objects.create(
        shift=shift,
        kind=kind,
        actor=actor,
        assistant=assistant,
        note=str(note)[:300],
        at=at or timezone.now(),
    )


def _give_shift(shift, assistant) -> None:
    """Put the shift in another assistant's hands, letting the database have the last word."""
    shift.assistant = assistant
    shift.sequence += 1
    try:
        # A savepoint, so the surrounding transaction survives the refusal and can report it.
        with transaction.atomic():
            shift.save(update_fields=["assistant", "sequence", "updated_at"])
    except IntegrityError as error:
        # check_suitable looked first; this catches a booking committed in between by another
        # transaction, which the exclusion constraint (trigger on SQLite) refuses.
        if assistant is not None and "shift_no_double_booking" in str(error):
            raise DoubleBooked(params={"name": assistant.name}) from error
        raise


def _offerable(shift, now) -> bool:
    return shift.status == ShiftStatus.SCHEDULED and _is_published(shift) and shift.starts_at > now


# ---------------------------------------------------------------------------------------------
# Swaps


@events.step
def offer_shift(*, shift, by_assistant, to_assistant=None, note="") -> SwapRequest:
    """The shift's assistant offers it to a named colleague, or to every suitable colleague."""
    shift = _lock_shift(shift.pk)
    if shift.assistant_id != by_assistant.pk:
        raise NotYourShift()
    if not _offerable(shift, timezone.now()):
        raise ShiftNotOfferable()
    if to_assistant is not None:
        if to_assistant.pk == by_assistant.pk:
            raise OwnShift()
        check_suitable(shift=shift, assistant=to_assistant)
    # The shift row is locked, so this check and the insert cannot interleave with another offer;
    # the partial unique index stays as the backstop for any path that skips this function.
    if SwapRequest.objects.filter(shift=shift, status__in=LIVE_SWAP_STATUSES).exists():
        raise AlreadyOffered()
    swap = SwapRequest.objects.create(
        shift=shift, requested_by=by_assistant, offered_to=to_assistant, note=note
    )
    _log(
        shift,
        ShiftEventKind.SWAP_OFFERED,
        actor=by_assistant.user,
        assistant=by_assistant,
        note=f"→ {to_assistant.name} {note}".strip() if to_assistant else note,
    )
    return swap


def _complete_swap(*, shift, swap, by=None, now) -> None:
    """Hand the shift to the colleague who accepted; the one step that changes the calendar."""
    previous = shift.assistant
    _give_shift(shift, swap.accepted_by)
    swap.status = SwapStatus.APPROVED
    swap.decided_by = by
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _log(
        shift,
        ShiftEventKind.SWAP_APPROVED,
        actor=by,
        assistant=swap.accepted_by,
        note=f"{previous.name} → {swap.accepted_by.name}",
        at=now,
    )


@events.step
def accept_swap(*, swap, by_assistant) -> SwapRequest:
    """A colleague takes up an offer: done at once, or waiting for staff where the point says so."""
    shift = _lock_shift(swap.shift_id)
    swap = _lock_swap(swap.pk)
    now = timezone.now()
    if swap.status != SwapStatus.OPEN:
        raise SwapClosed()
    if swap.requested_by_id == by_assistant.pk:
        raise OwnShift()
    if swap.offered_to_id is not None and swap.offered_to_id != by_assistant.pk:
        raise NotOffered()
    if shift.assistant_id != swap.requested_by_id or not _offerable(shift, now):
        raise SwapStale()
    check_suitable(shift=shift, assistant=by_assistant)
    swap.accepted_by = by_assistant
    swap.status = SwapStatus.ACCEPTED
    swap.save(update_fields=["accepted_by", "status", "updated_at"])
    _log(
        shift,
        ShiftEventKind.SWAP_ACCEPTED,
        actor=by_assistant.user,
        assistant=by_assistant,
        at=now,
    )
    if not shift.service_point.swaps_need_approval:
        _complete_swap(shift=shift, swap=swap, now=now)
    return swap


@events.step
def approve_swap(*, swap, by) -> SwapRequest:
    """Staff approve an accepted swap; the colleague's suitability is checked again now."""
    _require_staff(by)
    shift = _lock_shift(swap.shift_id)
    swap = _lock_swap(swap.pk)
    now = timezone.now()
    if swap.status != SwapStatus.ACCEPTED:
        raise SwapClosed()
    if shift.assistant_id != swap.requested_by_id or not _offerable(shift, now):
        raise SwapStale()
    # Leave may have been approved, or another shift given, since the colleague accepted.
    check_suitable(shift=shift, assistant=swap.accepted_by)
    _complete_swap(shift=shift, swap=swap, by=by, now=now)
    return swap


@events.step
def reject_swap(*, swap, by, note="") -> SwapRequest:
    """Staff turn a swap down; the shift stays with the assistant who offered it."""
    _require_staff(by)
    shift = _lock_shift(swap.shift_id)
    swap = _lock_swap(swap.pk)
    if swap.status not in LIVE_SWAP_STATUSES:
        raise SwapClosed()
    now = timezone.now()
    swap.status = SwapStatus.REJECTED
    swap.decided_by = by
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _log(
        shift,
        ShiftEventKind.SWAP_REJECTED,
        actor=by,
        assistant=swap.accepted_by,
        note=note,
        at=now,
    )
    return swap


@events.step
def cancel_swap(*, swap, by_assistant) -> SwapRequest:
    """The assistant who offered the shift withdraws the offer before it is done."""
    shift = _lock_shift(swap.shift_id)
    swap = _lock_swap(swap.pk)
    if swap.requested_by_id != by_assistant.pk:
        raise NotYourShift()
    if swap.status not in LIVE_SWAP_STATUSES:
        raise SwapClosed()
    swap.status = SwapStatus.CANCELLED
    swap.save(update_fields=["status", "updated_at"])
    _log(shift, ShiftEventKind.SWAP_CANCELLED, actor=by_assistant.user, assistant=by_assistant)
    return swap


def _withdraw_live_swaps(shift_ids, *, actor, now) -> None:
    """Withdraw offers on shifts whose holder changed under them: nobody may accept them now."""
    live = SwapRequest.objects.filter(shift_id__in=shift_ids, status__in=LIVE_SWAP_STATUSES)
    withdrawn = list(live.values_list("shift_id", "requested_by_id"))
    if not withdrawn:
        return
    live.update(status=SwapStatus.CANCELLED, updated_at=now)
    ShiftEvent.objects.bulk_create(
        ShiftEvent(
            shift_id=shift_id,
            kind=ShiftEventKind.SWAP_CANCELLED,
            actor=actor,
            assistant_id=requested_by_id,
            at=now,
        )
        for shift_id, requested_by_id in withdrawn
    )


# ---------------------------------------------------------------------------------------------
# Assignment by staff


@events.step
def assign_shift(*, shift, assistant, by) -> Shift:
    """Staff put an assistant on a shift (an open one, or in place of its current assistant)."""
    _require_staff(by)
    shift = _lock_shift(shift.pk)
    if shift.status != ShiftStatus.SCHEDULED:
        raise ShiftNotAssignable()
    if shift.assistant_id == assistant.pk:
        return shift
    check_suitable(shift=shift, assistant=assistant)
    now = timezone.now()
    previous = shift.assistant
    _give_shift(shift, assistant)
    _withdraw_live_swaps([shift.pk], actor=by, now=now)
    if previous is not None:
        _log(shift, ShiftEventKind.UNASSIGNED, actor=by, assistant=previous, at=now)
    _log(shift, ShiftEventKind.ASSIGNED, actor=by, assistant=assistant, at=now)
    return shift


# ---------------------------------------------------------------------------------------------
# Leave


@events.step
def request_leave(*, assistant, kind, starts_on, ends_on, reason="") -> Unavailability:
    """An assistant (or staff for them) asks for days off; nothing is blocked until approved."""
    if ends_on < starts_on:
        raise LeaveError(_("Leave cannot end before it starts."), code="leave_ends_before_start")
    # Lock the assistant row so two requests sent at once cannot both pass the overlap check.
    Assistant.objects.select_for_update().filter(pk=assistant.pk).first()
    overlapping = (
        Unavailability.objects.filter(assistant=assistant)
        .exclude(status=UnavailabilityStatus.REJECTED)
        .overlapping(starts_on, ends_on)
    )
    if overlapping.exists():
        raise LeaveOverlaps()
    leave = Unavailability(
        assistant=assistant, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    leave.full_clean()
    leave.save()
    return leave


def _lock_leave(leave_id) -> Unavailability:
    return (
        Unavailability.objects.select_for_update(of=("self",))
        .select_related("assistant")
        .get(pk=leave_id)
    )


@events.step
def approve_leave(*, unavailability, by) -> list[int]:
    """Staff approve leave: the assistant's future shifts on those days become open, staff told.

    Returns the ids of the shifts that were opened.
    """
    _require_staff(by)
    leave = _lock_leave(unavailability.pk)
    if leave.status != UnavailabilityStatus.REQUESTED:
        raise LeaveDecided()
    now = timezone.now()
    leave.status = UnavailabilityStatus.APPROVED
    leave.decided_by = by
    leave.decided_at = now
    leave.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])

    # Shifts already started stay: they are under way or over, and attendance tells the rest.
    # Locked in id order, so a concurrent swap on one of them waits instead of deadlocking.
    opened = list(
        Shift.objects.select_for_update(of=("self",))
        .filter(
            assistant=leave.assistant,
            status=ShiftStatus.SCHEDULED,
            date__range=(leave.starts_on, leave.ends_on),
            starts_at__gt=now,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not opened:
        return []
    Shift.objects.filter(pk__in=opened).update(
        assistant=None, sequence=F("sequence") + 1, updated_at=now
    )
    # The audit trail sees no signal from update(); the old assistant is known.
    log_bulk_changes(
        model=Shift,
        changes_by_pk={pk: {"assistant": (leave.assistant_id, None)} for pk in opened},
    )
    _withdraw_live_swaps(opened, actor=by, now=now)
    freed = ShiftEvent.objects.bulk_create(
        ShiftEvent(
            shift_id=shift_id,
            kind=ShiftEventKind.OPENED_BY_LEAVE,
            actor=by,
            assistant=leave.assistant,
            note=f"{leave.starts_on:%Y-%m-%d}–{leave.ends_on:%Y-%m-%d}",
            at=now,
        )
        for shift_id in opened
    )
    # Written in bulk, so no signal tells of them: each freed shift goes to the assistant's
    # partner, and staff hear once of the whole leave, after commit.
    events.announce(freed)
    events.announce([leave], kind="freed_shifts")
    return opened


@events.step
def reject_leave(*, unavailability, by) -> Unavailability:
    """Staff turn a leave request down; the assistant's shifts stay as they are."""
    _require_staff(by)
    leave = _lock_leave(unavailability.pk)
    if leave.status != UnavailabilityStatus.REQUESTED:
        raise LeaveDecided()
    leave.status = UnavailabilityStatus.REJECTED
    leave.decided_by = by
    leave.decided_at = timezone.now()
    leave.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return leave


# ---------------------------------------------------------------------------------------------
# Attendance


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
    shift = _lock_shift(shift.pk)
    if shift.assistant_id != assistant.pk or not _is_published(shift):
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
    _log(
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
    shift = _lock_shift(shift.pk)
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
    _log(shift, ShiftEventKind.CHECKED_OUT, actor=assistant.user, assistant=assistant, at=at)
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
