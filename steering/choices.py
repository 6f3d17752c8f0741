"""Choices for campaigns and activities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprises")
    HOUSEHOLD = "household", _("households")
    COMMUNITY = "community", _("communities")


# The CampaignTarget field that holds a target of each kind.
TargetKind.FIELD = {"enterprise": "enterprise", "household": "resident", "community": "community"}


class ActivityKind(models.TextChoices):
    TALK = "talk", _("lecturer-team talk")
    PARTY_BUILDING = "party_building", _("party-building co-construction")
    CONSULTATION_DAY = "consultation_day", _("consultation day")
    COUNCIL_MEETING = "council_meeting", _("council meeting")
