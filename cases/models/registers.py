"""The people and companies the programme serves, and who saw their personal data."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice.crypto import EncryptedIdNumberField, Undecryptable, lookup_hash
from talentoffice.fields import CreditCodeField, PhoneField
from talentoffice.models import TimeStampedModel
from talentoffice.validators import CREDIT_CODE_PATTERN, PHONE_PATTERN

from ..querysets import StaffOnlyQuerySet


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
    # Stored encrypted; found again through the keyed hash beside it (talentoffice.crypto).
    id_number = EncryptedIdNumberField(_("resident ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    anonymized_at = models.DateTimeField(_("anonymized at"), null=True, blank=True, editable=False)
    # Someone gave a known phone with another name. The record on file is never shown to them,
    # so a second record holds what they typed until staff compare and merge the two.
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        verbose_name=_("possible duplicate of"),
    )
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["name", "id"], name="resident_name_id"),
            # An exact search by phone finds the record on file and any awaiting a merge.
            models.Index(fields=["phone"], name="resident_phone"),
        ]
        permissions = [
            ("view_personal_data", _("Can show a resident's phone, address and ID number in full")),
            ("export_personal_data", _("Can export residents' personal data unmasked")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=PHONE_PATTERN),
                name="resident_phone_format",
                violation_error_message=_("The phone number is malformed."),
            ),
            models.CheckConstraint(
                condition=Q(household_size__gte=1), name="resident_household_size_positive"
            ),
            # One resident per phone; only the records waiting for staff to merge share one.
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(possible_duplicate_of__isnull=True),
                name="resident_phone_unique",
                violation_error_message=_("A resident with this phone number already exists."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A number no key opens keeps its token and its hash: saving the rest of the row
        # must not overwrite it with the "cannot be decrypted" label.
        if not isinstance(self.id_number, Undecryptable):
            self.id_number = "".join((self.id_number or "").split()).upper()
            self.id_number_hash = lookup_hash(self.id_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "id_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "id_number_hash"}
        super().save(*args, **kwargs)


class PersonalDataAccess(models.Model):
    """One time someone saw or exported residents' personal data in full: who, whose, when, why.

    Rows are only ever added: the admin offers no change or delete, and a trigger refuses UPDATE
    and DELETE, on PostgreSQL and on SQLite (migrations 0008 and 0016).
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("shown in full")
        EXPORT = "export", _("exported in full")
        SEARCH = "search", _("searched in full")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # Kept as typed, so the record still names the person if the account is ever removed.
    username = models.CharField(_("username"), max_length=150)
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personal_data_accesses",
        verbose_name=_("resident"),
    )
    # The case an assistant was working on when they showed or dialled the resident's phone.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    rows = models.PositiveIntegerField(_("residents"), default=1)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # What a search looked for, as its keyed hash: the log proves the search without holding
    # the phone or ID number itself.
    term_hash = models.CharField(_("searched for (hash)"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["resident", "at"], name="pdaccess_resident_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["view", "export", "search"]), name="pdaccess_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="view") | Q(resident__isnull=False),
                name="pdaccess_view_names_resident",
            ),
        ]

    def __str__(self):
        return f"{self.username} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
