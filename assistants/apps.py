from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantsConfig(AppConfig):
    name = "assistants"
    verbose_name = _("Assistants and service points")

    def ready(self):
        from . import events

        # Who hears of each step in a shift's life, of a rota published, of leave that freed shifts.
        events.register()
