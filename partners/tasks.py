"""Background tasks of the partner API: sending signed webhooks."""

from celery import shared_task

from . import webhooks


# acks_late: a worker killed mid-post leaves the message to be redelivered; the claim in
# deliver() makes that copy a no-op when the first worker finished. max_retries=None because
# deliver() counts the attempts itself and gives up after PARTNER_WEBHOOK_MAX_ATTEMPTS.
@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """Post one webhook delivery; on a temporary failure, try again after the backoff."""
    result = webhooks.deliver(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.status


@shared_task(acks_late=True, ignore_result=True)
def requeue_stale_webhook_deliveries() -> int:
    """Queue again webhook deliveries whose message was lost or whose worker died."""
    return len(webhooks.requeue_stale_deliveries())
