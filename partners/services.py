"""Writes on partners that touch several rows."""

from django.db import transaction
from django.utils import timezone

from talentoffice.audit import audited_update

from .choices import PartnerStatus
from .models import ApiKey, Partner


@transaction.atomic
def suspend_partners(*, partners) -> int:
    """Suspend the given partners; returns how many changed. Their assistants stay as they are."""
    ids = [partner.pk for partner in partners]
    # audited_update: a bulk update leaves one audit entry per partner changed.
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
