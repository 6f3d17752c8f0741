"""Partner institutions, their agreements and their contacts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from talentoffice.fields import CreditCodeField, PhoneField
from talentoffice.models import TimeStampedModel
from talentoffice.validators import CREDIT_CODE_PATTERN, PHONE_PATTERN

from .choices import SECTOR_OF_KIND, PartnerKind, PartnerStatus, Sector
from .querysets import PartnerOwnedQuerySet, PartnerQuerySet


class Partner(TimeStampedModel):
    """An institution that signed a cooperation agreement and seconds staff as assistants."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices)
    kind = models.CharField(_("institution type"), max_length=12, choices=PartnerKind.choices)
    credit_code = CreditCodeField(
        _("unified social credit code"),
        unique=True,
        error_messages={"unique": _("A partner with this credit code already exists.")},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["sector", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="partner_unique_name",
                violation_error_message=_("A partner with this name already exists."),
            ),
            models.UniqueConstraint(
                Lower("short_name"),
                name="partner_unique_short_name",
                violation_error_message=_("A partner with this short name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(credit_code__regex=CREDIT_CODE_PATTERN),
                name="partner_credit_code_format",
                violation_error_message=_("The unified social credit code is malformed."),
            ),
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values),
                name="partner_sector_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PartnerStatus.values),
                name="partner_status_valid",
            ),
            # A bank cannot be a legal partner, nor a law firm a financial one.
            models.CheckConstraint(
                condition=Q(kind="other")
                | Q(kind__in=["bank", "insurer", "securities"], sector="finance")
                | Q(kind="law_firm", sector="legal"),
                name="partner_kind_matches_sector",
                violation_error_message=_(
                    "This kind of institution does not belong to that sector."
                ),
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        self.name = (self.name or "").strip()
        self.short_name = (self.short_name or "").strip()
        # Case-insensitive uniqueness is a database constraint on an expression, which Django
        # reports without a field; checking here puts the message on the field concerned.
        others = Partner.objects.exclude(pk=self.pk)
        errors = {}
        if self.name and others.filter(name__iexact=self.name).exists():
            errors["name"] = _("A partner with this name already exists.")
        if self.short_name and others.filter(short_name__iexact=self.short_name).exists():
            errors["short_name"] = _("A partner with this short name already exists.")
        if errors:
            raise ValidationError(errors)
        expected_sector = SECTOR_OF_KIND.get(self.kind)
        if expected_sector and self.sector and self.sector != expected_sector:
            raise ValidationError(
                {
                    "sector": _("A %(kind)s belongs to the %(sector)s sector.")
                    % {
                        "kind": PartnerKind(self.kind).label,
                        "sector": Sector(expected_sector).label,
                    }
                }
            )

    @property
    def is_active(self):
        return self.status == PartnerStatus.ACTIVE


def agreement_upload_path(agreement, filename):
    return f"agreements/{agreement.partner_id}/{filename}"


class Agreement(TimeStampedModel):
    """The signed cooperation agreement of a partner, with its term."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("partner")
    )
    title = models.CharField(_("agreement title"), max_length=150)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    document = models.FileField(
        _("document"),
        upload_to=agreement_upload_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png", "doc", "docx"])],
    )
    objects = PartnerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} · {self.title}"

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An agreement cannot end before it starts.")})


class PartnerContact(TimeStampedModel):
    """A person at a partner the district deals with; with a login, the partner's manager."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("partner")
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=50, blank=True)
    phone = PhoneField(_("phone"))
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_contact",
        verbose_name=_("login"),
        help_text=_("Gives this contact the partner manager's access to the partner's own data."),
    )
    objects = PartnerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")
        ordering = ["partner", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=PHONE_PATTERN),
                name="partnercontact_phone_format",
                violation_error_message=_("The phone number is malformed."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.partner})"
