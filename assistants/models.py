"""Assistants, the service points where they serve, and their dispatches there."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice.fields import LicenceNumberField, MobileField
from talentoffice.models import StaffDecision, TimeStampedModel
from talentoffice.validators import LICENCE_NUMBER_PATTERN, MOBILE_PATTERN

from .choices import (
    AssistantStatus,
    ReminderKind,
    RotaStatus,
    ServicePointKind,
    ShiftEventKind,
    ShiftStatus,
    Specialty,
    SwapStatus,
    UnavailabilityKind,
    UnavailabilityStatus,
)
from .querysets import (
    AssistantQuerySet,
    DispatchQuerySet,
    ServicePointQuerySet,
    ShiftQuerySet,
    UnavailabilityQuerySet,
)

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
    swaps_need_approval = models.BooleanField(
        _("swaps need staff approval"),
        default=False,
        help_text=_("When set, a swap agreed between assistants waits for staff to approve it."),
    )
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
        indexes = [
            models.Index(fields=["service_point", "starts_on"], name="dispatch_point_start"),
            models.Index(fields=["-starts_on", "id"], name="dispatch_start_desc_id"),
            # A point's colleagues in assistant order (shifts.some_suitable_colleagues).
            models.Index(fields=["service_point", "assistant"], name="dispatch_point_assistant"),
        ]
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


class ShiftTemplate(TimeStampedModel):
    """A weekly duty slot at a service point, from which rota generation makes shifts."""

    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.CASCADE,
        related_name="shift_templates",
        verbose_name=_("service point"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=WEEKDAY_CHOICES, validators=[MaxValueValidator(6)]
    )
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    finance_needed = models.PositiveSmallIntegerField(_("finance assistants needed"), default=1)
    legal_needed = models.PositiveSmallIntegerField(_("legal assistants needed"), default=1)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        ordering = ["service_point", "weekday", "starts_at"]
        # Overlapping templates at one point on one weekday are also refused by the database:
        # an exclusion constraint on PostgreSQL, triggers on SQLite (migration 0004).
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="shifttemplate_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="shifttemplate_weekday_valid"),
            models.CheckConstraint(
                condition=Q(finance_needed__gt=0) | Q(legal_needed__gt=0),
                name="shifttemplate_needs_someone",
                violation_error_message=_("A template needs at least one assistant."),
            ),
        ]

    def __str__(self):
        return (
            f"{self.service_point} {self.get_weekday_display()} "
            f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"
        )

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift must end after it starts.")})
        if not (self.service_point_id and self.starts_at and self.ends_at):
            return
        overlapping = (
            ShiftTemplate.objects.filter(
                service_point_id=self.service_point_id,
                weekday=self.weekday,
                starts_at__lt=self.ends_at,
                ends_at__gt=self.starts_at,
            )
            .exclude(pk=self.pk)
            .exists()
        )
        if overlapping:
            raise ValidationError(
                _("This service point already has a template overlapping that time on that day."),
                code="template_overlap",
            )


class Unavailability(StaffDecision, TimeStampedModel):
    """Days an assistant cannot serve: leave, a business trip. Approved ones block assignment."""

    assistant = models.ForeignKey(
        Assistant,
        on_delete=models.CASCADE,
        related_name="unavailabilities",
        verbose_name=_("assistant"),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=UnavailabilityKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=UnavailabilityStatus.choices,
        default=UnavailabilityStatus.REQUESTED,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    objects = UnavailabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["assistant", "starts_on"], name="unavail_assistant_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="unavailability_ends_after_start",
                violation_error_message=_("Leave cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=UnavailabilityStatus.values),
                name="unavailability_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.assistant.name} {self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Leave cannot end before it starts.")})


class Rota(TimeStampedModel):
    """A generated set of shifts for a period: a draft to preview, then published for good."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rotas",
        verbose_name=_("service point"),
        help_text=_("Empty for the whole district."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RotaStatus.choices, default=RotaStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("rota")
        verbose_name_plural = _("rotas")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="rota_ends_after_start",
                violation_error_message=_("A rota cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="rota_published_has_time",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_published(self):
        return self.status == RotaStatus.PUBLISHED


class Shift(models.Model):
    """One seat on duty: a specialty at a service point for a time, filled by one assistant.

    A template needing a finance and a legal assistant gives two shifts. A shift with no
    assistant is open. The database refuses one assistant on two overlapping live shifts
    (exclusion constraint on PostgreSQL, triggers on SQLite: migration 0004).
    """

    rota = models.ForeignKey(
        Rota,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("rota"),
    )
    template = models.ForeignKey(
        ShiftTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("template"),
    )
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        related_name="shifts",
        verbose_name=_("service point"),
    )
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    specialty = models.CharField(_("specialty"), max_length=10, choices=Specialty.choices)
    assistant = models.ForeignKey(
        Assistant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("assistant"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ShiftStatus.choices, default=ShiftStatus.SCHEDULED
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(
        _("check-in latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    check_in_longitude = models.DecimalField(
        _("check-in longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    check_in_distance_m = models.PositiveIntegerField(
        _("check-in distance (metres)"),
        null=True,
        blank=True,
        help_text=_("How far from the service point the phone said it was at check-in."),
    )
    # Checking in far away is allowed (a phone's location can be wrong indoors), only flagged.
    check_in_far = models.BooleanField(
        _("checked in far from the service point"),
        default=False,
        help_text=_("Staff should look at this check-in: it was sent from far away."),
    )
    # Bumped on every change a calendar should see (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "service_point", "specialty", "pk"]
        indexes = [
            models.Index(fields=["starts_at"], name="shift_starts_at"),
            models.Index(fields=["assistant", "starts_at"], name="shift_assistant_start"),
            models.Index(fields=["service_point", "date"], name="shift_point_date"),
            models.Index(fields=["status", "starts_at"], name="shift_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ShiftStatus.values), name="shift_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(specialty__in=Specialty.values), name="shift_specialty_valid"
            ),
            # Attendance needs somebody: an open shift can only be scheduled or cancelled.
            models.CheckConstraint(
                condition=Q(assistant__isnull=False) | Q(status__in=["scheduled", "cancelled"]),
                name="shift_attendance_needs_assistant",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.service_point} {local:%Y-%m-%d %H:%M} {self.get_specialty_display()}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift must end after it starts.")})
        if self.assistant_id and self.specialty and self.assistant.specialty != self.specialty:
            raise ValidationError(
                {
                    "assistant": _("This shift needs a %(specialty)s assistant.")
                    % {"specialty": self.get_specialty_display()}
                }
            )

    @property
    def is_open(self):
        return self.assistant_id is None and self.status == ShiftStatus.SCHEDULED


class ShiftEvent(models.Model):
    """One step in a shift's history: assignment, swap steps, leave, attendance."""

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="events", verbose_name=_("shift")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ShiftEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    assistant = models.ForeignKey(
        Assistant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assistant"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("shift event")
        verbose_name_plural = _("shift history")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} @ {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class SwapRequest(StaffDecision, TimeStampedModel):
    """An assistant's offer of a shift, to anyone suitable or to a named colleague."""

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="swap_requests", verbose_name=_("shift")
    )
    requested_by = models.ForeignKey(
        Assistant,
        on_delete=models.CASCADE,
        related_name="swaps_requested",
        verbose_name=_("requested by"),
    )
    offered_to = models.ForeignKey(
        Assistant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="swaps_offered",
        verbose_name=_("offered to"),
        help_text=_("Empty to offer the shift to every suitable colleague."),
    )
    accepted_by = models.ForeignKey(
        Assistant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="swaps_accepted",
        verbose_name=_("accepted by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.OPEN
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live request per shift: a second offer would let two colleagues both accept.
            models.UniqueConstraint(
                fields=["shift"],
                condition=Q(status__in=["open", "accepted"]),
                name="swaprequest_one_live_per_shift",
                violation_error_message=_("This shift is already offered."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SwapStatus.values), name="swaprequest_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.shift} · {self.requested_by.name}"


class ReminderPolicy(models.Model):
    """When reminders go out; staff tune these in the admin, the sweep reads them."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices, unique=True)
    active = models.BooleanField(_("in use"), default=True)
    hour = models.PositiveSmallIntegerField(
        _("hour of day"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(23)],
        help_text=_("For the day-before reminder: the hour it goes out, 0–23."),
    )
    minutes = models.PositiveIntegerField(
        _("minutes"),
        null=True,
        blank=True,
        help_text=_("Before the shift, or after its start for a missed check-in."),
    )
    days = models.PositiveSmallIntegerField(
        _("days ahead"), null=True, blank=True, help_text=_("For open-slot alerts.")
    )

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hour__isnull=True) | Q(hour__lte=23), name="reminderpolicy_hour_valid"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        needed = {
            ReminderKind.DAY_BEFORE: "hour",
            ReminderKind.BEFORE_SHIFT: "minutes",
            ReminderKind.OPEN_SLOT: "days",
            ReminderKind.MISSED_CHECK_IN: "minutes",
        }.get(self.kind)
        if needed and getattr(self, needed) is None:
            raise ValidationError({needed: _("This kind of reminder needs this value.")})
