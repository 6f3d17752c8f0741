"""The case state machine: the one place that moves a case, for admin, pages, API and tasks.

new → assigned → in progress → resolved (with an outcome) → followed up → closed, with the
work-order steps of the 12345 hotline on the way: the lead accepts (签收) or returns (退单) an
assigned case, staff reassign with a reason, and a follow-up that finds the problem back
reopens the case. Every change writes a CaseEvent, so the timeline is complete by construction,
and the event table (`cases/events.py`) tells the people and partners of each in the step's
transaction.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from talentoffice import events
from talentoffice.workdays import accept_deadline, add_workdays

from .choices import CaseEventKind, CaseOutcome, CaseState
from .models import Case, CaseEvent, CaseNumberSequence, FollowUp

# Which states a case may move to from each state. Reassignment stays "assigned".
ALLOWED_TRANSITIONS = {
    CaseState.NEW: {CaseState.ASSIGNED},
    CaseState.ASSIGNED: {CaseState.IN_PROGRESS, CaseState.NEW, CaseState.ASSIGNED},
    CaseState.IN_PROGRESS: {CaseState.RESOLVED, CaseState.ASSIGNED},
    CaseState.RESOLVED: {CaseState.FOLLOWED_UP, CaseState.CLOSED},
    CaseState.FOLLOWED_UP: {CaseState.CLOSED, CaseState.IN_PROGRESS},
    CaseState.CLOSED: set(),
}


class CaseError(ValidationError):
    """A workflow step that is not allowed; the message says why and what is allowed."""


class IllegalTransition(CaseError):
    def __init__(self, case, to_state):
        allowed = sorted(ALLOWED_TRANSITIONS[CaseState(case.state)])
        allowed_labels = "、".join(str(CaseState(state).label) for state in allowed) or _("none")
        super().__init__(
            _(
                "A case that is “%(current)s” cannot become “%(target)s”. "
                "Allowed next states: %(allowed)s."
            )
            % {
                "current": CaseState(case.state).label,
                "target": CaseState(to_state).label,
                "allowed": allowed_labels,
            },
            code="illegal_transition",
        )


def _locked(case) -> Case:
    """Re-read the case under a row lock, so two people acting at once cannot both win."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _transition(
    case, to_state, *, kind=CaseEventKind.TRANSITION, actor=None, assistant=None, note=""
):
    if to_state not in ALLOWED_TRANSITIONS[CaseState(case.state)]:
        raise IllegalTransition(case, to_state)
    from_state = case.state
    case.state = to_state
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        assistant=assistant,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _require(text, message):
    if not (text or "").strip():
        raise CaseError(message, code="reason_required")


def next_case_number(year: int) -> str:
    """The next readable number of the year, e.g. TJ-2026-000123; gap-free under a row lock."""
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{settings.CASE_NUMBER_PREFIX}-{year}-{sequence.last_number:06d}"


@events.step
def create_case(
    *,
    title,
    service_item,
    source,
    resident=None,
    enterprise=None,
    by=None,
    description="",
    service_point=None,
    priority="normal",
    beneficiaries=1,
    amount=None,
    council_meeting=None,
) -> Case:
    """Open a new case; its target date counts the item's working days on the district calendar."""
    today = timezone.localdate()
    case = Case(
        title=title,
        description=description,
        service_item=service_item,
        source=source,
        resident=resident,
        enterprise=enterprise,
        service_point=service_point,
        priority=priority,
        beneficiaries=beneficiaries,
        amount=amount,
        council_meeting=council_meeting,
        created_by=by,
        target_date=add_workdays(today, service_item.target_days),
    )
    if amount is not None and not service_item.is_financial:
        raise CaseError({"amount": _("Only financial service items record an amount.")})
    case.number = next_case_number(today.year)
    case.full_clean()
    case.save()
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.CREATED, actor=by, to_state=CaseState.NEW
    )
    return case


@events.step
def assign_case(*, case, lead, by, helpers=(), note="") -> Case:
    """Give a new (or returned) case to a lead assistant, who must accept it in time."""
    case = _locked(case)
    if not lead.is_active:
        raise CaseError(_("Only an active assistant can lead a case."), code="lead_inactive")
    # "assigned → assigned" and "in progress → assigned" are in the table for reassignment,
    # which must say why; assigning again would change the lead without a reason.
    if case.state != CaseState.NEW:
        raise CaseError(
            _("This case already has a lead; reassign it with a reason instead."),
            code="already_assigned",
        )
    _transition(
        case, CaseState.ASSIGNED, kind=CaseEventKind.ASSIGNED, actor=by, assistant=lead, note=note
    )
    now = timezone.now()
    case.lead = lead
    case.assigned_at = now
    case.accept_by = accept_deadline(now)
    case.save()
    for helper in helpers:
        if helper.pk != lead.pk:
            case.helpers.add(helper)
            CaseEvent.objects.create(
                case=case, kind=CaseEventKind.HELPER_ADDED, actor=by, assistant=helper
            )
    return case


@events.step
def accept_case(*, case, assistant) -> Case:
    """The lead signs for the case (签收) and starts working on it."""
    case = _locked(case)
    if case.lead_id != assistant.pk:
        raise CaseError(_("Only the lead assistant can accept this case."), code="not_lead")
    # "followed up → in progress" is in the table for reopening only: accepting a followed-up
    # case would keep its outcome in progress, which the database refuses.
    if case.state != CaseState.ASSIGNED:
        raise CaseError(
            _("Only an assigned case can be accepted; this one is “%(state)s”.")
            % {"state": CaseState(case.state).label},
            code="not_assigned",
        )
    _transition(
        case,
        CaseState.IN_PROGRESS,
        kind=CaseEventKind.ACCEPTED,
        actor=assistant.user,
        assistant=assistant,
    )
    case.accepted_at = timezone.now()
    case.save()
    return case


@events.step
def return_case(*, case, assistant, reason) -> Case:
    """The lead sends an assigned case back (退单) with a reason; staff assign it again."""
    case = _locked(case)
    if case.lead_id != assistant.pk:
        raise CaseError(_("Only the lead assistant can return this case."), code="not_lead")
    _require(reason, _("Say why the case is returned."))
    if case.state != CaseState.ASSIGNED:
        raise IllegalTransition(case, CaseState.NEW)
    _transition(
        case,
        CaseState.NEW,
        kind=CaseEventKind.RETURNED,
        actor=assistant.user,
        assistant=assistant,
        note=reason,
    )
    case.lead = None
    case.assigned_at = case.accept_by = None
    case.save()
    case.helpers.clear()
    return case


@events.step
def reassign_case(*, case, lead, by, reason) -> Case:
    """Staff give an assigned or in-progress case to another lead, saying why."""
    case = _locked(case)
    _require(reason, _("Say why the case is reassigned."))
    if case.state not in (CaseState.ASSIGNED, CaseState.IN_PROGRESS):
        raise IllegalTransition(case, CaseState.ASSIGNED)
    if lead.pk == case.lead_id:
        raise CaseError(_("This assistant already leads the case."), code="same_lead")
    if not lead.is_active:
        raise CaseError(_("Only an active assistant can lead a case."), code="lead_inactive")
    _transition(
        case,
        CaseState.ASSIGNED,
        kind=CaseEventKind.REASSIGNED,
        actor=by,
        assistant=lead,
        note=reason,
    )
    now = timezone.now()
    case.lead = lead
    case.assigned_at = now
    case.accept_by = accept_deadline(now)
    case.accepted_at = None
    case.save()
    return case


@events.step
def resolve_case(*, case, outcome, by=None, assistant=None, note="") -> Case:
    """Record how the case ended and schedule the return visit from the item's delay."""
    case = _locked(case)
    if outcome not in CaseOutcome.values:
        raise CaseError(
            {
                "outcome": ValidationError(
                    _("Choose an outcome to resolve the case."), code="outcome_required"
                )
            }
        )
    _transition(case, CaseState.RESOLVED, actor=by, assistant=assistant, note=note)
    case.outcome = outcome
    case.resolved_at = timezone.now()
    if outcome == CaseOutcome.WITHDRAWN:
        case.follow_up_due = None  # nobody to go back to
    else:
        case.follow_up_due = timezone.localdate() + timedelta(days=case.service_item.follow_up_days)
        FollowUp.objects.create(case=case, due_on=case.follow_up_due)
    case.save()
    return case


@events.step
def record_follow_up(*, follow_up, method, satisfaction, still_solved, by=None, notes=""):
    """Record the return visit; a problem that came back reopens the case."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    case = _locked(follow_up.case)
    if follow_up.done_at is not None:
        raise CaseError(_("This follow-up is already recorded."), code="follow_up_done")
    if case.state != CaseState.RESOLVED:
        raise CaseError(_("A follow-up is recorded only on a resolved case."), code="not_resolved")
    follow_up.method = method
    follow_up.satisfaction = satisfaction
    follow_up.still_solved = still_solved
    follow_up.by = by
    follow_up.notes = notes
    follow_up.done_at = timezone.now()
    follow_up.full_clean()
    follow_up.save()
    actor = by.user if by is not None else None
    _transition(
        case,
        CaseState.FOLLOWED_UP,
        kind=CaseEventKind.FOLLOW_UP,
        actor=actor,
        assistant=by,
        note=notes,
    )
    if not still_solved:
        _transition(
            case,
            CaseState.IN_PROGRESS,
            kind=CaseEventKind.REOPENED,
            actor=actor,
            assistant=by,
            note=notes,
        )
        case.outcome = ""
        case.resolved_at = None
        case.follow_up_due = None
    case.save()
    return follow_up


@events.step
def close_case(*, case, by) -> Case:
    """Close a followed-up case, or a withdrawn one that needs no return visit."""
    case = _locked(case)
    if case.state == CaseState.RESOLVED and case.outcome != CaseOutcome.WITHDRAWN:
        raise CaseError(
            _("Record the follow-up return visit before closing this case."),
            code="follow_up_missing",
        )
    _transition(case, CaseState.CLOSED, actor=by)
    case.closed_at = timezone.now()
    case.save()
    return case


@events.step
def add_note(*, case, by, note, assistant=None) -> CaseEvent:
    """A free note in the timeline."""
    _require(note, _("Write the note first."))
    return CaseEvent.objects.create(
        case=case, kind=CaseEventKind.NOTE, actor=by, assistant=assistant, note=note
    )


# The steps an assistant may take on a case from a page, in the order a page offers them.
ASSISTANT_ACTIONS = ("accept", "return", "resolve", "follow_up", "close", "note")


def allowed_actions(*, case, assistant) -> list[str]:
    """The workflow steps this assistant may take on this case now (for the mobile pages).

    The lead moves the case; a helper (or the lead) adds notes. Each name is one function
    above: accept → accept_case, return → return_case, resolve → resolve_case, follow_up →
    record_follow_up, close → close_case, note → add_note. Reads no rows: the caller already
    knows the assistant is the lead or a helper (the case came from Case.objects.visible_to).
    """
    actions = []
    if case.lead_id == assistant.pk:
        state = CaseState(case.state)
        if state == CaseState.ASSIGNED:
            actions += ["accept", "return"]
        elif state == CaseState.IN_PROGRESS:
            actions.append("resolve")
        elif state == CaseState.RESOLVED and case.outcome != CaseOutcome.WITHDRAWN:
            actions.append("follow_up")
        if CaseState.CLOSED in ALLOWED_TRANSITIONS[state] and (
            state == CaseState.FOLLOWED_UP or case.outcome == CaseOutcome.WITHDRAWN
        ):
            actions.append("close")
    if case.state != CaseState.CLOSED:
        actions.append("note")
    return actions
