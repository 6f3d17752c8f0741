"""Records that every app shares: timestamps and the district's geography."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class StaffDecision(models.Model):
    """Who on the district staff decided a request (leave, swap, referral, extension), and when."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True


class Street(TimeStampedModel):
    """A street (sub-district, 街道) of the district."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.CharField(_("code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(TimeStampedModel):
    """A community (社区) inside a street."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street")
    )
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["street__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="community_unique_name_per_street",
                violation_error_message=_("This street already has a community with this name."),
            )
        ]

    def __str__(self):
        return f"{self.street.name} · {self.name}"


class StreetCoordinator(TimeStampedModel):
    """A staff login that coordinates one street and sees only its rows (docs/roles.md)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="street_coordinator",
        verbose_name=_("login"),
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="coordinators", verbose_name=_("street")
    )

    class Meta:
        verbose_name = _("street coordinator")
        verbose_name_plural = _("street coordinators")
        ordering = ["street__name", "user__username"]

    def __str__(self):
        return f"{self.user} · {self.street}"


class Heartbeat(models.Model):
    """When a background process (a worker, the beat) was last seen doing work."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class CalendarDay(models.Model):
    """A day that staff mark as a holiday or a make-up workday, overriding the official calendar."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday (no duty)")
        WORKDAY = "workday", _("make-up workday (duty as usual)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]), name="calendarday_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class HolidayNotice(models.Model):
    """A year's State Council holiday notice as staff entered it: its days off and make-up days.

    Entering it makes the year official in `talentoffice.workdays`, ahead of the library's data.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    # {"2026-02-15": "春节", ...}: each day off of the notice's holiday ranges, with its holiday.
    holidays = models.JSONField(_("days off"), default=dict)
    # {"2026-02-14": "春节", ...}: the Saturdays and Sundays the notice makes working days.
    workdays = models.JSONField(_("make-up workdays"), default=dict, blank=True)
    text = models.TextField(_("notice text"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday notice")
        verbose_name_plural = _("holiday notices")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="holidaynotice_year_range"
            )
        ]

    def __str__(self):
        return str(self.year)

    def clean(self):
        from .workdays import notice_errors

        errors = notice_errors(self.year, self.holidays, self.workdays)
        if errors:
            raise ValidationError(errors)


class NotificationPreference(models.Model):
    """How a person wants to be told: language, e-mail on or off, and quiet hours."""

    user = models.OneToOneField(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    email_enabled = models.BooleanField(_("e-mail reminders"), default=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | models.Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="notificationpreference_quiet_hours_paired",
                violation_error_message=_("Give both ends of the quiet hours, or neither."),
            )
        ]

    def __str__(self):
        return str(self.user)


class ChatWebhook(TimeStampedModel):
    """A group-chat robot (WeCom or DingTalk) that hears about a service point or a partner."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("robot URL"), max_length=500)
    service_point = models.ForeignKey(
        "assistants.ServicePoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_webhooks",
        verbose_name=_("service point"),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_webhooks",
        verbose_name=_("partner"),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("group-chat robot")
        verbose_name_plural = _("group-chat robots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service_point__isnull=False, partner__isnull=True)
                | models.Q(service_point__isnull=True, partner__isnull=False),
                name="chatwebhook_one_owner",
                violation_error_message=_("A robot belongs to a service point or to a partner."),
            )
        ]

    def __str__(self):
        return self.name


class Notification(models.Model):
    """One event told to one recipient; the dedupe key makes a second write of it impossible."""

    recipient = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One channel's delivery of a notification: the inbox, an e-mail, or a group-chat robot."""

    class Channel(models.TextChoices):
        INBOX = "inbox", _("inbox")
        EMAIL = "email", _("e-mail")
        WEBHOOK = "webhook", _("group-chat robot")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # "inbox", "email:<address>" or "webhook:<id>": one delivery per notification and target.
    target = models.CharField(_("target"), max_length=300)
    webhook = models.ForeignKey(
        ChatWebhook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("group-chat robot"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "not_before"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "target"], name="delivery_once_per_target"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["inbox", "email", "webhook"]),
                name="delivery_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="delivery_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.notification} → {self.target}"


class DeliveryAttempt(models.Model):
    """One try at a delivery, kept for staff to see why something did not arrive."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.delivery} @ {self.started_at:%Y-%m-%d %H:%M:%S}"
