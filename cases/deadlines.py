"""Case deadlines beyond the target date: extension requests (延期申请) and supervision (督办).

The lead of an open case may ask for more working days once at a time (the database refuses a
second pending request too); staff approve, which moves the target date by that many working
days on the district calendar (holidays and make-up workdays included), or refuse with a reason.
Staff flag a case as supervised with a note the lead sees on the case (and the partner, through
the API); lifting the flag is recorded too. Every step is a CaseEvent in the case's timeline.

Notes the system writes into the timeline (not the people's own reasons) are rendered in the
district's language (settings.LANGUAGE_CODE): the timeline is the official record of the case
and reads the same whoever clicked the button.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from talentoffice import events
from talentoffice.workdays import add_workdays

from .choices import CaseEventKind, CaseState, DecisionStatus
from .models import Case, CaseEvent, ExtensionRequest
from .workflow import CaseError

OPEN_STATES = (CaseState.NEW, CaseState.ASSIGNED, CaseState.IN_PROGRESS)


class DeadlineError(CaseError):
    """An extension or supervision step that is not allowed; nothing was changed."""


def _require_staff(user):
    if user is None or not (user.is_active and user.is_staff):
        raise DeadlineError(
            _("Only the organization department's staff may do this."), code="not_allowed"
        )


def _require_reason(text, message):
    if not (text or "").strip():
        raise DeadlineError(message, code="reason_required")


def _require_open(case):
    if case.state not in OPEN_STATES:
        raise DeadlineError(
            _("This case is “%(state)s”; only an open case can be changed this way.")
            % {"state": CaseState(case.state).label},
            code="case_not_open",
        )


def _record_note(template, params) -> str:
    """A system note for the timeline, in the district's language (template marked with
    gettext_noop at the call site, so makemessages finds it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(template) % params


def _locked_case(case) -> Case:
    # Always lock the case before its extension request, in every function here, so a request
    # and a decision on the same case wait for each other instead of deadlocking.
    return Case.objects.select_for_update().get(pk=case.pk)


@events.step
def request_extension(*, case, assistant, extra_workdays, reason) -> ExtensionRequest:
    """The lead of an open case asks for `extra_workdays` more working days, saying why."""
    case = _locked_case(case)
    if case.lead_id != assistant.pk:
        raise DeadlineError(
            _("Only the lead assistant can ask for more time on this case."), code="not_lead"
        )
    _require_open(case)
    _require_reason(reason, _("Say why more time is needed."))
    # Checked under the case's lock, so this answers before the database's partial unique
    # constraint would (and with a message that names the problem).
    if case.extension_requests.filter(status=DecisionStatus.PENDING).exists():
        raise DeadlineError(
            _("This case already has an extension request waiting."), code="extension_pending"
        )
    request = ExtensionRequest(
        case=case, requested_by=assistant, extra_workdays=extra_workdays, reason=reason.strip()
    )
    try:
        request.full_clean()
    except ValidationError as error:
        raise DeadlineError(error.message_dict) from error
    request.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.EXTENSION_REQUESTED,
        actor=assistant.user,
        assistant=assistant,
        note=_record_note(
            gettext_noop("%(days)s more working days asked for: %(reason)s"),
            {"days": extra_workdays, "reason": request.reason},
        ),
    )
    return request


@events.step
def decide_extension(*, request, by, approve, reason="") -> ExtensionRequest:
    """Staff approve (the target date moves by the extra working days) or refuse with a reason."""
    _require_staff(by)
    case = _locked_case(request.case)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DecisionStatus.PENDING:
        raise DeadlineError(
            _("This extension request has already been decided."), code="extension_decided"
        )
    if not approve:
        _require_reason(reason, _("Say why the extension is refused."))
    else:
        # More time on a case that is already resolved would change nothing but the record.
        _require_open(case)
    request.status = DecisionStatus.ACCEPTED if approve else DecisionStatus.REJECTED
    request.decision_reason = (reason or "").strip()
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save()
    if approve:
        old_target = case.target_date
        # A case without a target date (made before items had one) counts from today.
        case.target_date = add_workdays(old_target or timezone.localdate(), request.extra_workdays)
        case.save(update_fields=["target_date", "updated_at"])
        note = _record_note(
            gettext_noop(
                "Extension of %(days)s working days approved, target date %(old)s → %(new)s. "
                "%(reason)s"
            ),
            {
                "days": request.extra_workdays,
                "old": old_target.isoformat() if old_target else "—",
                "new": case.target_date.isoformat(),
                "reason": request.decision_reason,
            },
        )
    else:
        note = _record_note(
            gettext_noop("Extension of %(days)s working days refused: %(reason)s"),
            {"days": request.extra_workdays, "reason": request.decision_reason},
        )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.EXTENSION_DECIDED,
        actor=by,
        assistant=request.requested_by,
        note=note.strip(),
    )
    return request


@events.step
def supervise_case(*, case, by, note) -> Case:
    """Staff put an open case under supervision (督办) with a note for the lead.

    Supervising a case already supervised replaces the note (a second 催办) and is recorded too.
    """
    _require_staff(by)
    _require_reason(note, _("Write what the supervision asks for."))
    case = _locked_case(case)
    _require_open(case)
    case.supervised = True
    case.supervision_note = note.strip()
    case.save(update_fields=["supervised", "supervision_note", "updated_at"])
    # The event table tells the lead and the lead's partner managers, once this commits.
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.SUPERVISED,
        actor=by,
        assistant=case.lead,
        note=case.supervision_note,
    )
    return case


@events.step
def unsupervise(*, case, by, note="") -> Case:
    """Staff lift the supervision of a case; the timeline keeps the lifting and why."""
    _require_staff(by)
    case = _locked_case(case)
    if not case.supervised:
        raise DeadlineError(_("This case is not under supervision."), code="not_supervised")
    case.supervised = False
    case.supervision_note = ""
    case.save(update_fields=["supervised", "supervision_note", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.SUPERVISION_LIFTED,
        actor=by,
        assistant=case.lead,
        note=_record_note(
            gettext_noop("Supervision lifted. %(note)s"), {"note": (note or "").strip()}
        ).strip(),
    )
    return case
