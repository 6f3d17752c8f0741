from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from talentoffice.robot_owners import robots_may_belong_to


class AssistantsConfig(AppConfig):
    name = "assistants"
    verbose_name = _("Assistants and service points")

    def ready(self):
        # Models and the audit registry can only be imported once the app registry is ready.
        from talentoffice.audit import track

        from . import events
        from .models import Assistant, Dispatch, ServicePoint, Shift

        track(Dispatch)
        # A point's group-chat robots hear of its duty.
        robots_may_belong_to(ServicePoint)
        # The calendar token is a credential (the feed URL): it never goes into a log.
        track(Assistant, exclude_fields=["calendar_token"])
        # The revision only tells calendars to refresh; every real change is recorded anyway.
        track(Shift, exclude_fields=["sequence"])
        # Who hears of each step in a shift's life, of a rota published, of leave that freed shifts.
        events.register()
