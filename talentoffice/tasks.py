"""Background tasks that belong to the project as a whole."""

from celery import shared_task
from django.utils import timezone

from . import notifications
from .models import Heartbeat


@shared_task(acks_late=True, ignore_result=True)
def record_heartbeat(name: str = "worker") -> None:
    """Note that a worker ran a task just now; the health check reads it."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


# acks_late: a worker killed mid-send leaves the message to be redelivered; the claim in
# deliver() makes that copy a no-op if the first worker had finished, and a resend otherwise.
# max_retries=None because deliver() counts the attempts itself and gives up after six.
@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_notification(self, delivery_id: int) -> str:
    """Send one delivery; on a temporary failure, try again after the backoff."""
    result = notifications.deliver(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.status


@shared_task(acks_late=True, ignore_result=True)
def requeue_stale_deliveries() -> int:
    """Queue again deliveries whose message was lost, held by quiet hours, or whose worker died."""
    return len(notifications.requeue_stale_deliveries())
