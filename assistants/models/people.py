"""Assistants and their skills."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talentoffice.fields import LicenceNumberField, MobileField
from talentoffice.models import TimeStampedModel
from talentoffice.validators import LICENCE_NUMBER_PATTERN, MOBILE_PATTERN

from ..choices import AssistantStatus, Specialty
from ..querysets import AssistantQuerySet

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def new_calendar_token() -> str:
    """A fresh unguessable token for a private calendar-feed URL."""
    return secrets.token_urlsafe(32)


class Skill(models.Model):
    """A skill tag such as expropriation, IP, equity, financing or lease disputes."""

    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Assistant(TimeStampedModel):
    """A partner's employee serving as a finance or legal talent assistant."""

    name = models.CharField(_("name"), max_length=50)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="assistants",
        verbose_name=_("partner"),
    )
    specialty = models.CharField(_("specialty"), max_length=10, choices=Specialty.choices)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = MobileField(
        _("mobile phone"),
        unique=True,
        error_messages={"unique": _("An assistant with this phone number already exists.")},
    )
    licence_number = LicenceNumberField(
        _("practising-licence number"),
        blank=True,
        help_text=_("Lawyers only: the 17-digit number on the practising licence."),
    )
    party_member = models.BooleanField(_("party member"), default=False)
    max_shifts_per_week = models.PositiveSmallIntegerField(
        _("most shifts a week"),
        default=3,
        validators=[MaxValueValidator(14)],
        help_text=_("Rota generation never gives this assistant more shifts in one week."),
    )
    calendar_token = models.CharField(
        _("calendar token"),
        max_length=43,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text=_("The secret in the assistant's calendar-feed URL; reset it to revoke the URL."),
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="assistants", verbose_name=_("skills")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssistantStatus.choices, default=AssistantStatus.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assistant",
        verbose_name=_("login"),
    )
    objects = AssistantQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistant")
        verbose_name_plural = _("assistants")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["partner", "status"], name="assistant_partner_status"),
            # Serves the default ordering, so a list page reads 50 rows instead of sorting all.
            models.Index(fields=["name", "id"], name="assistant_name_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_number"],
                condition=~Q(licence_number=""),
                name="assistant_unique_licence_number",
                violation_error_message=_("An assistant with this licence number already exists."),
            ),
            models.CheckConstraint(
                condition=Q(phone__regex=MOBILE_PATTERN),
                name="assistant_phone_format",
                violation_error_message=_("The mobile number is malformed."),
            ),
            models.CheckConstraint(
                condition=Q(licence_number="") | Q(licence_number__regex=LICENCE_NUMBER_PATTERN),
                name="assistant_licence_number_format",
                violation_error_message=_("The practising-licence number is malformed."),
            ),
            models.CheckConstraint(
                condition=Q(specialty__in=Specialty.values), name="assistant_specialty_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssistantStatus.values), name="assistant_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.partner})" if self.partner_id else self.name

    def clean(self):
        errors = {}
        if self.partner_id and self.specialty and self.specialty != self.partner.sector:
            errors["specialty"] = _(
                "An assistant's specialty must match their partner's sector (%(sector)s)."
            ) % {"sector": self.partner.get_sector_display()}
        if self.licence_number and self.specialty != Specialty.LEGAL:
            errors["licence_number"] = _("Only legal assistants carry a practising-licence number.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self):
        return self.status == AssistantStatus.ACTIVE
