"""Case reminders and escalations: the sweep beat runs every few minutes, and the daily digest.

`sweep_case_reminders` writes four kinds, each once:

- unaccepted: every active staff member, when an assigned case is still not accepted (签收) at
  its `accept_by`; once per assignment (the key carries `assigned_at`), so a reassigned case
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

`send_daily_digest` writes ONE notification per active staff member per day listing the open
cases past their target date and the return visits past due, with counts and the first numbers:
staff read one message a morning, not one per case.

Each kind is one indexed range query that leaves out what was already told (the dedupe key, or
the timeline entry that goes with it, is looked up in the same query), so a quiet sweep runs at
most five queries whatever the size of the case tables, and the digest four plus its writes.
The unique dedupe keys make every message once-only even when sweeps overlap.
"""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext

from talentoffice.models import Notification
from talentoffice.notifications import notify, quiet_hours_end
from talentoffice.workdays import add_workdays, not_official_years

from .choices import CaseEventKind, CaseState
from .liaison import enterprises_due_for_visit
from .models import Case, CaseEvent, FollowUp

logger = logging.getLogger(__name__)

# At most this many items per kind in one sweep, most urgent first; the rest wait for the next
# sweep a few minutes later, so one sweep stays short.
BATCH = 500
# How many case numbers a digest lists for each kind; the count says how many there are in all.
DIGEST_LIST = 10
# States in which a case has a lead working towards its target date.
LED_OPEN_STATES = (CaseState.ASSIGNED, CaseState.IN_PROGRESS)


def warning_workdays() -> int:
    """Working days before the target date when the lead is warned (setting, default 2)."""
    return getattr(settings, "CASE_WARNING_WORKDAYS", 2)


def follow_up_reminder_days() -> int:
    """Days before a return visit is due when the lead is reminded (setting, default 1)."""
    return getattr(settings, "CASE_FOLLOW_UP_REMINDER_DAYS", 1)


def reminder_hour() -> int:
    """Local hour from which day-based reminders go out (setting, default 8)."""
    return getattr(settings, "CASE_REMINDER_HOUR", 8)


# --- dedupe keys -----------------------------------------------------------------------------


def unaccepted_key(case_id: int, assigned_at: datetime) -> str:
    """Dedupe key marking one assignment of a case as escalated; a new assignment gets a new key."""
    return f"case:{case_id}:unaccepted:{int(assigned_at.timestamp())}"


def unaccepted_staff_key(case_id: int, assigned_at: datetime, user_id: int) -> str:
    """Dedupe key of the escalation of one unaccepted assignment to one staff member."""
    return f"{unaccepted_key(case_id, assigned_at)}:user:{user_id}"


def warning_key(case_id: int, target_date: date) -> str:
    """Dedupe key of the deadline warning for one target date of a case."""
    return f"case:{case_id}:warning:{target_date.isoformat()}"


def follow_up_key(follow_up_id: int) -> str:
    """Dedupe key of the reminder of one return visit."""
    return f"followup:{follow_up_id}:reminder"


def liaison_key(liaison_id: int, due_on: date) -> str:
    """Dedupe key of the visit reminder of one liaison for one due date."""
    return f"liaison:{liaison_id}:visit:{due_on.isoformat()}"


def digest_key(day: date, user_id: int) -> str:
    """Dedupe key of one staff member's digest of one day."""
    return f"digest:{day.isoformat()}:{user_id}"


def _text(field: str) -> Cast:
    return Cast(OuterRef(field), output_field=CharField())


def _told(*parts) -> Exists:
    """True for a row whose notification with the key built from `parts` already exists."""
    return Exists(Notification.objects.filter(dedupe_key=Concat(*parts, output_field=CharField())))


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
        # Must build exactly what warning_key() builds; PostgreSQL casts a date to YYYY-MM-DD.
        .exclude(_told(Value("case:"), _text("pk"), Value(":warning:"), _text("target_date")))
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
        # Must build exactly what follow_up_key() builds.
        .exclude(_told(Value("followup:"), _text("pk"), Value(":reminder")))
        .order_by("due_on", "pk")[:BATCH]
    )


def due_liaisons(today: date) -> list:
    """Liaisons due for their enterprise visit whose reminder for this due date is not written."""
    return list(
        enterprises_due_for_visit(today=today)
        .select_related("assistant__user__notification_preference")
        # The due date in district time (TruncDate uses the current time zone).
        .annotate(due_day=TruncDate("visit_due_at"))
        # Must build exactly what liaison_key() builds.
        .exclude(_told(Value("liaison:"), _text("pk"), Value(":visit:"), _text("due_day")))[:BATCH]
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
        subject = gettext("Case %(number)s not accepted in time") % facts
        body = gettext(
            "Case %(number)s “%(title)s” (%(item)s) was assigned to %(lead)s, who has not "
            "accepted it by %(accept_by)s. Please reassign it or contact the assistant."
        )
        return subject, body % facts

    return render


def _render_warning(case: Case, today: date):
    def render():
        facts = _case_facts(case)
        if case.target_date == today:
            subject = gettext("Deadline today: case %(number)s") % facts
        else:
            subject = gettext("Deadline warning: case %(number)s due %(target)s") % facts
        body = gettext(
            "Case %(number)s “%(title)s” (%(item)s) is due on %(target)s. Resolve it in time, "
            "or ask for an extension with a reason."
        )
        return subject, body % facts

    return render


def _render_follow_up(follow_up: FollowUp):
    def render():
        facts = _case_facts(follow_up.case) | {"due": follow_up.due_on.isoformat()}
        subject = gettext("Return visit due %(due)s: case %(number)s") % facts
        body = gettext(
            "The return visit of case %(number)s “%(title)s” (%(item)s) is due on %(due)s. "
            "Ask whether the problem stays solved and how satisfied the requester is."
        )
        return subject, body % facts

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
        subject = gettext("Enterprise visit due: %(enterprise)s") % facts
        body = gettext(
            "You are the liaison of %(enterprise)s, to be visited every %(days)s days. "
            "Last visit: %(last)s; the next one was due on %(due)s."
        )
        return subject, body % facts

    return render


def _timeline_note(template: str, params: dict) -> str:
    """A system note for the timeline in the district's language: the official record reads the
    same whoever looks at it (as in cases.deadlines)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(template) % params


# --- writers ---------------------------------------------------------------------------------


def _active_staff() -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .select_related("notification_preference")
        .order_by("pk")
    )


def _escalate_unaccepted(case: Case, now: datetime, staff: list) -> int:
    """Mark the assignment escalated, note it in the timeline, and tell every staff member."""
    # The recipient-less marker is written first: its unique key lets exactly one of two
    # overlapping sweeps go on (the other waits for this transaction, then gets None).
    marker = notify(
        recipient=None,
        kind="case.unaccepted",
        dedupe_key=unaccepted_key(case.pk, case.assigned_at),
        render=_render_unaccepted(case),
    )
    if marker is None:
        return 0
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.ESCALATED,
        assistant=case.lead,
        note=_timeline_note(
            gettext_noop("Not accepted by %(accept_by)s: escalated to staff."),
            {"accept_by": f"{timezone.localtime(case.accept_by):%Y-%m-%d %H:%M}"},
        ),
    )
    link = reverse("admin:cases_case_change", args=[case.pk])
    written = 0
    for user in staff:
        personal = notify(
            recipient=user,
            kind="case.unaccepted",
            dedupe_key=unaccepted_staff_key(case.pk, case.assigned_at, user.pk),
            render=_render_unaccepted(case),
            link=link,
            not_before=quiet_hours_end(user=user, at=now),
        )
        written += int(personal is not None)
    return written


def _warn_lead(case: Case, today: date, now: datetime) -> int:
    """Warn the lead (when they have a login) and note the warning in the timeline."""
    # A lead without a login still gets the row: it marks the warning as given, and the
    # timeline entry shows staff and the partner that it was.
    user = case.lead.user
    written = notify(
        recipient=user,
        kind="case.warning",
        dedupe_key=warning_key(case.pk, case.target_date),
        render=_render_warning(case, today),
        not_before=quiet_hours_end(user=user, at=now),
    )
    if written is None:
        return 0
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.WARNED,
        assistant=case.lead,
        note=_timeline_note(
            gettext_noop("Deadline warning sent: target date %(target)s."),
            {"target": case.target_date.isoformat()},
        ),
    )
    return int(user is not None)


def _remind_follow_up(follow_up: FollowUp, now: datetime) -> int:
    user = follow_up.case.lead.user
    written = notify(
        recipient=user,
        kind="case.follow_up",
        dedupe_key=follow_up_key(follow_up.pk),
        render=_render_follow_up(follow_up),
        not_before=quiet_hours_end(user=user, at=now),
    )
    return int(written is not None and user is not None)


def _remind_liaison(link, now: datetime) -> int:
    user = link.assistant.user
    written = notify(
        recipient=user,
        kind="case.liaison_visit",
        dedupe_key=liaison_key(link.pk, link.due_day),
        render=_render_liaison(link, link.due_day),
        not_before=quiet_hours_end(user=user, at=now),
    )
    return int(written is not None and user is not None)


def sweep_case_reminders(*, now: datetime | None = None) -> int:
    """Write every case escalation and reminder due now; returns how many people were told."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    today = local_now.date()
    written = 0

    unaccepted = due_unaccepted(now)
    staff = _active_staff() if unaccepted else []
    for case in unaccepted:
        # One transaction per item: a failure leaves the others written, and an overlapping
        # sweep waits on this item's keys only as long as this one takes.
        with transaction.atomic():
            written += _escalate_unaccepted(case, now, staff)

    if local_now.hour >= reminder_hour():
        for case in due_warnings(today, warning_workdays()):
            with transaction.atomic():
                written += _warn_lead(case, today, now)
        for follow_up in due_follow_ups(today, follow_up_reminder_days()):
            with transaction.atomic():
                written += _remind_follow_up(follow_up, now)
        for link in due_liaisons(today):
            with transaction.atomic():
                written += _remind_liaison(link, now)

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
        subject = gettext("Overdue on %(day)s: %(cases)s cases, %(visits)s return visits") % {
            "day": day.isoformat(),
            "cases": case_count,
            "visits": visit_count,
        }
        lines = []
        if case_count:
            lines.append(
                ngettext(
                    "%(count)s case is past its target date:",
                    "%(count)s cases are past their target date:",
                    case_count,
                )
                % {"count": case_count}
            )
            lines += [f"- {number} ({target.isoformat()})" for number, target in cases]
            if case_count > len(cases):
                lines.append(gettext("… and %(more)s more.") % {"more": case_count - len(cases)})
        if visit_count:
            lines.append(
                ngettext(
                    "%(count)s return visit is past due:",
                    "%(count)s return visits are past due:",
                    visit_count,
                )
                % {"count": visit_count}
            )
            lines += [f"- {number} ({due.isoformat()})" for number, due in visits]
            if visit_count > len(visits):
                lines.append(gettext("… and %(more)s more.") % {"more": visit_count - len(visits)})
        return subject, "\n".join(lines)

    return render


def send_daily_digest(*, today: date | None = None) -> int:
    """Tell each active staff member once a day what is overdue; nothing when nothing is."""
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
    written = 0
    for user in _active_staff():
        # notify() is its own transaction: one staff member's digest is written or not alone.
        notification = notify(
            recipient=user,
            kind="case.digest",
            dedupe_key=digest_key(today, user.pk),
            render=render,
            link=link,
            not_before=quiet_hours_end(user=user, at=now),
        )
        written += int(notification is not None)
    if written:
        logger.info("case digest for %s sent to %s staff", today, written)
    return written
