"""The one outbox: messages kept as rows first, sent by Celery after commit, every try logged.

Two uses share it: notifications' `Delivery` (an e-mail or a group-chat robot message to
people) and partners' `WebhookDelivery` (a signed event to a partner's system). Each row has a
`status` (pending, sending, then done or failed), the number of `attempts`, `not_before` (the
earliest next try) and `claimed_until` (a worker's hold on the row, or a queued task message
on its way). A use subclasses `OutboxRow` and `OutboxAttempt`, says how to send one row and
what its limits are (`OutboxPolicy`), and calls `deliver()` from its task and `requeue_stale()`
from its beat entry.

`deliver()` claims a row with a conditional UPDATE, so two copies of a task message (a
redelivery after a worker died, or the requeue sweep) never send at the same time and a sent
row is never sent again. A `TemporaryError` comes back with exponential backoff until the
attempts run out; a `PermanentError` (or a bug) fails the row at once for staff to see.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# HTTP answers that say "not now" rather than "never" (with every 5xx).
TEMPORARY_HTTP_STATUSES = frozenset({408, 425, 429})


class DeliveryError(Exception):
    """A message could not be sent; `http_status` is the answer's status when there was one."""

    def __init__(self, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


class TemporaryError(DeliveryError):
    """Trying again later may work: a timeout, a refused connection, a 5xx, a rate limit."""


class PermanentError(DeliveryError):
    """Trying again cannot work; someone has to fix something (an address, an endpoint)."""


def http_error(code: int, reason: str) -> DeliveryError:
    """The error for an HTTP answer that was not a success: temporary or permanent by its code."""
    message = f"HTTP {code} {reason}"
    if code >= 500 or code in TEMPORARY_HTTP_STATUSES:
        return TemporaryError(message, http_status=code)
    return PermanentError(message, http_status=code)


@dataclass(frozen=True)
class OutboxPolicy:
    """How one use of the outbox paces its rows."""

    # A worker holds a row it is sending this long: longer than the slowest send, so that a
    # claim only expires when its worker is gone.
    claim_seconds: int
    # A queued task message normally runs within this; past it the requeue sweep assumes the
    # message was lost and queues another (a duplicate is harmless: it loses the claim).
    queued_grace_seconds: int
    # After this many failed tries a row is given up and marked failed.
    max_attempts: int
    # The first retry waits this long, each next one twice as long.
    retry_base_seconds: int
    # At most this many rows are requeued by one run of the sweep.
    requeue_batch: int = 1000


class OutboxRow(models.Model):
    """One message to send once: its status, its tries, and who holds it now."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_http_status = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)

    # What each use says: the status that means "done", the field stamped when it is done,
    # the attempt model that logs each try, and its pacing.
    DONE = Status.SENT
    DONE_AT = "sent_at"
    attempt_model: type["OutboxAttempt"]
    policy: OutboxPolicy

    class Meta:
        abstract = True

    @classmethod
    def outbox_policy(cls) -> OutboxPolicy:
        """The pacing of this use's rows."""
        return cls.policy

    @classmethod
    def for_sending(cls):
        """The rows with what `send()` needs loaded; a use narrows it with select_related."""
        return cls.objects.all()

    @classmethod
    def task(cls):
        """The Celery task that delivers one row by id."""
        raise NotImplementedError

    def send(self) -> int | None:
        """Send the message once; the HTTP status, or raise TemporaryError or PermanentError."""
        raise NotImplementedError


class OutboxAttempt(models.Model):
    """One try at sending an outbox row, kept for staff to see why something did not arrive."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one try: done, given up, to retry in some seconds, or not ours to send."""

    status: str  # the use's done status, "failed", "retry" or "skipped"
    retry_in: int | None = None


def backoff_seconds(attempts: int, *, base: int) -> int:
    """The wait before the next try after `attempts` tries: base, 2×base, 4×base..."""
    return base * 2 ** max(attempts - 1, 0)


def queued_mark(model, now: datetime | None = None) -> datetime:
    """The `claimed_until` of a new row whose task message is queued with it."""
    return (now or timezone.now()) + timedelta(seconds=model.outbox_policy().queued_grace_seconds)


def _due(model, now: datetime) -> Q:
    return Q(status=model.Status.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))


def _abandoned(model, now: datetime) -> Q:
    # An expired claim on a row being sent means its worker died mid-send.
    return Q(status=model.Status.SENDING, claimed_until__lt=now)


def claim(model, pk: int, *, now: datetime) -> bool:
    """Take the row for this worker; False when it is done, failed, held or being sent."""
    # One conditional UPDATE decides between two workers holding copies of the same message:
    # only one sees a row to change.
    return bool(
        model.objects.filter(_due(model, now) | _abandoned(model, now), pk=pk).update(
            status=model.Status.SENDING,
            claimed_until=now + timedelta(seconds=model.outbox_policy().claim_seconds),
            attempts=F("attempts") + 1,
        )
    )


def deliver(model, pk: int) -> DeliveryResult:
    """Try one row once: claim it, send it, log the attempt, and record what came of it."""
    policy = model.outbox_policy()
    started = timezone.now()
    if not claim(model, pk, now=started):
        return DeliveryResult("skipped")
    row = model.for_sending().get(pk=pk)
    claimed_until = row.claimed_until
    # The attempt is committed before the network call: if the worker dies while sending,
    # staff still see that a try began and never finished.
    attempt = model.attempt_model.objects.create(delivery=row, started_at=started)
    http_status, error, temporary = None, "", False
    try:
        http_status = row.send()
    except TemporaryError as exc:
        http_status, error, temporary = exc.http_status, str(exc), True
    except PermanentError as exc:
        http_status, error = exc.http_status, str(exc)
    except Exception as exc:
        # A bug, not a network problem: retrying will not fix it, so it fails where staff see it.
        logger.exception("%s %s crashed", model._meta.model_name, pk)
        error = f"{type(exc).__name__}: {exc}"

    finished = timezone.now()
    name = model._meta.model_name
    with transaction.atomic():
        model.attempt_model.objects.filter(pk=attempt.pk).update(
            finished_at=finished, succeeded=not error, http_status=http_status, error=error
        )
        if not error:
            model.objects.filter(pk=pk).update(
                status=model.DONE,
                claimed_until=None,
                last_http_status=http_status,
                last_error="",
                **{model.DONE_AT: finished},
            )
            return DeliveryResult(str(model.DONE))
        # Only while the claim is still ours: a worker whose claim expired and was taken over
        # must not overwrite the newer attempt's outcome.
        ours = model.objects.filter(pk=pk, status=model.Status.SENDING, claimed_until=claimed_until)
        if temporary and row.attempts < policy.max_attempts:
            wait = backoff_seconds(row.attempts, base=policy.retry_base_seconds)
            not_before = finished + timedelta(seconds=wait)
            # The task retries itself after `wait`; the sweep only steps in if that message
            # is lost.
            ours.update(
                status=model.Status.PENDING,
                not_before=not_before,
                claimed_until=not_before + timedelta(seconds=policy.queued_grace_seconds),
                last_http_status=http_status,
                last_error=error,
            )
            logger.info("%s %s failed for now, retry in %s s: %s", name, pk, wait, error)
            return DeliveryResult("retry", retry_in=wait)
        ours.update(
            status=model.Status.FAILED,
            claimed_until=None,
            last_http_status=http_status,
            last_error=error,
        )
    logger.warning("%s %s failed for good: %s", name, pk, error)
    return DeliveryResult("failed")


def queue(rows) -> None:
    """Queue the task of each row that is not held, once the caller's transaction commits."""
    # One hand-off for the whole batch: a sweep writing thousands of rows registers one commit
    # callback, not one per row. Each row keeps its own task message, so that rows are claimed,
    # retried and spread over workers one by one.
    queued = [(type(row).task(), row.pk) for row in rows if row.not_before is None]
    if queued:
        transaction.on_commit(lambda: send_tasks(queued))


def send_tasks(queued) -> None:
    """Send each (task, row id) message now; the requeue sweep makes up for one that is lost."""
    for task, pk in queued:
        task.delay(pk)


def requeue_stale(model, *, now: datetime | None = None) -> list[int]:
    """Queue rows whose message is overdue, lost, held until now, or whose worker died.

    Returns the ids queued, at most the policy's batch of them.
    """
    now = now or timezone.now()
    policy = model.outbox_policy()
    # A pending row whose claim has not expired has a task message on its way: leave it.
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        # skip_locked: two sweeps at once split the rows instead of queueing each twice.
        ids = list(
            model.objects.filter((_due(model, now) & unclaimed) | _abandoned(model, now))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: policy.requeue_batch]
        )
        if not ids:
            return []
        # Back to pending with a fresh "message on its way" mark, so that the next sweep waits
        # for this message instead of queueing another.
        model.objects.filter(pk__in=ids).update(
            status=model.Status.PENDING,
            claimed_until=now + timedelta(seconds=policy.queued_grace_seconds),
        )
        task = model.task()
        for pk in ids:
            task.delay_on_commit(pk)
    return ids
