"""What follows a case: return visits, referrals and extension requests."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty
from talentoffice.models import StaffDecision, TimeStampedModel

from ..choices import DecisionStatus, FollowUpMethod
from ..querysets import CaseFollowerQuerySet
from .case import Case


class FollowUp(TimeStampedModel):
    """The return visit after a case is resolved, with the resident's satisfaction."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=10, choices=FollowUpMethod.choices, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    still_solved = models.BooleanField(_("problem stays solved"), null=True, blank=True)
    by = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("by"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_at", "due_on"], name="followup_open_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_range",
            ),
            # A done follow-up has its method, satisfaction and verdict recorded.
            models.CheckConstraint(
                condition=Q(done_at__isnull=True)
                | Q(satisfaction__isnull=False, still_solved__isnull=False, method__gt=""),
                name="followup_done_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.case.number} {self.due_on}"


class Referral(StaffDecision, TimeStampedModel):
    """A case handed to the other specialty or to a government department (转介/转办)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    to_specialty = models.CharField(
        _("to specialty"), max_length=10, choices=Specialty.choices, blank=True
    )
    to_department = models.CharField(_("to department"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    objects = CaseFollowerQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(to_specialty="") & Q(to_department=""))
                | (Q(to_specialty="") & ~Q(to_department="")),
                name="referral_one_target",
                violation_error_message=_(
                    "Refer to the other specialty or to a department, not both."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.case.number} → {self.to_department or self.get_to_specialty_display()}"


class ExtensionRequest(StaffDecision, TimeStampedModel):
    """The lead asks for more time (延期申请); staff approve or refuse with a reason."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="extension_requests", verbose_name=_("case")
    )
    requested_by = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    extra_workdays = models.PositiveSmallIntegerField(
        _("extra working days"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    objects = CaseFollowerQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_case",
                violation_error_message=_("This case already has an extension request waiting."),
            ),
        ]

    def __str__(self):
        return f"{self.case.number} +{self.extra_workdays}"
