"""The service checklist and the people and companies the programme serves."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty
from talentoffice.fields import CreditCodeField, PhoneField
from talentoffice.models import TimeStampedModel
from talentoffice.validators import CREDIT_CODE_PATTERN, PHONE_PATTERN

from .querysets import CatalogueQuerySet, StaffOnlyQuerySet


class ServiceCategory(models.Model):
    """One of the checklist's categories (服务清单大类)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class ServiceItem(models.Model):
    """One item of the service checklist, with its deadlines."""

    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="items", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    specialty = models.CharField(_("specialty"), max_length=10, choices=Specialty.choices)
    description = models.TextField(_("description"), blank=True)
    target_days = models.PositiveSmallIntegerField(
        _("target days to resolve"),
        validators=[MinValueValidator(1)],
        help_text=_("Working days from intake to resolution."),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("days until follow-up"),
        validators=[MinValueValidator(1)],
        help_text=_("Days after resolution when the return visit is due."),
    )
    is_financial = models.BooleanField(
        _("financial product"),
        default=False,
        help_text=_("Cases of this item record an amount, e.g. a relocation loan."),
    )
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"],
                name="serviceitem_unique_name_per_category",
                violation_error_message=_("This category already has an item with this name."),
            ),
            models.CheckConstraint(
                condition=Q(target_days__gte=1), name="serviceitem_target_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_days__gte=1), name="serviceitem_follow_up_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(specialty__in=Specialty.values), name="serviceitem_specialty_valid"
            ),
        ]

    def __str__(self):
        return self.name


class Enterprise(TimeStampedModel):
    """A company or shop the programme serves, identified by its credit code."""

    name = models.CharField(_("name"), max_length=100)
    credit_code = CreditCodeField(
        _("unified social credit code"),
        unique=True,
        error_messages={"unique": _("An enterprise with this credit code already exists.")},
    )
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    street = models.ForeignKey(
        "talentoffice.Street",
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("street"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = PhoneField(_("contact phone"), blank=True)
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["street", "name"], name="enterprise_street_name"),
            # Serves the default ordering, so a list page reads 50 rows instead of sorting all.
            models.Index(fields=["name", "id"], name="enterprise_name_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=CREDIT_CODE_PATTERN),
                name="enterprise_credit_code_format",
                violation_error_message=_("The unified social credit code is malformed."),
            ),
            models.CheckConstraint(
                condition=Q(contact_phone="") | Q(contact_phone__regex=PHONE_PATTERN),
                name="enterprise_contact_phone_format",
                violation_error_message=_("The phone number is malformed."),
            ),
        ]

    def __str__(self):
        return self.name


class Resident(TimeStampedModel):
    """A person or household served; name, phone and address are personal data."""

    name = models.CharField(_("name"), max_length=50)
    phone = PhoneField(
        _("phone"),
        unique=True,
        error_messages={"unique": _("A resident with this phone number already exists.")},
    )
    community = models.ForeignKey(
        "talentoffice.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("community"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    household_size = models.PositiveSmallIntegerField(
        _("household size"), default=1, validators=[MinValueValidator(1)]
    )
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="resident_name_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=PHONE_PATTERN),
                name="resident_phone_format",
                violation_error_message=_("The phone number is malformed."),
            ),
            models.CheckConstraint(
                condition=Q(household_size__gte=1), name="resident_household_size_positive"
            ),
        ]

    def __str__(self):
        return self.name
