"""Campaigns, activities, partner targets and the alliance's rotating chair."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty
from talentoffice import uploads
from talentoffice.models import TimeStampedModel

from .choices import ActivityKind, TargetKind
from .querysets import ActivityQuerySet, StaffOnlyQuerySet


class Campaign(TimeStampedModel):
    """A time-boxed drive (专项行动) with a target list and the people who work it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    target_kind = models.CharField(_("targets are"), max_length=12, choices=TargetKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(
        "partners.Partner", blank=True, related_name="campaigns", verbose_name=_("partners")
    )
    assistants = models.ManyToManyField(
        "assistants.Assistant", blank=True, related_name="campaigns", verbose_name=_("assistants")
    )
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(target_kind__in=TargetKind.values), name="campaign_target_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A campaign cannot end before it starts.")})


class CampaignTarget(models.Model):
    """One enterprise, household or community on a campaign's target list."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="targets", verbose_name=_("campaign")
    )
    enterprise = models.ForeignKey(
        "cases.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    resident = models.ForeignKey(
        "cases.Resident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    community = models.ForeignKey(
        "talentoffice.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["campaign", "pk"]
        constraints = [
            # Exactly one of the three: the campaign's kind decides which (checked in clean()).
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, resident__isnull=True, community__isnull=True)
                | Q(enterprise__isnull=True, resident__isnull=False, community__isnull=True)
                | Q(enterprise__isnull=True, resident__isnull=True, community__isnull=False),
                name="campaigntarget_one_target",
                violation_error_message=_("A target is one enterprise, household or community."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "enterprise"],
                condition=Q(enterprise__isnull=False),
                name="campaigntarget_unique_enterprise",
            ),
            models.UniqueConstraint(
                fields=["campaign", "resident"],
                condition=Q(resident__isnull=False),
                name="campaigntarget_unique_resident",
            ),
            models.UniqueConstraint(
                fields=["campaign", "community"],
                condition=Q(community__isnull=False),
                name="campaigntarget_unique_community",
            ),
        ]

    def __str__(self):
        return str(self.enterprise or self.resident or self.community)

    def clean(self):
        field = TargetKind.FIELD[self.campaign.target_kind] if self.campaign_id else None
        if field and getattr(self, f"{field}_id") is None:
            raise ValidationError(
                _("This campaign's targets are %(kind)s.")
                % {"kind": TargetKind(self.campaign.target_kind).label}
            )


def activity_photo_path(photo, filename):
    return f"activities/{photo.activity_id}/{filename}"


class Activity(TimeStampedModel):
    """An event: a lecturer-team talk, a party-building event, a consultation day, a council."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=150)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=150)
    street = models.ForeignKey(
        "talentoffice.Street",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("street"),
    )
    council_meeting = models.OneToOneField(
        "cases.CouncilMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity",
        verbose_name=_("council meeting"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("campaign"),
    )
    partners = models.ManyToManyField(
        "partners.Partner",
        blank=True,
        related_name="activities",
        verbose_name=_("organizing partners"),
    )
    assistants = models.ManyToManyField(
        "assistants.Assistant",
        blank=True,
        related_name="activities",
        verbose_name=_("assistants involved"),
    )
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on"], name="activity_held_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class ActivityPhoto(models.Model):
    """A photo of an activity; its type is checked from its content like a visit's."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("activity")
    )
    file = models.FileField(_("photo"), upload_to=activity_photo_path)
    caption = models.CharField(_("caption"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self):
        return self.caption or self.file.name

    def clean(self):
        if self.file and self.file.name != self.stored_file_name():
            uploads.check_attachment(self.file)

    def stored_file_name(self) -> str | None:
        """The name of the file saved for this photo, None before it is saved: a photo whose
        file is unchanged was checked when it was uploaded, and is not read again."""
        if self._state.adding:
            return None
        saved = type(self)._default_manager.filter(pk=self.pk).values_list("file", flat=True)
        return next(iter(saved), None)


class PartnerTarget(TimeStampedModel):
    """A partner's targets for one year, and the staff's evaluation at its end (目标管理)."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("partner"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    shifts = models.PositiveIntegerField(_("shifts to cover"), default=0)
    enterprises = models.PositiveIntegerField(_("enterprises to visit"), default=0)
    cases = models.PositiveIntegerField(_("cases to resolve"), default=0)
    activities = models.PositiveIntegerField(_("activities to organize"), default=0)
    evaluation = models.TextField(_("year-end evaluation"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluated by"),
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner target")
        verbose_name_plural = _("partner targets")
        ordering = ["-year", "partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "year"],
                name="partnertarget_one_per_year",
                violation_error_message=_("This partner already has targets for this year."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} {self.year}"


class ChairTerm(TimeStampedModel):
    """One term of the alliance's rotating chair (轮值主席单位) in a sector."""

    sector = models.CharField(_("alliance"), max_length=10, choices=Specialty.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="chair_terms",
        verbose_name=_("chair"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("chair term")
        verbose_name_plural = _("chair terms")
        ordering = ["sector", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="chairterm_ends_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["sector", "starts_on"],
                name="chairterm_one_start_per_sector",
                violation_error_message=_("A term of this alliance already starts on that day."),
            ),
        ]

    def __str__(self):
        return f"{self.get_sector_display()} {self.partner} {self.starts_on:%Y-%m-%d}"

    def clean(self):
        if not (self.starts_on and self.ends_on and self.sector):
            return
        if self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A term cannot end before it starts.")})
        if self.partner_id and self.partner.sector != self.sector:
            raise ValidationError(
                {"partner": _("The chair must belong to this alliance's sector.")}
            )
        overlapping = ChairTerm.objects.filter(
            sector=self.sector, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("Another chair term of this alliance overlaps these dates."))


class DashboardSnapshot(models.Model):
    """The dashboard's figures and charts for one set of filters and a language, as computed."""

    key = models.CharField(_("filters"), max_length=200, unique=True)
    payload = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self):
        return f"{self.key} @ {self.computed_at:%Y-%m-%d %H:%M}"
