"""Proposals about assistants: a partner proposes a new assistant, a change or a withdrawal;
district staff decide, and approving one makes the change on the assistant."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.choices import ProposalKind, ProposalStatus
from partners.models import AssistantProposal

from .models import Assistant
from .services import withdraw_assistants


class ProposalError(ValidationError):
    """A proposal cannot take this step; nothing was changed."""


def _lock_proposal(proposal) -> AssistantProposal:
    return AssistantProposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def propose(*, partner, kind, assistant=None, changes=None, note="") -> AssistantProposal:
    """Record a partner's proposal; its values are checked now, as staff would apply them."""
    changes = dict(changes or {})
    if assistant is not None and assistant.partner_id != partner.pk:
        raise ProposalError({"assistant": _("This is not one of your assistants.")})
    _applied(partner=partner, kind=kind, assistant=assistant, changes=changes).full_clean(
        exclude=["user", "calendar_token"]
    )
    if (
        assistant is not None
        and AssistantProposal.objects.filter(
            assistant=assistant, status=ProposalStatus.PENDING
        ).exists()
    ):
        raise ProposalError(
            _("This assistant already has a proposal waiting."), code="proposal_pending"
        )
    return AssistantProposal.objects.create(
        partner=partner, kind=kind, assistant=assistant, changes=changes, note=note
    )


def _applied(*, partner, kind, assistant, changes):
    """The assistant as it would be once the proposal is approved (not saved)."""
    if kind == ProposalKind.NEW:
        person = Assistant(partner=partner, specialty=partner.sector)
    else:
        person = Assistant.objects.get(pk=assistant.pk)
    for field, value in changes.items():
        setattr(person, field, value)
    return person


@transaction.atomic
def approve_proposal(*, proposal, by, reason="") -> AssistantProposal:
    """Staff approve: the new assistant is created, the change made or the assistant withdrawn."""
    proposal = _lock_proposal(proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise ProposalError(_("This proposal has already been decided."), code="decided")
    if proposal.kind == ProposalKind.WITHDRAWAL:
        withdraw_assistants(assistants=[proposal.assistant])
    else:
        person = _applied(
            partner=proposal.partner,
            kind=proposal.kind,
            assistant=proposal.assistant,
            changes=proposal.changes,
        )
        person.full_clean(exclude=["user", "calendar_token"])
        person.save()
        proposal.assistant = person
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason
    proposal.save()
    return proposal


@transaction.atomic
def reject_proposal(*, proposal, by, reason="") -> AssistantProposal:
    """Staff turn a proposal down; nothing about the assistant changes."""
    proposal = _lock_proposal(proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise ProposalError(_("This proposal has already been decided."), code="decided")
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason
    proposal.save()
    return proposal


@transaction.atomic
def cancel_proposal(*, proposal) -> AssistantProposal:
    """The partner takes back a proposal staff have not decided yet."""
    proposal = _lock_proposal(proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise ProposalError(_("This proposal has already been decided."), code="decided")
    proposal.status = ProposalStatus.CANCELLED
    proposal.save(update_fields=["status", "updated_at"])
    return proposal
