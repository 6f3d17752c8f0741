"""Background tasks of the duty rota."""

from celery import shared_task

from . import reminders


# Beat queues this every minute. Two copies running at once (a slow sweep overlapping the
# next) are safe: the notifications' unique constraint lets only one of them write each reminder.
@shared_task(acks_late=True, ignore_result=True)
def sweep_reminders() -> int:
    """Write the reminders and alerts that are due now; their delivery is queued after commit."""
    return reminders.sweep_reminders()
