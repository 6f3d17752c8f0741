"""Which assistant keeps in touch with which enterprise."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talentoffice.models import TimeStampedModel

from .registers import Enterprise


class EnterpriseLiaison(TimeStampedModel):
    """An assistant linked to an enterprise for regular visits (挂钩联系)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="liaisons", verbose_name=_("enterprise")
    )
    assistant = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.CASCADE,
        related_name="liaisons",
        verbose_name=_("assistant"),
    )
    visit_interval_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), default=30, validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("enterprise liaison")
        verbose_name_plural = _("enterprise liaisons")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "assistant"],
                name="liaison_unique_pair",
                violation_error_message=_("This assistant is already this enterprise's liaison."),
            ),
            models.CheckConstraint(
                condition=Q(visit_interval_days__gte=1), name="liaison_interval_positive"
            ),
        ]

    def __str__(self):
        return f"{self.assistant.name} ↔ {self.enterprise}"
