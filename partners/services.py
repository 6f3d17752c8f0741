"""Writes on partners that touch several rows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentoffice.audit import audited_update

from .choices import PartnerStatus, ProposalKind, ProposalStatus
from .models import ApiKey, AssistantProposal, Partner


@transaction.atomic
def suspend_partners(*, partners) -> int:
    """Suspend the given partners; returns how many changed. Their assistants stay as they are."""
    ids = [partner.pk for partner in partners]
    # audited_update: a bulk update leaves one audit entry per partner changed (issue 8).
    return audited_update(
        Partner.objects.filter(pk__in=ids).exclude(status=PartnerStatus.SUSPENDED),
        status=PartnerStatus.SUSPENDED,
    )


@transaction.atomic
def reactivate_partners(*, partners) -> int:
    """Make suspended partners active again; returns how many changed."""
    ids = [partner.pk for partner in partners]
    return audited_update(
        Partner.objects.filter(pk__in=ids).exclude(status=PartnerStatus.ACTIVE),
        status=PartnerStatus.ACTIVE,
    )


# ---------------------------------------------------------------------------------------------
# API keys


def create_api_key(
    *, partner, name, by=None, expires_at=None, allowed_ips=""
) -> tuple[ApiKey, str]:
    """Issue a key for the partner; returns the row and the full key, which is never stored."""
    api_key = ApiKey(
        partner=partner, name=name, expires_at=expires_at, allowed_ips=allowed_ips, created_by=by
    )
    raw_key = api_key.set_new_secret()
    api_key.full_clean()
    api_key.save()
    return api_key, raw_key


def revoke_api_keys(*, api_keys) -> int:
    """Revoke keys at once; returns how many were still usable."""
    ids = [api_key.pk for api_key in api_keys]
    return ApiKey.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# ---------------------------------------------------------------------------------------------
# Proposals about assistants: the partner proposes, staff decide


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
    from assistants.models import Assistant

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
    from assistants.services import withdraw_assistants

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
