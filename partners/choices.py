"""Choices for partner institutions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    FINANCE = "finance", _("finance")
    LEGAL = "legal", _("legal")


class PartnerKind(models.TextChoices):
    BANK = "bank", _("bank")
    INSURER = "insurer", _("insurer")
    SECURITIES = "securities", _("securities firm")
    LAW_FIRM = "law_firm", _("law firm")
    OTHER = "other", _("other")


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")


# Which sector each kind belongs to; "other" may be either.
SECTOR_OF_KIND = {
    PartnerKind.BANK: Sector.FINANCE,
    PartnerKind.INSURER: Sector.FINANCE,
    PartnerKind.SECURITIES: Sector.FINANCE,
    PartnerKind.LAW_FIRM: Sector.LEGAL,
}


class ProposalKind(models.TextChoices):
    NEW = "new", _("new assistant")
    CHANGE = "change", _("change to an assistant")
    WITHDRAWAL = "withdrawal", _("withdrawal of an assistant")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("waiting for staff")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled by the partner")


class WebhookEvent(models.TextChoices):
    SHIFT_ASSIGNED = "shift.assigned", _("a shift was given to one of our assistants")
    SHIFT_CHANGED = "shift.changed", _("a shift of one of our assistants changed or was taken off")
    CASE_ASSIGNED = "case.assigned", _("a case was assigned to one of our assistants")
    CASE_RESOLVED = "case.resolved", _("a case one of our assistants works on was resolved")
    CASE_REOPENED = "case.reopened", _("a case one of our assistants resolved was reopened")
    CASE_CLOSED = "case.closed", _("a case one of our assistants worked on was closed")


# Sent only when a partner manager asks the portal to try an endpoint; nobody subscribes to it.
TEST_EVENT = "ping"
DELIVERY_EVENT_CHOICES = [
    *WebhookEvent.choices,
    (TEST_EVENT, _("a test event sent from the partner portal")),
]


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
