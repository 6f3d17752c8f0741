"""Writes on partners that touch several rows."""

from django.db import transaction

from .choices import PartnerStatus
from .models import Partner


@transaction.atomic
def suspend_partners(*, partners) -> int:
    """Suspend the given partners; returns how many changed. Their assistants stay as they are."""
    ids = [partner.pk for partner in partners]
    return (
        Partner.objects.filter(pk__in=ids)
        .exclude(status=PartnerStatus.SUSPENDED)
        .update(status=PartnerStatus.SUSPENDED)
    )


@transaction.atomic
def reactivate_partners(*, partners) -> int:
    """Make suspended partners active again; returns how many changed."""
    ids = [partner.pk for partner in partners]
    return (
        Partner.objects.filter(pk__in=ids)
        .exclude(status=PartnerStatus.ACTIVE)
        .update(status=PartnerStatus.ACTIVE)
    )
