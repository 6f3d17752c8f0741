"""The service checklist and the people and companies the programme serves."""

import os
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty
from talentoffice.crypto import EncryptedIdNumberField, lookup_hash
from talentoffice.fields import CreditCodeField, PhoneField
from talentoffice.models import StaffDecision, TimeStampedModel
from talentoffice.validators import CREDIT_CODE_PATTERN, PHONE_PATTERN
from talentoffice.workdays import YearState, year_state

from .choices import (
    CaseEventKind,
    CaseOutcome,
    CasePriority,
    CaseSource,
    CaseState,
    DecisionStatus,
    FollowUpMethod,
    VisitKind,
)
from .querysets import CaseQuerySet, CatalogueQuerySet, StaffOnlyQuerySet, VisitQuerySet


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
    # Stored encrypted; found again through the keyed hash beside it (talentoffice.crypto).
    id_number = EncryptedIdNumberField(_("resident ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    anonymized_at = models.DateTimeField(_("anonymized at"), null=True, blank=True, editable=False)
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="resident_name_id")]
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
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = "".join((self.id_number or "").split()).upper()
        self.id_number_hash = lookup_hash(self.id_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "id_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "id_number_hash"}
        super().save(*args, **kwargs)


class PersonalDataAccess(models.Model):
    """One time someone saw or exported residents' personal data in full: who, whose, when, why.

    Rows are only ever added: the admin offers no change or delete, and on PostgreSQL a trigger
    refuses UPDATE and DELETE (migration 0008).
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("shown in full")
        EXPORT = "export", _("exported in full")

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
    rows = models.PositiveIntegerField(_("residents"), default=1)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["resident", "at"], name="pdaccess_resident_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["view", "export"]), name="pdaccess_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="view") | Q(resident__isnull=False),
                name="pdaccess_view_names_resident",
            ),
        ]

    def __str__(self):
        return f"{self.username} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CouncilMeeting(TimeStampedModel):
    """A council meeting (议事厅) or one-enterprise-one-discussion whose problems become cases."""

    title = models.CharField(_("title"), max_length=150)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=150)
    service_point = models.ForeignKey(
        "assistants.ServicePoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_meetings",
        verbose_name=_("service point"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_meetings",
        verbose_name=_("enterprise"),
        help_text=_("For a one-enterprise-one-discussion meeting."),
    )
    participants = models.TextField(_("participants"), blank=True)
    institutions = models.ManyToManyField(
        "partners.Partner",
        blank=True,
        related_name="council_meetings",
        verbose_name=_("institutions present"),
    )
    assistants = models.ManyToManyField(
        "assistants.Assistant",
        blank=True,
        related_name="council_meetings",
        verbose_name=_("assistants present"),
    )
    minutes = models.TextField(_("meeting minutes"), blank=True)

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class CaseNumberSequence(models.Model):
    """The last case number given out in a year; incremented under a row lock."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Case(TimeStampedModel):
    """One request from a resident or an enterprise, followed from intake to the return visit."""

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service item")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("resident"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("enterprise"),
    )
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices)
    service_point = models.ForeignKey(
        "assistants.ServicePoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("service point"),
    )
    council_meeting = models.ForeignKey(
        CouncilMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("council meeting"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    state = models.CharField(
        _("state"), max_length=12, choices=CaseState.choices, default=CaseState.NEW, editable=False
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=CaseOutcome.choices, blank=True, editable=False
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(
        _("beneficiaries"), default=1, validators=[MinValueValidator(1)]
    )
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("For financial items, e.g. the sum of a relocation loan."),
    )
    lead = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
        verbose_name=_("lead assistant"),
    )
    helpers = models.ManyToManyField(
        "assistants.Assistant", blank=True, related_name="helped_cases", verbose_name=_("helpers")
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    accept_by = models.DateTimeField(_("accept by"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    supervised = models.BooleanField(_("under supervision"), default=False, editable=False)
    supervision_note = models.TextField(_("supervision note"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="case_newest"),
            models.Index(fields=["state", "target_date"], name="case_state_target"),
            models.Index(fields=["lead", "state"], name="case_lead_state"),
            # An assistant's own lists on the phone (assistants/mobile/scopes.py): soonest due
            # first, all cases and the open ones, and newest first, read in order and limited,
            # so a page costs the same however many cases the assistant has had.
            models.Index(fields=["lead", "target_date", "-id"], name="case_lead_due"),
            models.Index(
                fields=["lead", "target_date", "-id"],
                name="case_lead_open_due",
                condition=models.Q(state__in=["new", "assigned", "in_progress"]),
            ),
            models.Index(fields=["lead", "-id"], name="case_lead_newest"),
            # Newest first within one state (the partner API's and the admin's state filters): a
            # state few of the caller's cases are in no longer walks every case of the district.
            models.Index(fields=["state", "-created_at", "-id"], name="case_state_newest"),
            # The partner API's `ordering=target_date`, read in order up to the page instead of
            # sorting the partner's every case (scale 100: 123 ms).
            models.Index(fields=["target_date", "id"], name="case_due"),
            models.Index(fields=["state", "follow_up_due"], name="case_state_follow_up"),
            models.Index(fields=["state", "accept_by"], name="case_state_accept_by"),
        ]
        constraints = [
            # A case is about exactly one requester: a resident or an enterprise.
            models.CheckConstraint(
                condition=Q(resident__isnull=False, enterprise__isnull=True)
                | Q(resident__isnull=True, enterprise__isnull=False),
                name="case_one_requester",
                violation_error_message=_("A case is for a resident or an enterprise, not both."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=CaseState.values), name="case_state_valid"
            ),
            # Resolved and later states carry an outcome; earlier states have none.
            models.CheckConstraint(
                condition=Q(state__in=["new", "assigned", "in_progress"], outcome="")
                | Q(
                    state__in=["resolved", "followed_up", "closed"], outcome__in=CaseOutcome.values
                ),
                name="case_outcome_matches_state",
                violation_error_message=_("A resolved case needs an outcome."),
            ),
            models.CheckConstraint(
                condition=Q(state="new") | Q(lead__isnull=False),
                name="case_assigned_has_lead",
            ),
            models.CheckConstraint(
                condition=Q(beneficiaries__gte=1), name="case_beneficiaries_positive"
            ),
        ]

    @property
    def target_date_is_provisional(self) -> bool:
        """True when the target date was counted on a year with no official calendar yet."""
        if self.target_date is None:
            return False
        return year_state(self.target_date.year) != YearState.OFFICIAL

    def target_date_marked(self) -> str:
        """The target date for lists, marked provisional when its year's notice is not in."""
        if self.target_date is None:
            return "—"
        if self.target_date_is_provisional:
            return format_html(
                '{} <span class="provisional">{}</span>',
                f"{self.target_date:%Y-%m-%d}",
                gettext("provisional"),
            )
        return f"{self.target_date:%Y-%m-%d}"

    target_date_marked.short_description = _("target date")
    target_date_marked.admin_order_field = "target_date"

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def requester(self):
        return self.resident or self.enterprise


class CaseEvent(models.Model):
    """One entry in a case's timeline: who did what, when, from which state to which."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CaseEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    assistant = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assistant"),
    )
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case timeline")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()}"


class Visit(TimeStampedModel):
    """One logged interaction: consultation, mediation, enterprise visit, return visit, talk."""

    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    assistant = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("assistant"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("case"),
    )
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    service_point = models.ForeignKey(
        "assistants.ServicePoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("service point"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("enterprise"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("household"),
    )
    people_present = models.PositiveSmallIntegerField(_("people present"), default=1)
    notes = models.TextField(_("notes"), blank=True)
    # A retried submission carries the same key and returns the first visit (DESIGN rule 5).
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="visit_newest"),
            models.Index(fields=["assistant", "occurred_at"], name="visit_assistant_when"),
            models.Index(fields=["enterprise", "occurred_at"], name="visit_enterprise_when"),
            # A case page lists its newest visits; without this the LIMIT walks visit_newest.
            models.Index(fields=["case", "-occurred_at"], name="visit_case_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=1440),
                name="visit_duration_range",
            ),
            models.CheckConstraint(condition=Q(kind__in=VisitKind.values), name="visit_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M}"


def visit_attachment_path(attachment, filename):
    """A random name under the visit's folder: a stored file's name tells nothing about it."""
    extension = os.path.splitext(filename)[1].lower()
    return f"visits/{attachment.visit_id}/{uuid.uuid4().hex}{extension}"


class VisitAttachment(models.Model):
    """A photo or PDF kept with a visit; its type was checked from its content."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("visit")
    )
    file = models.FileField(_("file"), upload_to=visit_attachment_path)
    # The name it was uploaded under, for people; the stored file has a random name.
    original_name = models.CharField(_("name"), max_length=100, blank=True, editable=False)
    content_type = models.CharField(_("content type"), max_length=50, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name or os.path.basename(self.file.name)

    def get_absolute_url(self):
        """The download, answered only to those who may see the visit (cases.files)."""
        return reverse("files:visit_attachment", args=[self.pk])


class FollowUp(TimeStampedModel):
    """The return visit after a case is resolved, with the resident's satisfaction."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=10, choices=FollowUpMethod.choices, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    still_solved = models.BooleanField(_("problem stays solved"), null=True, blank=True)
    by = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("by"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_at", "due_on"], name="followup_open_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_range",
            ),
            # A done follow-up has its method, satisfaction and verdict recorded.
            models.CheckConstraint(
                condition=Q(done_at__isnull=True)
                | Q(satisfaction__isnull=False, still_solved__isnull=False, method__gt=""),
                name="followup_done_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.case.number} {self.due_on}"


class Referral(StaffDecision, TimeStampedModel):
    """A case handed to the other specialty or to a government department (转介/转办)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    to_specialty = models.CharField(
        _("to specialty"), max_length=10, choices=Specialty.choices, blank=True
    )
    to_department = models.CharField(_("to department"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(to_specialty="") & Q(to_department=""))
                | (Q(to_specialty="") & ~Q(to_department="")),
                name="referral_one_target",
                violation_error_message=_(
                    "Refer to the other specialty or to a department, not both."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.case.number} → {self.to_department or self.get_to_specialty_display()}"


class ExtensionRequest(StaffDecision, TimeStampedModel):
    """The lead asks for more time (延期申请); staff approve or refuse with a reason."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="extension_requests", verbose_name=_("case")
    )
    requested_by = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    extra_workdays = models.PositiveSmallIntegerField(
        _("extra working days"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_case",
                violation_error_message=_("This case already has an extension request waiting."),
            ),
        ]

    def __str__(self):
        return f"{self.case.number} +{self.extra_workdays}"


class EnterpriseLiaison(TimeStampedModel):
    """An assistant linked to an enterprise for regular visits (挂钩联系)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="liaisons", verbose_name=_("enterprise")
    )
    assistant = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.CASCADE,
        related_name="liaisons",
        verbose_name=_("assistant"),
    )
    visit_interval_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), default=30, validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("enterprise liaison")
        verbose_name_plural = _("enterprise liaisons")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "assistant"],
                name="liaison_unique_pair",
                violation_error_message=_("This assistant is already this enterprise's liaison."),
            ),
            models.CheckConstraint(
                condition=Q(visit_interval_days__gte=1), name="liaison_interval_positive"
            ),
        ]

    def __str__(self):
        return f"{self.assistant.name} ↔ {self.enterprise}"
