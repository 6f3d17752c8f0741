"""Assistants, the service points where they serve, and their dispatches there."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talentoffice.fields import LicenceNumberField, MobileField
from talentoffice.models import TimeStampedModel
from talentoffice.validators import LICENCE_NUMBER_PATTERN, MOBILE_PATTERN

from .choices import AssistantStatus, ServicePointKind, Specialty
from .querysets import AssistantQuerySet, DispatchQuerySet, ServicePointQuerySet


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
        indexes = [models.Index(fields=["partner", "status"], name="assistant_partner_status")]
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


class ServicePoint(TimeStampedModel):
    """A place where assistants serve: community point, service window, talent home, site."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ServicePointKind.choices)
    street = models.ForeignKey(
        "talentoffice.Street",
        on_delete=models.PROTECT,
        related_name="service_points",
        verbose_name=_("street"),
    )
    community = models.ForeignKey(
        "talentoffice.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_points",
        verbose_name=_("community"),
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["street__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ServicePointKind.values), name="servicepoint_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="servicepoint_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="servicepoint_longitude_range",
            ),
            # Coordinates come as a pair or not at all.
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="servicepoint_coordinates_paired",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.community_id and self.street_id and self.community.street_id != self.street_id:
            raise ValidationError(
                {"community": _("This community does not belong to the chosen street.")}
            )
        if (self.latitude is None) != (self.longitude is None):
            # On the missing field, so that the paired-coordinates constraint does not repeat it.
            missing = "latitude" if self.latitude is None else "longitude"
            raise ValidationError({missing: _("Give both latitude and longitude, or neither.")})


class Dispatch(TimeStampedModel):
    """An assistant's posting to a service point for a period (选派/派驻)."""

    assistant = models.ForeignKey(
        Assistant, on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("assistant")
    )
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("service point"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave empty while the posting lasts.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    objects = DispatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["service_point", "starts_on"], name="dispatch_point_start")]
        # Overlapping periods of one assistant at one point are refused by the database too:
        # an exclusion constraint on PostgreSQL and a trigger on SQLite (migration 0002).
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="dispatch_ends_after_start",
                violation_error_message=_("A dispatch cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.assistant.name} → {self.service_point}"

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A dispatch cannot end before it starts.")})
        if not (self.assistant_id and self.service_point_id and self.starts_on):
            return
        overlapping = Dispatch.objects.filter(
            assistant_id=self.assistant_id, service_point_id=self.service_point_id
        ).exclude(pk=self.pk)
        if self.ends_on:
            overlapping = overlapping.filter(starts_on__lte=self.ends_on)
        overlapping = overlapping.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
        if overlapping.exists():
            raise ValidationError(
                _(
                    "This assistant is already dispatched to this service point "
                    "for part of that period."
                ),
                code="dispatch_overlap",
            )
