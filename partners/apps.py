from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from talentoffice.robot_owners import robots_may_belong_to


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        # Models and the audit registry can only be imported once the app registry is ready.
        from talentoffice.audit import track

        from .models import Agreement, Partner

        track(Partner)
        track(Agreement)
        # A partner's group-chat robots hear of its people.
        robots_may_belong_to(Partner)
