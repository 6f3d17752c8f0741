"""What the two outboxes (notifications' `Delivery`, partners' `WebhookDelivery`) share.

Both keep a row per message with a `status` (pending, sending, then done or failed), the number
of `attempts`, `not_before` (the earliest next try) and `claimed_until` (a worker's hold on the
row, or a queued task message on its way). Each caller keeps its own statuses, retry count,
base delay and claim length; this module only holds the rules both follow.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q


def backoff_seconds(attempts: int, *, base: int) -> int:
    """The wait before the next try after `attempts` tries: base, 2×base, 4×base..."""
    return base * 2 ** max(attempts - 1, 0)


def _due(statuses, now: datetime) -> Q:
    return Q(status=statuses.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))


def _abandoned(statuses, now: datetime) -> Q:
    # An expired claim on a row being sent means its worker died mid-send.
    return Q(status=statuses.SENDING, claimed_until__lt=now)


def claim(model, pk: int, *, statuses, now: datetime, hold_seconds: int) -> bool:
    """Take the row for this worker; False when it is done, failed, held or being sent."""
    # One conditional UPDATE decides between two workers holding copies of the same message:
    # only one sees a row to change.
    return bool(
        model.objects.filter(_due(statuses, now) | _abandoned(statuses, now), pk=pk).update(
            status=statuses.SENDING,
            claimed_until=now + timedelta(seconds=hold_seconds),
            attempts=F("attempts") + 1,
        )
    )


def requeue_stale(model, *, statuses, now: datetime, grace_seconds: int, batch: int, task):
    """Queue `task` for rows whose message is overdue, lost, held until now, or whose worker died.

    Returns the ids queued, at most `batch` of them.
    """
    # A pending row whose claim has not expired has a task message on its way: leave it.
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        # skip_locked: two sweeps at once split the rows instead of queueing each twice.
        ids = list(
            model.objects.filter((_due(statuses, now) & unclaimed) | _abandoned(statuses, now))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return []
        # Back to pending with a fresh "message on its way" mark, so that the next sweep waits
        # for this message instead of queueing another.
        model.objects.filter(pk__in=ids).update(
            status=statuses.PENDING, claimed_until=now + timedelta(seconds=grace_seconds)
        )
        for pk in ids:
            task.delay_on_commit(pk)
    return ids
