"""Rota reminders: the sweep that Celery beat runs every minute.

Four kinds, timed by `ReminderPolicy` rows that staff edit (defaults below when a row is missing):

- day_before: the assistant, from the set hour of the day before the shift until that day begins;
- before_shift: the assistant, from the set minutes before the start until the start;
- open_slot: district staff, for a shift without an assistant starting within the set days;
- missed_check_in: district staff, when an assistant has not checked in the set minutes
  after the start (the sweep first marks such shifts missed through
  `assistants.shifts.mark_missed_shifts`) and the shift is still running.

Each is due over a window, not at one instant, so a sweep that was down catches up on what still
matters and skips what is stale (a shift that started, or a day-before reminder on the day
itself). Each kind is one indexed range query on `starts_at` that leaves out shifts already told
(the notification is looked up in the same query), so a sweep with nothing due runs at most six
queries (with the one of `mark_missed_shifts`) whatever the size of the shift table. Every message
also goes to the service point's group-chat robots. Each kind is written in one insert, and the
notifications' unique constraint makes each reminder once-only even when sweeps overlap.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from talentoffice import kinds
from talentoffice.access import district_staff
from talentoffice.models import ChatWebhook, Notification
from talentoffice.notifications import Message, notify_many, quiet_hours_end

from .choices import ReminderKind, ShiftStatus
from .models import ReminderPolicy, Shift
from .shifts.attendance import mark_missed_shifts

logger = logging.getLogger(__name__)

# Used when staff have not created a policy row for a kind (a data migration should add them).
DEFAULT_POLICIES = {
    ReminderKind.DAY_BEFORE: {"hour": 18},
    ReminderKind.BEFORE_SHIFT: {"minutes": 60},
    ReminderKind.OPEN_SLOT: {"days": 3},
    ReminderKind.MISSED_CHECK_IN: {"minutes": 15},
}
# At most this many shifts per kind in one sweep, earliest first; the rest wait a minute, so a
# sweep stays well under the minute between two sweeps.
BATCH = 500
# No shift lasts longer: bounds the missed-check-in range scan from below.
LONGEST_SHIFT = timedelta(days=1)


# The columns of a due shift that rendering, recipients and deliveries use.
CANDIDATE_FIELDS = (
    "starts_at",
    "ends_at",
    "specialty",
    "status",
    "service_point__name",
    "service_point__address",
    "assistant__name",
    "assistant__user__email",
    "assistant__user__notification_preference__language",
    "assistant__user__notification_preference__email_enabled",
    "assistant__user__notification_preference__quiet_from",
    "assistant__user__notification_preference__quiet_until",
)
# The specialty's label by value, translated when it is shown in the recipient's language.
SPECIALTY_LABELS = dict(Shift._meta.get_field("specialty").flatchoices)


@dataclass(frozen=True)
class Policy:
    """The timing of one kind of reminder, from its row or from the defaults."""

    kind: str
    hour: int | None = None
    minutes: int | None = None
    days: int | None = None


def load_policies() -> dict[str, Policy]:
    """The active policies by kind (one query); a kind switched off by staff is left out."""
    rows = {row.kind: row for row in ReminderPolicy.objects.all()}
    policies = {}
    for kind, defaults in DEFAULT_POLICIES.items():
        row = rows.get(kind)
        if row is not None and not row.active:
            continue
        values = {}
        for field, default in defaults.items():
            value = getattr(row, field) if row is not None else None
            values[field] = default if value is None else value
        policies[kind] = Policy(kind=kind, **values)
    return policies


def shift_type_id() -> Subquery:
    """The shift's content type id, read once by the statement that uses it."""
    return Subquery(
        ContentType.objects.filter(
            app_label=Shift._meta.app_label, model=Shift._meta.model_name
        ).values("pk")[:1]
    )


def _told(kind: str):
    """The notifications of this kind about the outer shift."""
    # Like notifications.told(), but with the content type as a value known before the shifts
    # are read rather than joined by its natural key: each due shift's "already told?" is then
    # one lookup of the shift's id in the notifications' target index, however the planner
    # weighs the join. Joined, a sweep of thousands of due shifts was seen reading every
    # notification of the kind once per shift, slower with each batch it wrote.
    return Notification.objects.filter(
        kind=f"shift.{kind}", target_type=shift_type_id(), target_id=OuterRef("pk")
    )


def _told_assistant(kind: str) -> Exists:
    # Once per shift and assistant: a shift given to someone else reminds the new assistant.
    return Exists(
        _told(kind).filter(occasion=Cast(OuterRef("assistant_id"), output_field=CharField()))
    )


def _told_group(kind: str) -> Exists:
    # The recipient-less row written with the robots' message marks the alert as given.
    return Exists(_told(kind).filter(recipient__isnull=True))


def _candidates():
    """Published, scheduled shifts with what rendering and delivery need, fetched in bulk."""
    return (
        Shift.objects.published()
        .select_related("service_point", "assistant__user__notification_preference")
        # Only what the messages and their deliveries read: a sweep of thousands of shifts
        # spends its time building rows, not asking the database.
        .only(*CANDIDATE_FIELDS)
        .prefetch_related(
            Prefetch(
                "service_point__chat_webhooks",
                queryset=ChatWebhook.objects.filter(active=True),
                to_attr="active_webhooks",
            )
        )
        # The start time alone, which the (status, starts_at) index hands over in order: the
        # LIMIT then stops after a batch of due shifts instead of sorting every one of them.
        .order_by("starts_at")
    )


def due_day_before(now: datetime, policy: Policy) -> list[Shift]:
    """Tomorrow's assigned shifts not yet reminded, once today's set hour has come."""
    local = timezone.localtime(now)
    if local.hour < policy.hour:
        return []  # not yet time today; yesterday's reminders were for today's shifts: stale
    tomorrow = local.date() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time.min))
    return list(
        _candidates()
        .filter(
            status=ShiftStatus.SCHEDULED,
            assistant__isnull=False,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
        )
        .exclude(_told_assistant(ReminderKind.DAY_BEFORE))[:BATCH]
    )


def due_before_shift(now: datetime, policy: Policy) -> list[Shift]:
    """Assigned shifts starting within the set minutes, not yet reminded; started ones are stale."""
    return list(
        _candidates()
        .filter(
            status=ShiftStatus.SCHEDULED,
            assistant__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(minutes=policy.minutes),
        )
        .exclude(_told_assistant(ReminderKind.BEFORE_SHIFT))[:BATCH]
    )


def due_open_slot(now: datetime, policy: Policy) -> list[Shift]:
    """Shifts without an assistant starting within the set days, not yet alerted."""
    return list(
        _candidates()
        .filter(
            status=ShiftStatus.SCHEDULED,
            assistant__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(days=policy.days),
        )
        .exclude(_told_group(ReminderKind.OPEN_SLOT))[:BATCH]
    )


def due_missed_check_in(now: datetime, policy: Policy) -> list[Shift]:
    """Running shifts marked missed (no check-in the set minutes after start), not yet alerted."""
    return list(
        _candidates()
        .filter(
            status=ShiftStatus.MISSED,
            assistant__isnull=False,
            starts_at__gt=now - LONGEST_SHIFT,
            starts_at__lte=now - timedelta(minutes=policy.minutes),
            ends_at__gt=now,
        )
        .exclude(_told_group(ReminderKind.MISSED_CHECK_IN))[:BATCH]
    )


def _facts(shift: Shift) -> dict:
    """The values messages about a shift use, in the active language."""
    starts_at = timezone.localtime(shift.starts_at)
    return {
        "point": shift.service_point.name,
        "address": shift.service_point.address,
        "specialty": str(SPECIALTY_LABELS.get(shift.specialty, shift.specialty)),
        "date": f"{starts_at:%Y-%m-%d}",
        "start": f"{starts_at:%H:%M}",
        "end": f"{timezone.localtime(shift.ends_at):%H:%M}",
        "assistant": shift.assistant.name if shift.assistant_id else "",
    }


def _render(shift: Shift, kind: str):
    """A render callable for notify(): builds the texts when the language is known."""

    def render():
        return kinds.render(f"shift.{kind}", _facts(shift))

    return render


def _remind_assistants(shifts: list[Shift], kind: str, now: datetime) -> int:
    """Tell each shift's assistant (when they have a login) and the point's robots."""
    return len(
        notify_many(
            [
                Message(
                    recipient=shift.assistant.user,
                    kind=f"shift.{kind}",
                    target=shift,
                    occasion=shift.assistant_id,
                    render=_render(shift, kind),
                    webhooks=shift.service_point.active_webhooks,
                    not_before=quiet_hours_end(
                        user=shift.assistant.user, at=now, event_at=shift.starts_at
                    ),
                )
                for shift in shifts
            ]
        )
    )


def _alert_staff(shifts: list[Shift], kind: str, now: datetime) -> int:
    """Tell the point's robots once per shift, and district staff each in their own inbox."""
    # The recipient-less rows go first: their uniqueness lets exactly one of two overlapping
    # sweeps go on with a shift (the other waits for this transaction, then skips it).
    groups = notify_many(
        [
            Message(
                recipient=None,
                kind=f"shift.{kind}",
                target=shift,
                render=_render(shift, kind),
                webhooks=shift.service_point.active_webhooks,
            )
            for shift in shifts
        ]
    )
    if not groups:
        return 0
    staff = list(district_staff())
    personal = notify_many(
        [
            Message(
                recipient=user,
                kind=f"shift.{kind}",
                target=group.target,
                render=group.render,
                link=reverse("admin:assistants_shift_change", args=[group.target.pk]),
                not_before=quiet_hours_end(user=user, at=now, event_at=group.target.starts_at),
            )
            for group in groups
            for user in staff
        ]
    )
    return len(groups) + len(personal)


def sweep_reminders(now: datetime | None = None) -> int:
    """Write every reminder and alert due now; returns how many notifications were written."""
    now = now or timezone.now()
    policies = load_policies()
    finders = {
        ReminderKind.DAY_BEFORE: due_day_before,
        ReminderKind.BEFORE_SHIFT: due_before_shift,
        ReminderKind.OPEN_SLOT: due_open_slot,
        ReminderKind.MISSED_CHECK_IN: due_missed_check_in,
    }
    # Attendance first: shifts without a check-in become missed, whether or not staff want the
    # alert; the missed-check-in alert below then reads that status.
    missed_policy = policies.get(ReminderKind.MISSED_CHECK_IN)
    grace = (
        missed_policy.minutes
        if missed_policy is not None
        else DEFAULT_POLICIES[ReminderKind.MISSED_CHECK_IN]["minutes"]
    )
    mark_missed_shifts(now=now, grace_minutes=grace)
    written = 0
    for kind, find in finders.items():
        policy = policies.get(kind)
        if policy is None:
            continue
        shifts = find(now, policy)
        if not shifts:
            continue
        # One transaction and one insert per kind: a failure leaves the other kinds written.
        if kind in (ReminderKind.OPEN_SLOT, ReminderKind.MISSED_CHECK_IN):
            written += _alert_staff(shifts, kind, now)
        else:
            written += _remind_assistants(shifts, kind, now)
    if written:
        logger.info("reminder sweep wrote %s notifications", written)
    return written
