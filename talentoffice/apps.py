from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentOfficeConfig(AppConfig):
    """The project package as an app, so that it can own cross-app models and commands."""

    name = "talentoffice"
    verbose_name = _("TalentOffice")
