"""The service points where assistants serve, and their dispatches there."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talentoffice.models import TimeStampedModel

from ..choices import ServicePointKind
from ..querysets import DispatchQuerySet, ServicePointQuerySet
from .people import Assistant


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
    # The point's group-chat robots (the core's robots name their owner generically); deleting
    # the point deletes them.
    chat_webhooks = GenericRelation(
        "talentoffice.ChatWebhook",
        content_type_field="owner_type",
        object_id_field="owner_id",
        related_query_name="service_point",
    )
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
