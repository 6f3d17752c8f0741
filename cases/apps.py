from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Services and people served")

    def ready(self):
        # Models and the audit registry can only be imported once the app registry is ready.
        from talentoffice.admin_base import personal_data_searched
        from talentoffice.audit import track

        from . import (
            checks,  # noqa: F401  (registers the upload-folder check)
            privacy,
        )
        from .events import register as register_events
        from .models import Case, FollowUp, Resident, Visit

        track(Visit)
        track(FollowUp)
        track(Case, m2m_fields={"helpers"})
        # Residents: that personal data changed is recorded, the values only masked; the lookup
        # hash would let a reader of the log test guesses, so it stays out.
        track(
            Resident,
            mask_fields=["name", "phone", "address", "id_number"],
            mask_callable="talentoffice.audit.mask_value",
            exclude_fields=["id_number_hash"],
        )
        # Who hears of each step in a case's timeline.
        register_events()
        # Searches by a whole phone or ID number in any admin list go into the personal-data log.
        personal_data_searched.connect(
            privacy.record_admin_search, dispatch_uid="cases.record_admin_search"
        )
