"""Background tasks of cases: the reminder and escalation sweep, and the daily digest."""

from celery import shared_task

from . import sweeps


# Beat queues this every few minutes. Two copies running at once (a slow sweep overlapping the
# next) are safe: the notifications' unique constraint lets only one of them write each message.
@shared_task(acks_late=True, ignore_result=True)
def sweep_case_reminders() -> int:
    """Write the case escalations and reminders due now; delivery is queued after commit."""
    return sweeps.sweep_case_reminders()


# Beat queues this once a morning. A redelivered or repeated run writes nothing new: the key
# holds the day and the staff member.
@shared_task(acks_late=True, ignore_result=True)
def send_daily_digest() -> int:
    """Send each active staff member today's digest of overdue cases and return visits."""
    return sweeps.send_daily_digest()


# Beat queues this once a night; a second copy finds nothing left to do, and each resident is
# re-checked under a row lock, so overlapping runs are safe.
@shared_task(acks_late=True, ignore_result=True)
def anonymize_expired_residents() -> int:
    """Anonymize residents whose last case closed longer ago than the retention period."""
    from . import privacy

    return len(privacy.anonymize_due())
