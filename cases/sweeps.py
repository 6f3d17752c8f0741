"""Case reminders and escalations: the sweep beat runs every few minutes, and the daily digest.

`sweep_case_reminders` writes four kinds, each once:

- unaccepted: district staff, when an assigned case is still not accepted (签收) at
  its `accept_by`; once per assignment (the occasion is `assigned_at`), so a reassigned case
  that again waits too long escalates again. The timeline gets an ESCALATED entry;
- warning (预警): the lead, `CASE_WARNING_WORKDAYS` working days before the target date; once per
  target date, so an approved extension re-arms it. The timeline gets a WARNED entry;
- follow_up: the lead, `CASE_FOLLOW_UP_REMINDER_DAYS` days before a return visit is due;
- liaison: the liaison assistant, when their enterprise has not been visited within its
  interval (`cases.liaison`); once per liaison and due date, so the next interval re-arms it.

The unaccepted escalation is due from `accept_by` for as long as the case waits, whenever the
sweep runs. The three day-based kinds go from `CASE_REMINDER_HOUR` (district time) on, so nobody
is woken at midnight, and are due over a window: a sweep that was down catches up on them until
the date itself; past it a warning or reminder is stale, and the case or follow-up is overdue,
which the daily digest tells staff instead.

`send_daily_digest` writes ONE notification per district staff member per day listing the open
cases past their target date and the return visits past due, with counts and the first numbers:
staff read one message a morning, not one per case.

Each kind is one indexed range query that leaves out what was already told (the notification,
or the timeline entry that goes with it, is looked up in the same query), so a quiet sweep runs
at most five queries whatever the size of the case tables, and the digest four plus its writes.
Each kind is then written in one insert, and the notifications' unique constraint makes every
message once-only even when sweeps overlap.
"""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast, TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from talentoffice import kinds
from talentoffice.access import district_staff
from talentoffice.models import NotificationKind
from talentoffice.notifications import Message, notify_many, quiet_hours_end, told
from talentoffice.workdays import add_workdays, not_official_years

from .choices import CaseEventKind, CaseState
from .liaison import enterprises_due_for_visit
from .models import Case, CaseEvent, EnterpriseLiaison, FollowUp

logger = logging.getLogger(__name__)

# At most this many items per kind in one sweep, most urgent first; the rest wait for the next
# sweep a few minutes later, so one sweep stays short.
BATCH = 500
# How many case numbers a digest lists for each kind; the count says how many there are in all.
DIGEST_LIST = 10
# States in which a case has a lead working towards its target date.
LED_OPEN_STATES = (CaseState.ASSIGNED, CaseState.IN_PROGRESS)


def warning_workdays() -> int:
    """Working days before the target date when the lead is warned (CASE_WARNING_WORKDAYS)."""
    return settings.CASE_WARNING_WORKDAYS


def follow_up_reminder_days() -> int:
    """Days before a return visit when the lead is reminded (CASE_FOLLOW_UP_REMINDER_DAYS)."""
    return settings.CASE_FOLLOW_UP_REMINDER_DAYS


def reminder_hour() -> int:
    """Local hour from which day-based reminders go out (setting CASE_REMINDER_HOUR)."""
    return settings.CASE_REMINDER_HOUR


def _told(kind: str, model, occasion=None) -> Exists:
    """True for a row whose notification of this kind (and occasion) is already written."""
    return Exists(told(kind=kind, model=model, target_id=OuterRef("pk"), occasion=occasion))


def _as_text(field: str) -> Cast:
    # A date is stored as its ISO text in the occasion (notifications.occasion_text), which is
    # how PostgreSQL and SQLite both write a date as text.
    return Cast(OuterRef(field), output_field=CharField())


# --- finders ---------------------------------------------------------------------------------


def _cases():
    """Cases with what rendering and delivery need, fetched in the same query."""
    return Case.objects.select_related("service_item", "lead__user__notification_preference")


def due_unaccepted(now: datetime) -> list[Case]:
    """Assigned cases past their accept-by time whose current assignment was not escalated."""
    # The ESCALATED entry written with the marker says "this assignment was escalated": an
    # entry from before the latest assignment belongs to an earlier lead and does not count.
    escalated = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind=CaseEventKind.ESCALATED, at__gte=OuterRef("assigned_at")
    )
    return list(
        _cases()
        .filter(state=CaseState.ASSIGNED, accept_by__lte=now)
        .exclude(Exists(escalated))
        .order_by("accept_by", "pk")[:BATCH]
    )


def due_warnings(today: date, workdays: int) -> list[Case]:
    """Led open cases whose target date is today or within `workdays` working days, not warned."""
    last = add_workdays(today, workdays)
    not_official = not_official_years(today, last)
    if not_official:
        # Nobody reads a sweep's page, so its log says that these days were counted on a year
        # without its holiday notice, until staff enter it.
        logger.warning(
            "deadline warnings counted on a calendar that is not official: %s",
            ", ".join(f"{year} {state}" for year, state in not_official.items()),
        )
    return list(
        _cases()
        .filter(state__in=LED_OPEN_STATES, target_date__gte=today, target_date__lte=last)
        .exclude(_told(NotificationKind.CASE_WARNING, Case, _as_text("target_date")))
        .order_by("target_date", "pk")[:BATCH]
    )


def due_follow_ups(today: date, days: int) -> list[FollowUp]:
    """Open return visits of resolved cases due from today to `days` ahead, not yet reminded."""
    return list(
        FollowUp.objects.select_related(
            "case__service_item", "case__lead__user__notification_preference"
        )
        .filter(
            done_at__isnull=True,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=days),
            case__state=CaseState.RESOLVED,
        )
        .exclude(_told(NotificationKind.CASE_FOLLOW_UP, FollowUp))
        .order_by("due_on", "pk")[:BATCH]
    )


def due_liaisons(today: date) -> list:
    """Liaisons due for their enterprise visit whose reminder for this due date is not written."""
    return list(
        enterprises_due_for_visit(today=today)
        .select_related("assistant__user__notification_preference")
        # The due date in district time (TruncDate uses the current time zone).
        .annotate(due_day=TruncDate("visit_due_at"))
        .exclude(
            _told(NotificationKind.CASE_LIAISON_VISIT, EnterpriseLiaison, _as_text("due_day"))
        )[:BATCH]
    )


# --- messages --------------------------------------------------------------------------------


def _case_facts(case: Case) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "item": case.service_item.name,
        "lead": case.lead.name if case.lead_id else "",
        "target": case.target_date.isoformat() if case.target_date else "—",
    }


def _render_unaccepted(case: Case):
    def render():
        facts = _case_facts(case) | {
            "accept_by": f"{timezone.localtime(case.accept_by):%Y-%m-%d %H:%M}"
        }
        return kinds.render(NotificationKind.CASE_UNACCEPTED, facts)

    return render


def _render_warning(case: Case, today: date):
    def render():
        variant = "today" if case.target_date == today else ""
        return kinds.render(NotificationKind.CASE_WARNING, _case_facts(case), variant)

    return render


def _render_follow_up(follow_up: FollowUp):
    def render():
        facts = _case_facts(follow_up.case) | {"due": follow_up.due_on.isoformat()}
        return kinds.render(NotificationKind.CASE_FOLLOW_UP, facts)

    return render


def _render_liaison(link, due_on: date):
    def render():
        last = link.last_visit_at
        facts = {
            "enterprise": link.enterprise.name,
            "days": link.visit_interval_days,
            "due": due_on.isoformat(),
            "last": f"{timezone.localtime(last):%Y-%m-%d}" if last else gettext("never"),
        }
        return kinds.render(NotificationKind.CASE_LIAISON_VISIT, facts)

    return render


def _timeline_note(template: str, params: dict) -> str:
    """A system note for the timeline in the district's language: the official record reads the
    same whoever looks at it (as in cases.deadlines)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(template) % params


# --- writers ---------------------------------------------------------------------------------
# Each kind is written in one transaction with one insert: the unique constraint on the
# notifications leaves out what an overlapping sweep wrote meanwhile, and only what this sweep
# wrote gets its timeline entry.


def _escalate_unaccepted(cases: list[Case], now: datetime) -> int:
    """Mark each assignment escalated, note it in the timeline, and tell district staff."""
    # The recipient-less markers are written first: their uniqueness lets exactly one of two
    # overlapping sweeps go on with a case (the other waits for this transaction, then skips).
    markers = notify_many(
        [
            Message(
                recipient=None,
                kind=NotificationKind.CASE_UNACCEPTED,
                target=case,
                occasion=case.assigned_at,
                render=_render_unaccepted(case),
            )
            for case in cases
        ]
    )
    escalated = [message.target for message in markers]
    if not escalated:
        return 0
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            kind=CaseEventKind.ESCALATED,
            assistant=case.lead,
            note=_timeline_note(
                gettext_noop("Not accepted by %(accept_by)s: escalated to staff."),
                {"accept_by": f"{timezone.localtime(case.accept_by):%Y-%m-%d %H:%M}"},
            ),
        )
        for case in escalated
    )
    staff = list(district_staff())
    told_staff = notify_many(
        [
            Message(
                recipient=user,
                kind=NotificationKind.CASE_UNACCEPTED,
                target=case,
                occasion=case.assigned_at,
                render=_render_unaccepted(case),
                link=reverse("admin:cases_case_change", args=[case.pk]),
                not_before=quiet_hours_end(user=user, at=now),
            )
            for case in escalated
            for user in staff
        ]
    )
    return len(told_staff)


def _warn_leads(cases: list[Case], today: date, now: datetime) -> int:
    """Warn each lead (when they have a login) and note the warning in the timeline."""
    # A lead without a login still gets the row: it marks the warning as given, and the
    # timeline entry shows staff and the partner that it was.
    warned = notify_many(
        [
            Message(
                recipient=case.lead.user,
                kind=NotificationKind.CASE_WARNING,
                target=case,
                occasion=case.target_date,
                render=_render_warning(case, today),
                not_before=quiet_hours_end(user=case.lead.user, at=now),
            )
            for case in cases
        ]
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=message.target,
            kind=CaseEventKind.WARNED,
            assistant=message.target.lead,
            note=_timeline_note(
                gettext_noop("Deadline warning sent: target date %(target)s."),
                {"target": message.target.target_date.isoformat()},
            ),
        )
        for message in warned
    )
    return sum(message.recipient is not None for message in warned)


def _remind_follow_ups(follow_ups: list[FollowUp], now: datetime) -> int:
    reminded = notify_many(
        [
            Message(
                recipient=follow_up.case.lead.user,
                kind=NotificationKind.CASE_FOLLOW_UP,
                target=follow_up,
                render=_render_follow_up(follow_up),
                not_before=quiet_hours_end(user=follow_up.case.lead.user, at=now),
            )
            for follow_up in follow_ups
        ]
    )
    return sum(message.recipient is not None for message in reminded)


def _remind_liaisons(links: list, now: datetime) -> int:
    reminded = notify_many(
        [
            Message(
                recipient=link.assistant.user,
                kind=NotificationKind.CASE_LIAISON_VISIT,
                target=link,
                occasion=link.due_day,
                render=_render_liaison(link, link.due_day),
                not_before=quiet_hours_end(user=link.assistant.user, at=now),
            )
            for link in links
        ]
    )
    return sum(message.recipient is not None for message in reminded)


def sweep_case_reminders(*, now: datetime | None = None) -> int:
    """Write every case escalation and reminder due now; returns how many people were told."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    today = local_now.date()
    written = 0

    unaccepted = due_unaccepted(now)
    if unaccepted:
        written += _escalate_unaccepted(unaccepted, now)

    if local_now.hour >= reminder_hour():
        warnings = due_warnings(today, warning_workdays())
        if warnings:
            written += _warn_leads(warnings, today, now)
        follow_ups = due_follow_ups(today, follow_up_reminder_days())
        if follow_ups:
            written += _remind_follow_ups(follow_ups, now)
        liaisons = due_liaisons(today)
        if liaisons:
            written += _remind_liaisons(liaisons, now)

    if written:
        logger.info("case sweep told %s people", written)
    return written


# --- the daily digest ------------------------------------------------------------------------


def overdue_cases(today: date):
    """Open cases whose target date has passed, most overdue first."""
    return Case.objects.due_before(today).order_by("target_date", "pk")


def overdue_follow_ups(today: date):
    """Return visits of resolved cases not done by their due date, most overdue first."""
    return FollowUp.objects.filter(
        done_at__isnull=True, due_on__lt=today, case__state=CaseState.RESOLVED
    ).order_by("due_on", "pk")


def _render_digest(day: date, cases: list, case_count: int, visits: list, visit_count: int):
    def render():
        digest = kinds.template(NotificationKind.CASE_DIGEST)
        lines = []
        if case_count:
            lines.append(digest.part("cases", {"count": case_count}))
            lines += [f"- {number} ({target.isoformat()})" for number, target in cases]
            if case_count > len(cases):
                lines.append(digest.part("more", {"more": case_count - len(cases)}))
        if visit_count:
            lines.append(digest.part("visits", {"count": visit_count}))
            lines += [f"- {number} ({due.isoformat()})" for number, due in visits]
            if visit_count > len(visits):
                lines.append(digest.part("more", {"more": visit_count - len(visits)}))
        names = {
            "day": day.isoformat(),
            "cases": case_count,
            "visits": visit_count,
            "lines": "\n".join(lines),
        }
        return digest.render(names)

    return render


def send_daily_digest(*, today: date | None = None) -> int:
    """Tell district staff once a day what is overdue; nothing when nothing is."""
    today = today or timezone.localdate()
    cases = overdue_cases(today)
    follow_ups = overdue_follow_ups(today)
    case_count = cases.count()
    visit_count = follow_ups.count()
    if not case_count and not visit_count:
        return 0
    case_rows = list(cases.values_list("number", "target_date")[:DIGEST_LIST])
    visit_rows = list(follow_ups.values_list("case__number", "due_on")[:DIGEST_LIST])
    render = _render_digest(today, case_rows, case_count, visit_rows, visit_count)
    link = reverse("admin:cases_case_changelist")
    now = timezone.now()
    written = len(
        notify_many(
            [
                Message(
                    recipient=user,
                    kind=NotificationKind.CASE_DIGEST,
                    occasion=today,
                    render=render,
                    link=link,
                    not_before=quiet_hours_end(user=user, at=now),
                )
                for user in district_staff()
            ]
        )
    )
    if written:
        logger.info("case digest for %s sent to %s staff", today, written)
    return written
