from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Services and people served")

    def ready(self):
        # The audit trail follows records of every app; cases is the app that needs them all.
        from talentoffice import audit

        from . import checks  # noqa: F401  (registers the upload-folder check)
        from .events import register as register_events

        audit.connect()
        # Who hears of each step in a case's timeline.
        register_events()
