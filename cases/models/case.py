"""Cases, their numbers and their timeline."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentoffice.models import TimeStampedModel
from talentoffice.workdays import YearState, year_state

from ..choices import CaseEventKind, CaseOutcome, CasePriority, CaseSource, CaseState
from ..querysets import CaseQuerySet
from .catalogue import ServiceItem
from .meeting import CouncilMeeting
from .registers import Enterprise, Resident


class CaseNumberSequence(models.Model):
    """The last case number given out in a year; incremented under a row lock."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Case(TimeStampedModel):
    """One request from a resident or an enterprise, followed from intake to the return visit."""

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service item")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("resident"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("enterprise"),
    )
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices)
    service_point = models.ForeignKey(
        "assistants.ServicePoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("service point"),
    )
    council_meeting = models.ForeignKey(
        CouncilMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("council meeting"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    state = models.CharField(
        _("state"), max_length=12, choices=CaseState.choices, default=CaseState.NEW, editable=False
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=CaseOutcome.choices, blank=True, editable=False
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(
        _("beneficiaries"), default=1, validators=[MinValueValidator(1)]
    )
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("For financial items, e.g. the sum of a relocation loan."),
    )
    lead = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
        verbose_name=_("lead assistant"),
    )
    helpers = models.ManyToManyField(
        "assistants.Assistant", blank=True, related_name="helped_cases", verbose_name=_("helpers")
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    accept_by = models.DateTimeField(_("accept by"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    supervised = models.BooleanField(_("under supervision"), default=False, editable=False)
    supervision_note = models.TextField(_("supervision note"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="case_newest"),
            models.Index(fields=["state", "target_date"], name="case_state_target"),
            models.Index(fields=["lead", "state"], name="case_lead_state"),
            # An assistant's own lists on the phone (mobile/scopes.py): soonest due
            # first, all cases and the open ones, and newest first, read in order and limited,
            # so a page costs the same however many cases the assistant has had.
            models.Index(fields=["lead", "target_date", "-id"], name="case_lead_due"),
            models.Index(
                fields=["lead", "target_date", "-id"],
                name="case_lead_open_due",
                condition=models.Q(state__in=["new", "assigned", "in_progress"]),
            ),
            models.Index(fields=["lead", "-id"], name="case_lead_newest"),
            # Newest first within one state (the partner API's and the admin's state filters): a
            # state few of the caller's cases are in no longer walks every case of the district.
            models.Index(fields=["state", "-created_at", "-id"], name="case_state_newest"),
            # The partner API's `ordering=target_date`, read in order up to the page instead of
            # sorting the partner's every case, which grows slow with a large district.
            models.Index(fields=["target_date", "id"], name="case_due"),
            models.Index(fields=["state", "follow_up_due"], name="case_state_follow_up"),
            models.Index(fields=["state", "accept_by"], name="case_state_accept_by"),
        ]
        constraints = [
            # A case is about exactly one requester: a resident or an enterprise.
            models.CheckConstraint(
                condition=Q(resident__isnull=False, enterprise__isnull=True)
                | Q(resident__isnull=True, enterprise__isnull=False),
                name="case_one_requester",
                violation_error_message=_("A case is for a resident or an enterprise, not both."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=CaseState.values), name="case_state_valid"
            ),
            # Resolved and later states carry an outcome; earlier states have none.
            models.CheckConstraint(
                condition=Q(state__in=["new", "assigned", "in_progress"], outcome="")
                | Q(
                    state__in=["resolved", "followed_up", "closed"], outcome__in=CaseOutcome.values
                ),
                name="case_outcome_matches_state",
                violation_error_message=_("A resolved case needs an outcome."),
            ),
            models.CheckConstraint(
                condition=Q(state="new") | Q(lead__isnull=False),
                name="case_assigned_has_lead",
            ),
            models.CheckConstraint(
                condition=Q(beneficiaries__gte=1), name="case_beneficiaries_positive"
            ),
        ]

    @property
    def target_date_is_provisional(self) -> bool:
        """True when the target date was counted on a year with no official calendar yet."""
        if self.target_date is None:
            return False
        return year_state(self.target_date.year) != YearState.OFFICIAL

    def target_date_marked(self) -> str:
        """The target date for lists, marked provisional when its year's notice is not in."""
        if self.target_date is None:
            return "—"
        if self.target_date_is_provisional:
            return format_html(
                '{} <span class="provisional">{}</span>',
                f"{self.target_date:%Y-%m-%d}",
                gettext("provisional"),
            )
        return f"{self.target_date:%Y-%m-%d}"

    target_date_marked.short_description = _("target date")
    target_date_marked.admin_order_field = "target_date"

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def requester(self):
        return self.resident or self.enterprise


class CaseEvent(models.Model):
    """One entry in a case's timeline: who did what, when, from which state to which."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CaseEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    assistant = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assistant"),
    )
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case timeline")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at"),
            # The on-time acceptance rate reads the assignment clock's events in case and time
            # order from this index alone (cases.rates), however long the timeline grows.
            models.Index(
                fields=["case", "at", "id"],
                include=["kind", "assistant"],
                condition=Q(kind__in=["assigned", "reassigned", "returned", "accepted"]),
                name="caseevent_assignment_clock",
            ),
        ]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()}"
