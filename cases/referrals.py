"""Referrals (转介/转办): handing a case to the other specialty or to a government department.

How a referral fits the state machine of `cases.workflow` (which this module never bypasses):

* A case is referred while it is in progress: its lead has accepted it and found that it belongs
  elsewhere. A case that was assigned to the wrong specialty and not yet accepted is returned
  (退单, `workflow.return_case`) instead, and staff assign it again; that path already exists.
* One referral waits at a time; the lead or staff refer, with a reason. A referral to a
  specialty must name the other specialty than the case's current lead (legal ↔ finance).
* Staff decide. A rejection needs a reason; the case carries on with its lead.
* An accepted referral to a **department** ends the programme's part: the case is resolved with
  the outcome "referred" through `workflow.resolve_case`, so the return visit is scheduled as
  usual and checks that the department did handle it.
* An accepted referral to the **other specialty** hands the case to a new lead of that specialty
  through `workflow.reassign_case`: staff name the new lead when accepting (the suggestion list
  `assignment.suggest_assistants(case, specialty=...)` helps choose), and the new lead accepts
  (签收) in time like any assignment. The case never goes back to "new": the state machine does
  not allow in progress → new, and the referral is a decision that already says where it goes.

Everything is in the case's timeline: the referral, its decision, and the workflow step that
follows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assistants.choices import Specialty
from talentoffice import events

from . import workflow
from .choices import CaseEventKind, CaseOutcome, CaseState, DecisionStatus
from .models import Case, CaseEvent, Referral
from .workflow import CaseError


class ReferralError(CaseError):
    """A referral step that is not allowed; nothing was changed."""


def _is_staff(user) -> bool:
    return user is not None and user.is_active and user.is_staff


def _record_note(template, params) -> str:
    """A system note for the timeline, in the district's language (see cases.deadlines)."""
    with translation.override(settings.LANGUAGE_CODE):
        return (_(template) % params).strip()


def _target_label(referral) -> str:
    if referral.to_department:
        return referral.to_department
    with translation.override(settings.LANGUAGE_CODE):
        return str(Specialty(referral.to_specialty).label)


def _current_specialty(case) -> str:
    return case.lead.specialty if case.lead_id else case.service_item.specialty


@events.step
def refer_case(*, case, by, reason, to_specialty="", to_department="") -> Referral:
    """The lead (or staff) refers an in-progress case to the other specialty or a department."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("lead", "service_item")
        .get(pk=case.pk)
    )
    lead_user_id = case.lead.user_id if case.lead_id else None
    if not (_is_staff(by) or (by is not None and lead_user_id == by.pk)):
        raise ReferralError(
            _("Only the lead assistant or staff can refer this case."), code="not_allowed"
        )
    if case.state != CaseState.IN_PROGRESS:
        raise ReferralError(
            _(
                "Only a case in progress can be referred; an assigned case that is not yours "
                "to handle is returned instead."
            ),
            code="case_not_in_progress",
        )
    to_specialty = (to_specialty or "").strip()
    to_department = (to_department or "").strip()
    if bool(to_specialty) == bool(to_department):
        raise ReferralError(
            _("Refer to the other specialty or to a department, not both."), code="one_target"
        )
    if to_specialty:
        if to_specialty not in Specialty.values:
            raise ReferralError(_("Choose finance or legal."), code="bad_specialty")
        if to_specialty == _current_specialty(case):
            raise ReferralError(
                _("This case is already handled by a %(specialty)s assistant.")
                % {"specialty": Specialty(to_specialty).label},
                code="same_specialty",
            )
    if not (reason or "").strip():
        raise ReferralError(_("Say why the case is referred."), code="reason_required")
    # Checked under the case's lock, so two people referring at once cannot both succeed.
    if case.referrals.filter(status=DecisionStatus.PENDING).exists():
        raise ReferralError(
            _("This case already has a referral waiting for a decision."), code="referral_pending"
        )
    referral = Referral(
        case=case, to_specialty=to_specialty, to_department=to_department, reason=reason.strip()
    )
    try:
        referral.full_clean()
    except ValidationError as error:
        raise ReferralError(error.message_dict) from error
    referral.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.REFERRED,
        actor=by,
        assistant=case.lead,
        note=_record_note(
            gettext_noop("Referred to %(target)s: %(reason)s"),
            {"target": _target_label(referral), "reason": referral.reason},
        ),
    )
    return referral


@events.step
def decide_referral(*, referral, by, accept, reason="", lead=None) -> Referral:
    """Staff accept or reject a referral; an accepted one moves the case through the workflow.

    Accepting a referral to the other specialty needs `lead`, an active assistant of it.
    """
    if not _is_staff(by):
        raise ReferralError(
            _("Only the organization department's staff may do this."), code="not_allowed"
        )
    # Case first, then referral: the same order as refer_case, so they never deadlock.
    case = Case.objects.select_for_update().get(pk=referral.case_id)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != DecisionStatus.PENDING:
        raise ReferralError(_("This referral has already been decided."), code="referral_decided")
    reason = (reason or "").strip()
    if not accept:
        if not reason:
            raise ReferralError(_("Say why the referral is rejected."), code="reason_required")
    else:
        if case.state != CaseState.IN_PROGRESS:
            raise ReferralError(
                _("The case is no longer in progress; reject this referral instead."),
                code="case_moved_on",
            )
        if referral.to_specialty:
            if lead is None:
                raise ReferralError(
                    _("Choose the %(specialty)s assistant who takes the case over.")
                    % {"specialty": Specialty(referral.to_specialty).label},
                    code="lead_required",
                )
            if lead.specialty != referral.to_specialty:
                raise ReferralError(
                    _("The new lead must be a %(specialty)s assistant.")
                    % {"specialty": Specialty(referral.to_specialty).label},
                    code="wrong_specialty",
                )
            if not lead.is_active:
                raise ReferralError(
                    _("Only an active assistant can lead a case."), code="lead_inactive"
                )
    referral.status = DecisionStatus.ACCEPTED if accept else DecisionStatus.REJECTED
    referral.decision_reason = reason
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.save()
    template = (
        gettext_noop("Referral to %(target)s accepted. %(reason)s")
        if accept
        else gettext_noop("Referral to %(target)s rejected: %(reason)s")
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.REFERRAL_DECIDED,
        actor=by,
        assistant=case.lead,
        note=_record_note(template, {"target": _target_label(referral), "reason": reason}),
    )
    if accept and referral.to_department:
        workflow.resolve_case(
            case=case, outcome=CaseOutcome.REFERRED, by=by, note=_target_label(referral)
        )
    elif accept:
        workflow.reassign_case(case=case, lead=lead, by=by, reason=referral.reason)
    return referral
