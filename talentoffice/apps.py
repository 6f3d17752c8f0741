from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentOfficeConfig(AppConfig):
    """The project package as an app, so that it can own cross-app models and commands."""

    name = "talentoffice"
    verbose_name = _("TalentOffice")

    def ready(self):
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from . import audit
        from .database_rules import check_rules_after_migrate
        from .roles import sync_roles_after_migrate

        # The role groups follow docs/roles.md; migrate (and a test database's flush) remakes them.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="talentoffice.sync_roles")
        # Triggers and constraints written as SQL must survive every migration (see the module).
        post_migrate.connect(check_rules_after_migrate, dispatch_uid="talentoffice.database_rules")
        audit.connect()
        # LocaleMiddleware switches the thread to the asker's language and leaves it there; work
        # the same thread does next (a test, a task run in place) is in the default language.
        request_finished.connect(back_to_the_default_language, dispatch_uid="talentoffice.language")


def back_to_the_default_language(sender, **kwargs):
    """request_finished receiver: the thread speaks LANGUAGE_CODE again once a response is sent."""
    from django.utils import translation

    translation.deactivate()
