"""Council meetings, where problems are raised as cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from talentoffice.models import TimeStampedModel

from ..querysets import StaffOnlyQuerySet
from .registers import Enterprise


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
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"
