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
