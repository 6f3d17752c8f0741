"""Planning duty: shift templates, leave and trips, monthly rotas."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talentoffice.models import StaffDecision, TimeStampedModel

from ..choices import RotaStatus, UnavailabilityKind, UnavailabilityStatus
from ..querysets import UnavailabilityQuerySet
from .people import WEEKDAY_CHOICES, Assistant
from .places import ServicePoint


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
