"""Telling people things: notifications as rows first, delivered by Celery after commit.

`notify()` writes a `Notification` (unique dedupe key) and one `Delivery` per channel in the
caller's transaction; after commit, `deliver_notification` tasks send them. `deliver()` claims
a delivery with a conditional UPDATE, so two copies of a task message (a redelivery after a
worker died, or the requeue sweep) never send at the same time and a sent delivery is never
sent again. Temporary failures come back with exponential backoff; permanent ones are marked
failed for staff to see in the admin.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from . import channels, outbox
from .models import Delivery, DeliveryAttempt, Notification

logger = logging.getLogger(__name__)

# How long a worker holds a delivery it is sending. Longer than the slowest send (5 s webhook
# timeout, 10 s SMTP timeout) so that a claim only expires when its worker is gone.
CLAIM_SECONDS = 60
# A queued task message normally runs within this; past it, the requeue sweep assumes the
# message was lost and queues another (a duplicate is harmless: it loses the claim).
QUEUED_GRACE_SECONDS = 5 * 60
# After this many failed tries a delivery is given up and marked failed.
MAX_ATTEMPTS = 6
# The first retry waits this long, each next one twice as long: 1, 2, 4, 8, 16 minutes.
RETRY_BASE_SECONDS = 60
# At most this many deliveries are requeued by one run of the sweep.
REQUEUE_BATCH = 1000


def preference_of(user):
    """The user's NotificationPreference, or None when they never set one."""
    if user is None:
        return None
    try:
        return user.notification_preference
    except ObjectDoesNotExist:
        return None


def language_of(user) -> str:
    """The language to write to this user in: their preference, else the site's default."""
    preference = preference_of(user)
    return preference.language if preference is not None else settings.LANGUAGE_CODE


def quiet_hours_end(*, user, at: datetime, event_at: datetime | None = None) -> datetime | None:
    """When a reminder to `user` may go out if `at` falls in their quiet hours, else None.

    None also when the event itself (a shift's start) comes before the quiet hours end: a
    reminder that waited until morning would arrive after the shift began, so it goes now.
    """
    preference = preference_of(user)
    if preference is None or preference.quiet_from is None or preference.quiet_until is None:
        return None
    quiet_from, quiet_until = preference.quiet_from, preference.quiet_until
    if quiet_from == quiet_until:
        return None
    local = timezone.localtime(at)
    now = local.time()
    if quiet_from < quiet_until:
        inside = quiet_from <= now < quiet_until
        end_day = local.date()
    else:
        # Quiet hours across midnight, e.g. 22:00 to 07:00.
        inside = now >= quiet_from or now < quiet_until
        end_day = local.date() + timedelta(days=1) if now >= quiet_from else local.date()
    if not inside:
        return None
    end = timezone.make_aware(datetime.combine(end_day, quiet_until))
    if event_at is not None and event_at < end:
        return None
    return end


def _recipient_targets(recipient) -> list[tuple[str, str]]:
    """(channel, target) pairs for a person: their inbox, and e-mail when they want it."""
    targets = [(Delivery.Channel.INBOX, "inbox")]
    preference = preference_of(recipient)
    email_enabled = preference.email_enabled if preference is not None else True
    if recipient.email and email_enabled:
        targets.append((Delivery.Channel.EMAIL, f"email:{recipient.email}"))
    return targets


@transaction.atomic
def notify(
    *,
    recipient,
    kind: str,
    dedupe_key: str,
    render: Callable[[], tuple[str, str]],
    link: str = "",
    webhooks: Iterable = (),
    not_before: datetime | None = None,
) -> Notification | None:
    """Record a notification and its deliveries; None, and nothing written, if already told.

    `render` returns (subject, body) and runs in the recipient's language. `not_before` holds
    the recipient's own deliveries (inbox, e-mail) until then, e.g. the end of their quiet
    hours; group-chat robots speak to a group, so they are not held.
    """
    language = language_of(recipient)
    with translation.override(language):
        subject, body = render()
    subject = str(subject)[: Notification._meta.get_field("subject").max_length]
    try:
        # A savepoint, so that a duplicate leaves the caller's transaction usable. On PostgreSQL
        # a concurrent insert of the same key waits for the first one's transaction and then
        # fails here: two sweeps running at once write the notification exactly once.
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                dedupe_key=dedupe_key,
                subject=subject,
                body=str(body),
                link=link,
            )
    except IntegrityError:
        if not Notification.objects.filter(dedupe_key=dedupe_key).exists():
            raise  # some other constraint failed: not a duplicate, so not ours to hide
        return None

    now = timezone.now()
    held = not_before is not None and not_before > now
    # "claimed_until" on a pending delivery marks a task message on its way: the requeue sweep
    # leaves it alone until then. A held delivery has no message yet: the sweep queues it.
    personal = [
        Delivery(
            notification=notification,
            channel=channel,
            target=target,
            not_before=not_before if held else None,
            claimed_until=None if held else now + timedelta(seconds=QUEUED_GRACE_SECONDS),
        )
        for channel, target in (_recipient_targets(recipient) if recipient is not None else [])
    ]
    group = [
        Delivery(
            notification=notification,
            channel=Delivery.Channel.WEBHOOK,
            target=f"webhook:{webhook.pk}",
            webhook=webhook,
            claimed_until=now + timedelta(seconds=QUEUED_GRACE_SECONDS),
        )
        for webhook in {webhook.pk: webhook for webhook in webhooks if webhook.active}.values()
    ]
    deliveries = Delivery.objects.bulk_create(personal + group)
    from .tasks import deliver_notification  # the tasks module imports this one

    for delivery in deliveries:
        if delivery.not_before is None:
            deliver_notification.delay_on_commit(delivery.pk)
    return notification


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one try: sent, given up, to retry in some seconds, or not ours to send."""

    status: str  # "sent", "failed", "retry" or "skipped"
    retry_in: int | None = None


def deliver(*, delivery_id: int) -> DeliveryResult:
    """Try one delivery once, log the attempt, and record the outcome on the delivery."""
    started = timezone.now()
    if not outbox.claim(
        Delivery, delivery_id, statuses=Delivery.Status, now=started, hold_seconds=CLAIM_SECONDS
    ):
        return DeliveryResult("skipped")
    delivery = Delivery.objects.select_related("notification", "webhook").get(pk=delivery_id)
    claimed_until = delivery.claimed_until
    # The attempt is committed before the network call: if the worker dies while sending,
    # staff still see that a try began and never finished.
    attempt = DeliveryAttempt.objects.create(delivery=delivery, started_at=started)
    http_status, error, temporary = None, "", False
    try:
        http_status = channels.send(delivery)
    except channels.TemporaryError as exc:
        http_status, error, temporary = exc.http_status, str(exc), True
    except channels.PermanentError as exc:
        http_status, error = exc.http_status, str(exc)
    except Exception as exc:
        # A bug, not a network problem: retrying will not fix it, so it fails where staff see it.
        logger.exception("delivery %s crashed", delivery_id)
        error = f"{type(exc).__name__}: {exc}"

    finished = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=finished, succeeded=not error, http_status=http_status, error=error
        )
        if not error:
            Delivery.objects.filter(pk=delivery_id).update(
                status=Delivery.Status.SENT, sent_at=finished, claimed_until=None, last_error=""
            )
            return DeliveryResult("sent")
        # Only while the claim is still ours: a worker whose claim expired and was taken over
        # must not overwrite the newer attempt's outcome.
        ours = Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.SENDING, claimed_until=claimed_until
        )
        if temporary and delivery.attempts < MAX_ATTEMPTS:
            wait = outbox.backoff_seconds(delivery.attempts, base=RETRY_BASE_SECONDS)
            not_before = finished + timedelta(seconds=wait)
            ours.update(
                status=Delivery.Status.PENDING,
                not_before=not_before,
                claimed_until=not_before + timedelta(seconds=QUEUED_GRACE_SECONDS),
                last_error=error,
            )
            logger.info("delivery %s failed for now, retry in %s s: %s", delivery_id, wait, error)
            return DeliveryResult("retry", retry_in=wait)
        ours.update(status=Delivery.Status.FAILED, claimed_until=None, last_error=error)
    logger.warning("delivery %s failed for good: %s", delivery_id, error)
    return DeliveryResult("failed")


def requeue_stale_deliveries(*, now: datetime | None = None) -> list[int]:
    """Queue deliveries whose message is overdue, lost, held until now, or whose worker died."""
    from .tasks import deliver_notification  # the tasks module imports this one

    return outbox.requeue_stale(
        Delivery,
        statuses=Delivery.Status,
        now=now or timezone.now(),
        grace_seconds=QUEUED_GRACE_SECONDS,
        batch=REQUEUE_BATCH,
        task=deliver_notification,
    )


def inbox(user):
    """The notifications in a person's inbox, newest first; nobody else's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def mark_read(*, user, notification_ids=None, now: datetime | None = None) -> int:
    """Mark some (or all) unread notifications of this person as read; returns how many."""
    unread = inbox(user).filter(read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    # .order_by() drops the inbox ordering, which an UPDATE does not need.
    return unread.order_by().update(read_at=now or timezone.now())
