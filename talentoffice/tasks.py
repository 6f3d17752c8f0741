"""Background tasks that belong to the project as a whole."""

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(acks_late=True, ignore_result=True)
def record_heartbeat(name: str = "worker") -> None:
    """Note that a worker ran a task just now; the health check reads it."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
