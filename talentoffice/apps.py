from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentOfficeConfig(AppConfig):
    """The project package as an app, so that it can own cross-app models and commands."""

    name = "talentoffice"
    verbose_name = _("TalentOffice")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import audit, keychecks, mailchecks  # noqa: F401  (checks register on import)
        from .database_rules import check_rules_after_migrate
        from .roles import sync_roles_after_migrate

        # The role groups follow docs/roles.md; migrate (and a test database's flush) remakes them.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="talentoffice.sync_roles")
        # Triggers and constraints written as SQL must survive every migration (see the module).
        post_migrate.connect(check_rules_after_migrate, dispatch_uid="talentoffice.database_rules")
        post_migrate.connect(
            keychecks.write_canary_after_migrate, dispatch_uid="talentoffice.key_canary"
        )
        audit.connect()
