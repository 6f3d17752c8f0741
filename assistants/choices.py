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
