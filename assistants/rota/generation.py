"""Rota generation: one `Shift` per seat of every duty day of a period, filled where possible.

Generation turns the active shift templates into one `Shift` per seat for every duty day of a
period and fills the seats in Python from data loaded in a handful of queries, so that a month
for the whole district stays fast with tens of thousands of assistants. The rules a filled seat
obeys (specialty, dispatch, approved leave, weekly maximum, no double booking) live in
`_Planner.fits`; the database's exclusion constraint backs the last one.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import AssistantStatus, ShiftEventKind, Specialty
from ..models import (
    Dispatch,
    Rota,
    ServicePoint,
    Shift,
    ShiftTemplate,
    Unavailability,
)
from .calendar import DutyCalendar
from .common import LOCAL_TZ, RotaError, record_events

# A quarter at most: longer ranges are slow to review and outlive the official calendar.
MAX_RANGE_DAYS = 92
BATCH_SIZE = 2000
# Any constant will do; it only has to differ from other advisory locks in the project.
GENERATION_LOCK_KEY = 3_000_001


@dataclass(frozen=True)
class _Slot:
    """One template on one day: the seats of one specialty to fill together."""

    day: date
    template: ShiftTemplate
    specialty: str
    seats: int
    starts_at: datetime
    ends_at: datetime

    @property
    def point_id(self) -> int:
        return self.template.service_point_id


def _check_range(starts_on: date, ends_on: date) -> None:
    """Refuse a reversed or overlong period with a message for staff."""
    if ends_on < starts_on:
        raise RotaError(_("A rota cannot end before it starts."), code="rota_range_reversed")
    if (ends_on - starts_on).days + 1 > MAX_RANGE_DAYS:
        raise RotaError(
            _("A rota can cover at most %(days)d days; split the period.")
            % {"days": MAX_RANGE_DAYS},
            code="rota_range_too_long",
        )


def _local(day: date, at: time) -> datetime:
    """The aware datetime of a Shanghai wall-clock time on a day."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def _slots(templates: list[ShiftTemplate], starts_on: date, ends_on: date) -> list[_Slot]:
    """Every seat the templates ask for on the duty days of the range, in time order."""
    calendar = DutyCalendar(starts_on, ends_on)
    by_point_weekday: dict[tuple[int, int], list[ShiftTemplate]] = defaultdict(list)
    for template in templates:
        by_point_weekday[template.service_point_id, template.weekday].append(template)
    point_ids = sorted({template.service_point_id for template in templates})
    slots = []
    day = starts_on
    while day <= ends_on:
        weekdays = calendar.weekdays_for(day)
        for point_id in point_ids:
            # The first weekday for which the point has templates sets the day's duty.
            chosen = next(
                (by_point_weekday[point_id, w] for w in weekdays if by_point_weekday[point_id, w]),
                [],
            )
            for template in chosen:
                for specialty, seats in (
                    (Specialty.FINANCE, template.finance_needed),
                    (Specialty.LEGAL, template.legal_needed),
                ):
                    if seats:
                        slots.append(
                            _Slot(
                                day=day,
                                template=template,
                                specialty=specialty,
                                seats=seats,
                                starts_at=_local(day, template.starts_at),
                                ends_at=_local(day, template.ends_at),
                            )
                        )
        day += timedelta(days=1)
    slots.sort(key=lambda s: (s.starts_at, s.point_id, s.template.pk, s.specialty))
    return slots


@dataclass
class _Candidate:
    """What the planner knows about one assistant who may fill seats."""

    pk: int
    partner_id: int
    max_per_week: int
    tie_break: bytes = b""
    # service point id -> dispatch periods there, (first day, last day or None)
    postings: dict[int, list[tuple[date, date | None]]] = field(default_factory=dict)
    leave: list[tuple[date, date]] = field(default_factory=list)


@dataclass
class _Group:
    """The assistants of one specialty dispatched to one point, queued per partner.

    Each partner's heap holds (shifts so far, tie-break, assistant id); entries go stale when the
    assistant is booked elsewhere and are refreshed lazily when they reach the top. Assistants
    who cannot serve until a known day (leave, weekly maximum reached, dispatch not begun)
    sleep in `sleepers` until that day instead of being looked at for every seat.
    """

    heaps: dict[int, list[tuple[int, bytes, int]]] = field(default_factory=dict)
    sleepers: list[tuple[date, int, int]] = field(default_factory=list)


class _Planner:
    """Fills seats greedily in time order: fewest shifts first, then the partner with fewest."""

    def __init__(self, *, starts_on: date, ends_on: date, point_ids: list[int]):
        self.starts_on, self.ends_on = starts_on, ends_on
        self.candidates: dict[int, _Candidate] = {}
        self.count: dict[int, int] = defaultdict(int)
        self.partner_count: dict[int, int] = defaultdict(int)
        self.week_count: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
        self.busy: dict[tuple[int, date], list[tuple[datetime, datetime]]] = defaultdict(list)
        self.groups: dict[tuple[int, str], _Group] = {}
        self._load(point_ids)

    # -- loading: three queries ----------------------------------------------------------

    def _load(self, point_ids: list[int]) -> None:
        """Candidates with their postings, approved leave, and shifts already held."""
        starts_on, ends_on = self.starts_on, self.ends_on
        postings = (
            Dispatch.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on),
                service_point_id__in=point_ids,
                starts_on__lte=ends_on,
                assistant__status=AssistantStatus.ACTIVE,
            )
            .order_by("assistant_id", "service_point_id", "starts_on")
            .values_list(
                "assistant_id",
                "service_point_id",
                "starts_on",
                "ends_on",
                "assistant__specialty",
                "assistant__partner_id",
                "assistant__max_shifts_per_week",
            )
        )
        members: dict[tuple[int, str], set[int]] = defaultdict(set)
        for pk, point_id, first, last, specialty, partner_id, max_per_week in postings:
            candidate = self.candidates.get(pk)
            if candidate is None:
                candidate = self.candidates[pk] = _Candidate(pk, partner_id, max_per_week)
            candidate.postings.setdefault(point_id, []).append((first, last))
            members[point_id, specialty].add(pk)
        # The tie-break is a hash of the assistant's rank, not of the primary key, so that the
        # same district loaded into another database (ids shifted) gets the same rota; seeding
        # it with the start date varies who goes first from one period to the next.
        for rank, pk in enumerate(sorted(self.candidates)):
            self.candidates[pk].tie_break = hashlib.blake2b(
                f"{starts_on.isoformat()}:{rank}".encode(), digest_size=8
            ).digest()

        for pk, first, last in (
            Unavailability.objects.approved()
            .overlapping(starts_on, ends_on)
            .filter(assistant__status=AssistantStatus.ACTIVE)
            .values_list("assistant_id", "starts_on", "ends_on")
        ):
            if pk in self.candidates:
                self.candidates[pk].leave.append((first, last))

        # Live shifts already held count against the weekly maximum for the whole ISO weeks the
        # range touches, and block overlapping seats; drafts count too, since publishing them
        # would otherwise double-book.
        week_start = starts_on - timedelta(days=starts_on.weekday())
        week_end = ends_on + timedelta(days=7 - ends_on.weekday())
        for pk, day, shift_start, shift_end in (
            Shift.objects.live()
            .filter(
                assistant__isnull=False,
                starts_at__lt=_local(week_end, time.min),
                ends_at__gt=_local(week_start, time.min),
            )
            .values_list("assistant_id", "date", "starts_at", "ends_at")
        ):
            candidate = self.candidates.get(pk)
            if candidate is None:
                continue
            self.week_count[pk, day.isocalendar()[:2]] += 1
            if starts_on <= day <= ends_on:
                self.count[pk] += 1
                self.partner_count[candidate.partner_id] += 1
            local_day = timezone.localtime(shift_start, LOCAL_TZ).date()
            last_day = timezone.localtime(shift_end, LOCAL_TZ).date()
            while local_day <= last_day:
                self.busy[pk, local_day].append((shift_start, shift_end))
                local_day += timedelta(days=1)

        for key, pks in members.items():
            group = self.groups[key] = _Group()
            for pk in sorted(pks):
                candidate = self.candidates[pk]
                group.heaps.setdefault(candidate.partner_id, []).append(
                    (self.count[pk], candidate.tie_break, pk)
                )
            for heap in group.heaps.values():
                heapq.heapify(heap)

    # -- the rules ---------------------------------------------------------------------------

    def fits(self, pk: int, slot: _Slot) -> tuple[bool, date | None]:
        """Whether the assistant may take a seat of the slot, and if not, when to ask again.

        The second value is None when asking again after this slot is enough (a clash with
        another shift), or the first day that can work (after leave, in the next week, when a
        dispatch begins); date.max means never within this rota.
        """
        candidate = self.candidates[pk]
        day = slot.day
        postings = candidate.postings[slot.point_id]
        if not any(first <= day and (last is None or day <= last) for first, last in postings):
            later = [first for first, _last in postings if first > day]
            return False, min(later) if later else date.max
        for first, last in candidate.leave:
            if first <= day <= last:
                return False, last + timedelta(days=1)
        if self.week_count[pk, day.isocalendar()[:2]] >= candidate.max_per_week:
            return False, day + timedelta(days=7 - day.weekday())
        for other_start, other_end in self.busy[pk, day]:
            if other_start < slot.ends_at and slot.starts_at < other_end:
                return False, None
        return True, None

    def book(self, pk: int, slot: _Slot) -> None:
        """Count the seat against the assistant, their partner and their week; block the hour."""
        candidate = self.candidates[pk]
        self.count[pk] += 1
        self.partner_count[candidate.partner_id] += 1
        self.week_count[pk, slot.day.isocalendar()[:2]] += 1
        self.busy[pk, slot.day].append((slot.starts_at, slot.ends_at))

    # -- filling -----------------------------------------------------------------------------

    def fill(self, slot: _Slot) -> list[int | None]:
        """The assistants for the slot's seats; None for each seat nobody can take."""
        group = self.groups.get((slot.point_id, slot.specialty))
        if group is None:
            return [None] * slot.seats
        while group.sleepers and group.sleepers[0][0] <= slot.day:
            _wake, partner_id, pk = heapq.heappop(group.sleepers)
            heapq.heappush(
                group.heaps[partner_id], (self.count[pk], self.candidates[pk].tie_break, pk)
            )
        chosen: list[int | None] = []
        set_aside: list[tuple[int, int]] = []
        while len(chosen) < slot.seats:
            best = None
            for partner_id, heap in group.heaps.items():
                # Refresh entries made stale by bookings at other points; counts only grow.
                while heap and heap[0][0] != self.count[heap[0][2]]:
                    _old, tie_break, pk = heap[0]
                    heapq.heapreplace(heap, (self.count[pk], tie_break, pk))
                if heap:
                    count, tie_break, pk = heap[0]
                    key = (count, self.partner_count[partner_id], tie_break)
                    if best is None or key < best[0]:
                        best = (key, partner_id)
            if best is None:
                break
            partner_id = best[1]
            _count, _tie_break, pk = heapq.heappop(group.heaps[partner_id])
            ok, retry_on = self.fits(pk, slot)
            if ok:
                self.book(pk, slot)
                chosen.append(pk)
                set_aside.append((partner_id, pk))
            elif retry_on is None:
                set_aside.append((partner_id, pk))
            elif retry_on != date.max:
                heapq.heappush(group.sleepers, (retry_on, partner_id, pk))
        for partner_id, pk in set_aside:
            heapq.heappush(
                group.heaps[partner_id], (self.count[pk], self.candidates[pk].tie_break, pk)
            )
        return chosen + [None] * (slot.seats - len(chosen))


def _lock_generation() -> None:
    """Serialise rota generation, so two at once cannot hand one assistant the same hour."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GENERATION_LOCK_KEY])


@transaction.atomic
def generate_rota(
    *,
    starts_on: date,
    ends_on: date,
    service_point: ServicePoint | None = None,
    created_by=None,
    name: str | None = None,
) -> Rota:
    """Create a draft rota for the period with every seat of its duty days, filled where possible.

    For the whole district when `service_point` is None. Seats that nobody can take stay open.
    """
    _check_range(starts_on, ends_on)
    if service_point is not None and not service_point.active:
        raise RotaError(_("This service point is not in use."), code="rota_point_inactive")
    _lock_generation()

    templates = ShiftTemplate.objects.filter(active=True, service_point__active=True)
    if service_point is not None:
        templates = templates.filter(service_point=service_point)
    templates = list(templates.order_by("service_point_id", "weekday", "starts_at", "pk"))
    if not templates:
        raise RotaError(
            _("There are no shift templates in use to build a rota from."),
            code="rota_no_templates",
        )

    clashing = Rota.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if service_point is not None:
        clashing = clashing.filter(Q(service_point__isnull=True) | Q(service_point=service_point))
    clash = clashing.order_by("starts_on", "pk").first()
    if clash is not None:
        # Two rotas for one point and day would staff every seat twice.
        raise RotaError(
            _(
                "The rota “%(name)s” already covers part of this period at these service "
                "points. Discard it or choose other dates."
            )
            % {"name": clash.name},
            code="rota_overlaps",
        )

    slots = _slots(templates, starts_on, ends_on)
    if not slots:
        raise RotaError(
            _("There is no duty in this period: every day is a holiday or has no templates."),
            code="rota_no_duty_days",
        )

    point_ids = sorted({template.service_point_id for template in templates})
    planner = _Planner(starts_on=starts_on, ends_on=ends_on, point_ids=point_ids)
    rota = Rota.objects.create(
        name=name or _default_name(starts_on, ends_on, service_point),
        starts_on=starts_on,
        ends_on=ends_on,
        service_point=service_point,
        created_by=created_by,
    )
    rows = [
        {
            "rota_id": rota.pk,
            "template_id": slot.template.pk,
            "service_point_id": slot.point_id,
            "date": slot.day,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "specialty": str(slot.specialty),
            "assistant_id": assistant_id,
        }
        for slot in slots
        for assistant_id in planner.fill(slot)
    ]
    try:
        # A savepoint, so that a clash raised by the database becomes a message, not a 500.
        with transaction.atomic():
            _insert_shifts(rows)
    except IntegrityError as error:
        if "shift_no_double_booking" not in str(error):
            raise
        # Only a shift assigned by hand while we planned can get here: generation is locked.
        raise RotaError(
            _("Shifts changed while the rota was being generated; please try again."),
            code="rota_conflict",
        ) from error
    record_events(rota=rota, kind=ShiftEventKind.CREATED, actor=created_by, at=timezone.now())
    return rota


def _insert_shifts(rows: list[dict]) -> None:
    """Insert shifts given as {attname: value}; any other column takes the field's default.

    On PostgreSQL through COPY: a month for the whole district is tens of thousands of rows, and
    building a model instance per row costs more than the insert itself. Elsewhere (the embedded
    SQLite default, small districts) through bulk_create.
    """
    if connection.vendor != "postgresql":
        Shift.objects.bulk_create([Shift(**row) for row in rows], batch_size=BATCH_SIZE)
        return
    now = timezone.now()
    fields = [f for f in Shift._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            # Evaluated once: fine for Shift, whose defaults are constants.
            default = f.get_default() if f.has_default() else None
            # A choices member goes in as its value, whatever psycopg makes of enums.
            defaults[f.attname] = default.value if isinstance(default, Enum) else default
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"COPY {quote(Shift._meta.db_table)} ({columns}) FROM STDIN"
    # wrap_database_errors turns psycopg's exclusion violation into Django's IntegrityError.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row([row.get(f.attname, defaults[f.attname]) for f in fields])


def _default_name(starts_on: date, ends_on: date, service_point: ServicePoint | None) -> str:
    """ "<point or whole district> <first day>–<last day>", within the name's 100 characters."""
    where = service_point.name if service_point is not None else gettext("whole district")
    return f"{where} {starts_on:%Y-%m-%d}–{ends_on:%Y-%m-%d}"[:100]
