"""Writes on assistants and dispatches that touch several rows."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from talentoffice.audit import audited_update

from .choices import AssistantStatus
from .models import Assistant, Dispatch


@transaction.atomic
def withdraw_assistants(*, assistants, on_date=None) -> int:
    """Withdraw assistants from the programme and end their open dispatches on the given day."""
    on_date = on_date or timezone.localdate()
    ids = [assistant.pk for assistant in assistants]
    # A dispatch that has not started yet is removed; one under way ends on the withdrawal day.
    Dispatch.objects.filter(assistant_id__in=ids, starts_on__gt=on_date).delete()
    # Audited bulk updates: one audit entry per dispatch and assistant changed.
    audited_update(
        Dispatch.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=on_date), assistant_id__in=ids
        ),
        select_related=["assistant", "service_point"],
        ends_on=on_date,
    )
    return audited_update(
        Assistant.objects.filter(pk__in=ids).exclude(status=AssistantStatus.WITHDRAWN),
        select_related=["partner"],
        status=AssistantStatus.WITHDRAWN,
        updated_at=timezone.now(),
    )
