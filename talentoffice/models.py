"""Records that every app shares: timestamps and the district's geography."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from . import channels
from .outbox import OutboxAttempt, OutboxPolicy, OutboxRow
from .robot_owners import ROBOT_OWNERS, robot_owner_types


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


class KeyCanary(models.Model):
    """A known value written with the personal-data keys, to prove at start that they still fit.

    One row: the known value encrypted with PERSONAL_DATA_KEYS and its hash under
    PERSONAL_DATA_HASH_KEY. Started with other keys, the process refuses to run (see
    talentoffice.keychecks) instead of answering 500 on every resident page.
    """

    token = models.TextField(_("encrypted known value"))
    lookup_hash = models.CharField(_("lookup hash of the known value"), max_length=64)

    class Meta:
        verbose_name = _("key canary")
        verbose_name_plural = _("key canaries")

    def __str__(self):
        return str(self._meta.verbose_name)


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
    """A group-chat robot (WeCom or DingTalk) that hears about its owner: a service point or a
    partner.

    The owner is named generically (its type and id): the core knows no app's models, and each
    owning app reaches its robots through a `GenericRelation` named `chat_webhooks`, which also
    deletes them with their owner.
    """

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("robot URL"), max_length=500)
    owner_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=robot_owner_types,
        verbose_name=_("owner (type)"),
    )
    owner_id = models.PositiveBigIntegerField(_("owner (id)"))
    owner = GenericForeignKey("owner_type", "owner_id")
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("group-chat robot")
        verbose_name_plural = _("group-chat robots")
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="chatwebhook_owner")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.owner_type_id is None or self.owner_id is None:
            return
        owner_type = ContentType.objects.get_for_id(self.owner_type_id)
        if (owner_type.app_label, owner_type.model) not in ROBOT_OWNERS:
            raise ValidationError(
                {"owner_type": _("A robot belongs to a service point or to a partner.")}
            )
        if not owner_type.model_class()._default_manager.filter(pk=self.owner_id).exists():
            raise ValidationError({"owner_id": _("There is no such owner.")})


class NotificationKind(models.TextChoices):
    """Every kind of notification the programme writes, and what staff call it in the admin."""

    CASE_UNACCEPTED = "case.unaccepted", _("case not accepted in time")
    CASE_WARNING = "case.warning", _("case deadline warning")
    CASE_FOLLOW_UP = "case.follow_up", _("return visit reminder")
    CASE_LIAISON_VISIT = "case.liaison_visit", _("enterprise visit reminder")
    CASE_DIGEST = "case.digest", _("daily overdue digest")
    CASE_SUPERVISED = "case.supervised", _("case under supervision")
    CASE_ASSIGNED = "case.assigned", _("case given to you")
    CASE_RETURNED = "case.returned", _("case returned")
    CASE_REOPENED = "case.reopened", _("case reopened")
    CASE_REFERRED = "case.referred", _("referral to decide")
    CASE_REFERRAL_DECIDED = "case.referral_decided", _("referral decided")
    CASE_EXTENSION_REQUESTED = "case.extension_requested", _("extension to decide")
    CASE_EXTENSION_DECIDED = "case.extension_decided", _("extension decided")
    STEERING_DIGEST = "steering.digest", _("monthly figures")
    ROTA_PUBLISHED = "rota_published", _("rota published")
    SHIFTS_OPENED_BY_LEAVE = "shifts_opened_by_leave", _("shifts opened by leave")
    SHIFT_DAY_BEFORE = "shift.day_before", _("duty tomorrow")
    SHIFT_BEFORE_SHIFT = "shift.before_shift", _("duty soon")
    SHIFT_OPEN_SLOT = "shift.open_slot", _("open shift")
    SHIFT_MISSED_CHECK_IN = "shift.missed_check_in", _("missed check-in")
    SHIFT_ASSIGNED = "shift.assigned", _("shift given to you")
    SHIFT_TAKEN_OFF = "shift.taken_off", _("shift taken off you")
    SHIFT_OFFERED = "shift.offered", _("shift offered to you")
    SHIFT_SWAP_TO_APPROVE = "shift.swap_to_approve", _("swap to approve")
    SHIFT_SWAPPED = "shift.swapped", _("shift swapped")
    SHIFT_SWAP_REJECTED = "shift.swap_rejected", _("swap rejected")
    SHIFT_SWAP_WITHDRAWN = "shift.swap_withdrawn", _("swap withdrawn")
    LEAVE_TO_DECIDE = "leave.to_decide", _("leave to decide")


class Notification(models.Model):
    """One event told to one recipient, once: its kind, what it is about, and on what occasion.

    The unique constraint on (recipient, kind, target, occasion) makes a second write of the
    same message impossible, so overlapping sweeps insert with ON CONFLICT DO NOTHING and each
    person is told once. The row is also the person's inbox entry: nothing travels for it.
    """

    recipient = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    # What the message is about (a case, a shift, a follow-up...); none for a digest.
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about (type)"),
    )
    target_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # What tells two messages of one kind about one target apart: the target date a warning
    # is for, the assignment an escalation is for, the day of a digest. Empty when a target
    # is told of a kind only once.
    occasion = models.CharField(_("occasion"), max_length=200, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The write that made the row, one per notify_many() call: ON CONFLICT DO NOTHING gives no
    # ids back, so this is how a sweep tells the rows it inserted from the ones an overlapping
    # sweep inserted first (and must not be told twice, nor get a second timeline entry).
    batch = models.UUIDField(_("written in"), null=True, blank=True, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(fields=["batch"], name="notification_batch"),
            # "Was this object already told of?" (the sweeps' NOT EXISTS per due row): the unique
            # constraint's index starts with the recipient, which that question leaves open.
            models.Index(fields=["target_type", "target_id", "kind"], name="notification_target"),
        ]
        constraints = [
            # Coalesce: a marker without a recipient, or a digest without a target, must be
            # unique too, and NULLs never collide in a unique index.
            models.UniqueConstraint(
                Coalesce("recipient", Value(0)),
                "kind",
                Coalesce("target_type", Value(0)),
                Coalesce("target_id", Value(0)),
                "occasion",
                name="notification_once",
            ),
        ]

    def __str__(self):
        return self.subject


class Delivery(OutboxRow):
    """One channel's delivery of a notification: an e-mail, or a group-chat robot message."""

    class Channel(models.TextChoices):
        # Rows of this channel were written before the inbox became the notification itself;
        # none are written now.
        INBOX = "inbox", _("inbox")
        EMAIL = "email", _("e-mail")
        WEBHOOK = "webhook", _("group-chat robot")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # "email:<address>" or "webhook:<id>": one delivery per notification and target.
    target = models.CharField(_("target"), max_length=300)
    webhook = models.ForeignKey(
        ChatWebhook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("group-chat robot"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    policy = OutboxPolicy(
        # Longer than the slowest send (5 s robot timeout, 10 s SMTP timeout).
        claim_seconds=60,
        queued_grace_seconds=5 * 60,
        # 1, 2, 4, 8, 16 minutes between the six tries.
        max_attempts=6,
        retry_base_seconds=60,
    )

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

    @classmethod
    def for_sending(cls):
        return cls.objects.select_related("notification", "webhook")

    @classmethod
    def task(cls):
        from .tasks import deliver_notification  # the tasks module imports the models

        return deliver_notification

    def send(self) -> int | None:
        return channels.send(self)


class DeliveryAttempt(OutboxAttempt):
    """One try at a delivery, kept for staff to see why something did not arrive."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.delivery} @ {self.started_at:%Y-%m-%d %H:%M:%S}"


Delivery.attempt_model = DeliveryAttempt
