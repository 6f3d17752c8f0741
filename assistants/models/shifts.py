"""Shifts, their history, swap requests and reminder policies."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice.models import StaffDecision, TimeStampedModel

from ..choices import ReminderKind, ShiftEventKind, ShiftStatus, Specialty, SwapStatus
from ..querysets import ShiftQuerySet, SwapRequestQuerySet
from .people import Assistant
from .places import ServicePoint
from .planning import Rota, ShiftTemplate


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
    objects = SwapRequestQuerySet.as_manager()

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
