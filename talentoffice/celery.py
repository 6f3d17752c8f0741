"""The Celery application shared by the web processes, workers and the one beat."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

app = Celery("talentoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def record_start(name: str) -> None:
    """Write a process's start as a heartbeat, so health need not wait a whole interval."""
    from django.utils import timezone

    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


@signals.worker_ready.connect
def worker_started(**kwargs) -> None:
    """A worker that is ready to take tasks counts as seen."""
    from .health import WORKER_STARTED

    record_start(WORKER_STARTED)


@signals.beat_init.connect
def beat_started(**kwargs) -> None:
    """Beat counts as seen when it starts, and queues a heartbeat for a worker to record."""
    from .health import BEAT_STARTED
    from .tasks import record_heartbeat

    record_start(BEAT_STARTED)
    record_heartbeat.delay("beat")
