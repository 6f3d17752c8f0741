"""Partner institutions, their agreements and contacts, and what their REST API clients own:
API keys, webhook endpoints and deliveries, proposed changes to their assistants."""

import hashlib
import ipaddress
import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice.fields import CreditCodeField, PhoneField
from talentoffice.models import StaffDecision, TimeStampedModel
from talentoffice.outbox import OutboxAttempt, OutboxPolicy, OutboxRow
from talentoffice.validators import CREDIT_CODE_PATTERN, PHONE_PATTERN

from .choices import (
    DELIVERY_EVENT_CHOICES,
    SECTOR_OF_KIND,
    PartnerKind,
    PartnerStatus,
    ProposalKind,
    ProposalStatus,
    Sector,
    WebhookDeliveryStatus,
    WebhookEvent,
)
from .querysets import PartnerOwnedQuerySet, PartnerQuerySet


class Partner(TimeStampedModel):
    """An institution that signed a cooperation agreement and seconds staff as assistants."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices)
    kind = models.CharField(_("institution type"), max_length=12, choices=PartnerKind.choices)
    credit_code = CreditCodeField(
        _("unified social credit code"),
        unique=True,
        error_messages={"unique": _("A partner with this credit code already exists.")},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    # The partner's group-chat robots (the core's robots name their owner generically); deleting
    # the partner deletes them.
    chat_webhooks = GenericRelation(
        "talentoffice.ChatWebhook",
        content_type_field="owner_type",
        object_id_field="owner_id",
        related_query_name="partner",
    )
    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["sector", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="partner_unique_name",
                violation_error_message=_("A partner with this name already exists."),
            ),
            models.UniqueConstraint(
                Lower("short_name"),
                name="partner_unique_short_name",
                violation_error_message=_("A partner with this short name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(credit_code__regex=CREDIT_CODE_PATTERN),
                name="partner_credit_code_format",
                violation_error_message=_("The unified social credit code is malformed."),
            ),
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values),
                name="partner_sector_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PartnerStatus.values),
                name="partner_status_valid",
            ),
            # A bank cannot be a legal partner, nor a law firm a financial one.
            models.CheckConstraint(
                condition=Q(kind="other")
                | Q(kind__in=["bank", "insurer", "securities"], sector="finance")
                | Q(kind="law_firm", sector="legal"),
                name="partner_kind_matches_sector",
                violation_error_message=_(
                    "This kind of institution does not belong to that sector."
                ),
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        self.name = (self.name or "").strip()
        self.short_name = (self.short_name or "").strip()
        # Case-insensitive uniqueness is a database constraint on an expression, which Django
        # reports without a field; checking here puts the message on the field concerned.
        others = Partner.objects.exclude(pk=self.pk)
        errors = {}
        if self.name and others.filter(name__iexact=self.name).exists():
            errors["name"] = _("A partner with this name already exists.")
        if self.short_name and others.filter(short_name__iexact=self.short_name).exists():
            errors["short_name"] = _("A partner with this short name already exists.")
        if errors:
            raise ValidationError(errors)
        expected_sector = SECTOR_OF_KIND.get(self.kind)
        if expected_sector and self.sector and self.sector != expected_sector:
            raise ValidationError(
                {
                    "sector": _("A %(kind)s belongs to the %(sector)s sector.")
                    % {
                        "kind": PartnerKind(self.kind).label,
                        "sector": Sector(expected_sector).label,
                    }
                }
            )

    @property
    def is_active(self):
        return self.status == PartnerStatus.ACTIVE


def agreement_upload_path(agreement, filename):
    return f"agreements/{agreement.partner_id}/{filename}"


class Agreement(TimeStampedModel):
    """The signed cooperation agreement of a partner, with its term."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("partner")
    )
    title = models.CharField(_("agreement title"), max_length=150)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    document = models.FileField(
        _("document"),
        upload_to=agreement_upload_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png", "doc", "docx"])],
    )
    objects = PartnerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} · {self.title}"

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An agreement cannot end before it starts.")})


class PartnerContact(TimeStampedModel):
    """A person at a partner the district deals with; with a login, the partner's manager."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("partner")
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=50, blank=True)
    phone = PhoneField(_("phone"))
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_contact",
        verbose_name=_("login"),
        help_text=_("Gives this contact the partner manager's access to the partner's own data."),
    )
    objects = PartnerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")
        ordering = ["partner", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=PHONE_PATTERN),
                name="partnercontact_phone_format",
                violation_error_message=_("The phone number is malformed."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.partner})"


# ---------------------------------------------------------------------------------------------
# The partner REST API

# A key reads "tok_<prefix>_<secret>": the prefix finds the row, the secret is never stored.
API_KEY_SCHEME = "tok"


def hash_api_key(raw_key: str) -> str:
    """The stored digest of a key. The secret has 256 random bits, so one SHA-256 is enough:
    a slow password hash would only cost every request time without adding safety."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def parse_ip_allowlist(text: str) -> list:
    """The networks of an allowlist, one address or CIDR network per line; ValueError if bad."""
    return [
        ipaddress.ip_network(line.strip(), strict=False)
        for line in (text or "").splitlines()
        if line.strip()
    ]


def validate_ip_allowlist(text: str) -> None:
    try:
        parse_ip_allowlist(text)
    except ValueError as error:
        raise ValidationError(
            _("Write one IP address or network (such as 10.0.0.0/24) per line."),
            code="bad_allowlist",
        ) from error


class ApiKey(models.Model):
    """A partner's credential for the REST API; shown once, stored as a hash, revocable."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("partner")
    )
    name = models.CharField(
        _("name"), max_length=60, help_text=_("What the key is for, e.g. the HR system.")
    )
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Leave empty for a key that lasts.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    allowed_ips = models.TextField(
        _("allowed IP addresses"),
        blank=True,
        validators=[validate_ip_allowlist],
        help_text=_("One address or network (CIDR) per line; empty allows any address."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    objects = PartnerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["partner", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.partner} · {self.name} ({API_KEY_SCHEME}_{self.prefix}_…)"

    def set_new_secret(self) -> str:
        """Give the key a fresh prefix and secret; returns the full key, which is shown once."""
        self.prefix = secrets.token_hex(4)
        raw_key = f"{API_KEY_SCHEME}_{self.prefix}_{secrets.token_urlsafe(32)}"
        self.key_hash = hash_api_key(raw_key)
        return raw_key

    def matches(self, raw_key: str) -> bool:
        return secrets.compare_digest(self.key_hash, hash_api_key(raw_key))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def allows_ip(self, address: str) -> bool:
        """Whether a request from this address may use the key."""
        networks = parse_ip_allowlist(self.allowed_ips)
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)


def new_webhook_secret() -> str:
    """The shared secret of a webhook endpoint, for HMAC-SHA256 signatures."""
    return secrets.token_urlsafe(32)


class WebhookEndpoint(TimeStampedModel):
    """A partner's HTTPS callback URL and the events it wants to hear about."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("partner"),
    )
    url = models.URLField(_("callback URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(
        _("signing secret"), max_length=64, default=new_webhook_secret, editable=False
    )
    active = models.BooleanField(_("in use"), default=True)
    objects = PartnerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["partner", "pk"]

    def __str__(self):
        return f"{self.partner} → {self.url}"

    def clean(self):
        events = self.events if isinstance(self.events, list) else None
        if not events or any(event not in WebhookEvent.values for event in events):
            raise ValidationError({"events": _("Choose one or more of the events offered.")})


class WebhookDelivery(OutboxRow):
    """One event sent (or to be sent) to one endpoint; every try is logged as an attempt."""

    Status = WebhookDeliveryStatus

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
        verbose_name=_("partner"),
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook endpoint"),
    )
    event = models.CharField(_("event"), max_length=30, choices=DELIVERY_EVENT_CHOICES)
    # The same for every delivery of one event, replays included: receivers dedupe on it.
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    payload = models.JSONField(_("payload"))
    # Partners read "delivered" in the API, where notifications say "sent".
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replays",
        verbose_name=_("replay of"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    objects = PartnerOwnedQuerySet.as_manager()

    DONE = WebhookDeliveryStatus.DELIVERED
    DONE_AT = "delivered_at"

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "-created_at", "-id"], name="webhookdelivery_newest"),
            models.Index(fields=["status", "not_before"], name="webhookdelivery_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WebhookDeliveryStatus.values),
                name="webhookdelivery_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint.url}"

    @classmethod
    def outbox_policy(cls) -> OutboxPolicy:
        """The pacing, with the retry limits read from settings at the time of the try."""
        return OutboxPolicy(
            # Longer than the slowest try (a 10 s timeout).
            claim_seconds=60,
            queued_grace_seconds=5 * 60,
            max_attempts=settings.PARTNER_WEBHOOK_MAX_ATTEMPTS,
            retry_base_seconds=settings.PARTNER_WEBHOOK_RETRY_SECONDS,
        )

    @classmethod
    def for_sending(cls):
        return cls.objects.select_related("endpoint")

    @classmethod
    def task(cls):
        from .tasks import deliver_webhook  # the tasks module imports the models

        return deliver_webhook

    def send(self) -> int:
        from .webhooks import post  # the webhooks module imports the models

        return post(delivery=self, endpoint=self.endpoint)


class WebhookAttempt(OutboxAttempt):
    """One try at a webhook delivery: when, what the receiver answered, or what went wrong."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("webhook delivery"),
    )

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["started_at", "pk"]

    def __str__(self):
        return f"{self.delivery_id} @ {self.started_at:%Y-%m-%d %H:%M:%S}"


WebhookDelivery.attempt_model = WebhookAttempt


class AssistantProposal(StaffDecision, TimeStampedModel):
    """A partner proposes a new assistant, a change or a withdrawal; staff decide."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="assistant_proposals",
        verbose_name=_("partner"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices)
    assistant = models.ForeignKey(
        "assistants.Assistant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("assistant"),
        help_text=_("The assistant concerned; for a new one, set when staff approve."),
    )
    # The proposed values of the assistant's fields, by field name: only those to set.
    changes = models.JSONField(_("proposed values"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    objects = PartnerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistant proposal")
        verbose_name_plural = _("assistant proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="new") | Q(assistant__isnull=False),
                name="assistantproposal_names_assistant",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values),
                name="assistantproposal_status_valid",
            ),
            # Two proposals waiting on one assistant would overwrite each other when approved.
            models.UniqueConstraint(
                fields=["assistant"],
                condition=Q(status="pending"),
                name="assistantproposal_one_pending_per_assistant",
                violation_error_message=_("This assistant already has a proposal waiting."),
            ),
        ]

    def __str__(self):
        name = self.changes.get("name") or (self.assistant.name if self.assistant_id else "")
        return f"{self.partner} · {self.get_kind_display()} · {name}"


class ApiIdempotencyKey(models.Model):
    """An `Idempotency-Key` a partner sent with a POST, and the request it first came with."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    key = models.CharField(_("idempotency key"), max_length=64)
    # SHA-256 of the request body: the same key with another body is a client bug (409).
    request_hash = models.CharField(_("request hash"), max_length=64)
    visit = models.ForeignKey(
        "cases.Visit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )
    # What any other POST made or acted on (a webhook endpoint, a delivery, a proposal); the
    # request's path is part of request_hash, so the id is read with that endpoint's queryset.
    object_id = models.PositiveBigIntegerField(_("object"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API idempotency key")
        verbose_name_plural = _("API idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="apiidempotencykey_unique"),
        ]

    def __str__(self):
        return self.key
