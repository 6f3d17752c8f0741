"""Telling people things: notifications as rows first, delivered by Celery after commit.

`notify_many()` writes `Notification` rows in the caller's transaction, one per recipient, kind,
target and occasion (a unique constraint: a message already written is skipped, however many
sweeps overlap), and one outbox `Delivery` per e-mail address or group-chat robot; after commit,
`deliver_notification` tasks send those through `talentoffice.outbox`. The inbox is the
`Notification` row itself: nothing is queued for it.
"""

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone, translation

from . import kinds, outbox
from .models import Delivery, Notification

logger = logging.getLogger(__name__)

# A queued task message normally runs within this; past it the requeue sweep queues another.
QUEUED_GRACE_SECONDS = Delivery.policy.queued_grace_seconds


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
    """(channel, target) pairs that travel to a person: e-mail, when they want it."""
    preference = preference_of(recipient)
    email_enabled = preference.email_enabled if preference is not None else True
    if recipient.email and email_enabled:
        return [(Delivery.Channel.EMAIL, f"email:{recipient.email}")]
    return []


@dataclass
class Message:
    """One notification to write: to whom, of what kind, about what, and on which occasion.

    The texts come from the kind's template (`talentoffice.kinds`), its places filled from
    `names()`, which runs in the recipient's language like the template (`variant` picks
    another wording of the kind). `render`, returning (subject, body), stands in for a kind
    outside the registry, such as a test's own. `not_before` holds
    the recipient's own deliveries (e-mail) until then, e.g. the end of their quiet hours;
    group-chat robots speak to a group, so they are not held.
    """

    recipient: object
    kind: str
    render: Callable[[], tuple[str, str]] | None = None
    names: Callable[[], Mapping] | None = None
    variant: str = ""
    target: object = None
    occasion: object = ""
    link: str = ""
    webhooks: Iterable = ()
    not_before: datetime | None = None
    notification: Notification | None = field(default=None, init=False)

    def texts(self) -> tuple[str, str]:
        """(subject, body) in the active language."""
        if self.render is not None:
            return self.render()
        return kinds.render(self.kind, self.names(), self.variant)


def occasion_text(occasion) -> str:
    """How an occasion is stored: a date as YYYY-MM-DD, an instant as Unix seconds."""
    if isinstance(occasion, datetime):
        return str(int(occasion.timestamp()))
    if hasattr(occasion, "isoformat"):
        return occasion.isoformat()
    return str(occasion)


def _key(recipient_id, kind, target_type_id, target_id, occasion) -> tuple:
    return (recipient_id or 0, str(kind), target_type_id or 0, target_id or 0, occasion)


@transaction.atomic
def notify_many(messages: list[Message]) -> list[Message]:
    """Write these notifications and their deliveries; returns the messages that were new.

    A message already written (the same recipient, kind, target and occasion) is skipped and
    gets no `notification`; overlapping sweeps thus tell each person once.
    """
    if not messages:
        return []
    now = timezone.now()
    batch = uuid.uuid4()
    rows = []
    for message in messages:
        with translation.override(language_of(message.recipient)):
            subject, body = message.texts()
        target = message.target
        target_type = ContentType.objects.get_for_model(target) if target is not None else None
        rows.append(
            Notification(
                recipient=message.recipient,
                kind=message.kind,
                target_type=target_type,
                target_id=target.pk if target is not None else None,
                occasion=occasion_text(message.occasion),
                subject=str(subject)[: Notification._meta.get_field("subject").max_length],
                body=str(body),
                link=message.link,
                batch=batch,
            )
        )
    # The unique constraint does the dedupe: on PostgreSQL an overlapping sweep's insert of the
    # same message waits for the first one's transaction, then skips it.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts gives no ids back: the rows carrying this call's batch are the ones it
    # wrote; a message written before, or by an overlapping sweep, carries another batch.
    written = {
        _key(n.recipient_id, n.kind, n.target_type_id, n.target_id, n.occasion): n
        for n in Notification.objects.filter(batch=batch)
    }
    new = []
    for message, row in zip(messages, rows, strict=True):
        key = _key(row.recipient_id, row.kind, row.target_type_id, row.target_id, row.occasion)
        message.notification = written.pop(key, None)
        if message.notification is not None:
            new.append(message)
    deliveries = Delivery.objects.bulk_create(
        [delivery for message in new for delivery in _deliveries(message, now)]
    )
    outbox.queue(deliveries)
    return new


def _deliveries(message: Message, now: datetime) -> list[Delivery]:
    held = message.not_before is not None and message.not_before > now
    recipient = message.recipient
    # "claimed_until" on a pending delivery marks a task message on its way: the requeue sweep
    # leaves it alone until then. A held delivery has no message yet: the sweep queues it.
    personal = [
        Delivery(
            notification=message.notification,
            channel=channel,
            target=target,
            not_before=message.not_before if held else None,
            claimed_until=None if held else outbox.queued_mark(Delivery, now),
        )
        for channel, target in (_recipient_targets(recipient) if recipient is not None else [])
    ]
    group = [
        Delivery(
            notification=message.notification,
            channel=Delivery.Channel.WEBHOOK,
            target=f"webhook:{webhook.pk}",
            webhook=webhook,
            claimed_until=outbox.queued_mark(Delivery, now),
        )
        for webhook in {w.pk: w for w in message.webhooks if w.active}.values()
    ]
    return personal + group


def notify(*, recipient, kind: str, **options) -> Notification | None:
    """Write one notification (see `Message`); None, and nothing written, if already told."""
    new = notify_many([Message(recipient=recipient, kind=kind, **options)])
    return new[0].notification if new else None


def told(*, kind: str, model, target_id, occasion=None):
    """A filter for an Exists(): the notification of this kind about this target is written.

    The arguments may be OuterRef()s, so that a sweep leaves out what was told in the same
    query that finds what is due.
    """
    # The content type by its natural key, joined in the query: a sweep runs the same
    # statements whether or not this process has looked the type up before.
    rows = Notification.objects.filter(
        kind=kind,
        target_type__app_label=model._meta.app_label,
        target_type__model=model._meta.model_name,
        target_id=target_id,
    )
    if occasion is not None:
        rows = rows.filter(occasion=occasion)
    return rows


def deliver(*, delivery_id: int) -> outbox.DeliveryResult:
    """Try one delivery once through the outbox."""
    return outbox.deliver(Delivery, delivery_id)


def requeue_stale_deliveries(*, now: datetime | None = None) -> list[int]:
    """Queue deliveries whose message is overdue, lost, held until now, or whose worker died."""
    return outbox.requeue_stale(Delivery, now=now)


def about(notification) -> tuple[str, int] | None:
    """What a notification is about, as (model name, id), or None for a digest."""
    if notification.target_type_id is None:
        return None
    model = ContentType.objects.get_for_id(notification.target_type_id).model
    return model, notification.target_id


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
