"""Choices for assistants and service points."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Specialty(models.TextChoices):
    FINANCE = "finance", _("finance")
    LEGAL = "legal", _("legal")


class AssistantStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    ON_LEAVE = "on_leave", _("on leave")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ServicePointKind(models.TextChoices):
    COMMUNITY_POINT = "community_point", _("community point")
    SERVICE_WINDOW = "service_window", _("district service window")
    TALENT_HOME = "talent_home", _("talent home")
    PROJECT_SITE = "project_site", _("project site")
    OFFICE_BUILDING = "office_building", _("office building")


class UnavailabilityKind(models.TextChoices):
    LEAVE = "leave", _("leave")
    BUSINESS_TRIP = "business_trip", _("business trip")
    OTHER = "other", _("other")


class UnavailabilityStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class RotaStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class ShiftStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CHECKED_IN = "checked_in", _("checked in")
    COMPLETED = "completed", _("completed")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


class ShiftEventKind(models.TextChoices):
    CREATED = "created", _("created")
    ASSIGNED = "assigned", _("assigned")
    UNASSIGNED = "unassigned", _("made open")
    SWAP_OFFERED = "swap_offered", _("swap offered")
    SWAP_ACCEPTED = "swap_accepted", _("swap accepted")
    SWAP_APPROVED = "swap_approved", _("swap approved")
    SWAP_REJECTED = "swap_rejected", _("swap rejected")
    SWAP_CANCELLED = "swap_cancelled", _("swap withdrawn")
    OPENED_BY_LEAVE = "opened_by_leave", _("opened by approved leave")
    CHECKED_IN = "checked_in", _("checked in")
    CHECKED_OUT = "checked_out", _("checked out")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


class SwapStatus(models.TextChoices):
    OPEN = "open", _("waiting for a colleague")
    ACCEPTED = "accepted", _("waiting for staff approval")
    APPROVED = "approved", _("done")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("withdrawn")


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "day_before", _("the day before, at a set hour")
    BEFORE_SHIFT = "before_shift", _("a set time before the shift")
    OPEN_SLOT = "open_slot", _("open slot alert to staff, days ahead")
    MISSED_CHECK_IN = "missed_check_in", _("missed check-in alert to staff")
