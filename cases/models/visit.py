"""Visits and their attachments."""

import os
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice.models import TimeStampedModel

from ..choices import VisitKind
from ..querysets import VisitQuerySet
from .case import Case
from .registers import Enterprise, Resident


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
    # A phone on a weak network retries; the retry carries the same key and returns the first
    # visit instead of logging the visit twice.
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
