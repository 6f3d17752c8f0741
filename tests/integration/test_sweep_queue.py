"""Beat's sweeps do not wait behind deliveries: with 10,000 delivery messages queued in the real
Redis, the worker processes the Procfile starts write every pre-shift reminder due in the next
ten minutes within one sweep interval."""

import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from assistants.models import ReminderPolicy
from assistants.tasks import sweep_reminders
from talentoffice.celery import app
from talentoffice.models import Delivery, Notification, NotificationKind
from talentoffice.tasks import deliver_notification
from tests.factories import make_assistant, make_partner, make_service_point
from tests.factories.notify import make_shift, make_user
from tests.integration.conftest import PROJECT_ROOT, database_url_of_test_database, wait_for

BACKLOG = 10_000
DUE = 60
# Any kind will do for the backlog: its deliveries are already sent, each claim finds nothing.
BACKLOG_KIND = NotificationKind.CASE_DIGEST


def procfile_workers() -> dict[str, str]:
    """The Procfile's Celery workers (not the web server, not beat), by name."""
    lines = (PROJECT_ROOT / "Procfile").read_text().splitlines()
    commands = dict(line.split(":", 1) for line in lines if ":" in line)
    return {name: cmd.strip() for name, cmd in commands.items() if " worker " in cmd}


@pytest.fixture
def procfile_worker_processes(transactional_db, redis_broker, tmp_path):
    """Starts the Procfile's workers as a Procfile runner would, on the test database."""
    env = os.environ | {
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "talentoffice.settings",
        "PATH": f"{PROJECT_ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "CELERY_CONCURRENCY": "2",
    }
    processes = []

    def start():
        for name, command in procfile_workers().items():
            with (tmp_path / f"{name}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        ["sh", "-c", f"exec {command}"],
                        cwd=PROJECT_ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        return processes

    yield start
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_reminders_due_in_the_next_ten_minutes_are_written_within_one_sweep_interval_behind_10000_deliveries(  # noqa: E501
    redis_broker, procfile_worker_processes, tmp_path
):
    for kind in ("day_before", "open_slot", "missed_check_in"):
        ReminderPolicy.objects.update_or_create(kind=kind, defaults={"active": False})
    ReminderPolicy.objects.update_or_create(
        kind="before_shift", defaults={"active": True, "minutes": 60}
    )
    partner, point = make_partner(), make_service_point()
    now = timezone.now()
    for n in range(DUE):
        make_shift(
            starts_at=now + timedelta(minutes=1, seconds=n * 8),  # all within ten minutes
            assistant=make_assistant(partner=partner, user=make_user()),
            service_point=point,
        )

    # The backlog: deliveries already sent, so that each message is a claim that finds nothing
    # to do, as a redelivered copy is.
    sent = Delivery.objects.filter(status="sent")
    Notification.objects.bulk_create(
        Notification(kind=BACKLOG_KIND, occasion=f"backlog:{n}", subject="-")
        for n in range(BACKLOG)
    )
    Delivery.objects.bulk_create(
        Delivery(notification=n, channel="email", target="backlog@example.org", status="sent")
        for n in Notification.objects.filter(kind=BACKLOG_KIND)
    )
    with app.producer_or_acquire() as producer:
        for delivery_id in sent.values_list("pk", flat=True):
            deliver_notification.apply_async((delivery_id,), producer=producer)
    assert redis_broker.llen("deliveries") == BACKLOG

    procfile_worker_processes()

    def ready(name):
        return " ready." in (tmp_path / f"{name}.log").read_text()

    # Both are up, and the delivery worker is at work on the backlog, before beat's sweep comes.
    assert wait_for(lambda: ready("worker") and ready("sweeper"), timeout=60), (
        tmp_path / "sweeper.log"
    ).read_text()
    assert wait_for(lambda: redis_broker.llen("deliveries") < BACKLOG, timeout=60), (
        tmp_path / "worker.log"
    ).read_text()

    # Queued as beat queues it, with the same expiry.
    entry = settings.CELERY_BEAT_SCHEDULE["reminder-sweep"]
    interval = entry["schedule"]
    queued_at = time.monotonic()
    sweep_reminders.apply_async(expires=entry["options"]["expire_seconds"])
    reminders = Notification.objects.filter(kind="shift.before_shift")
    assert wait_for(lambda: reminders.count() == DUE, timeout=interval, interval=0.1), (
        reminders.count(),
        (tmp_path / "sweeper.log").read_text()[-3000:],
    )
    took = time.monotonic() - queued_at
    still_waiting = redis_broker.llen("deliveries")
    assert took < interval
    assert still_waiting > BACKLOG // 2, f"the backlog was gone after {took:.1f} s"
    # Each reminder once, and its e-mail delivery queued behind the backlog, not lost.
    assert reminders.values("recipient", "target_id", "occasion").distinct().count() == DUE
    assert Delivery.objects.filter(notification__in=reminders, channel="email").count() == DUE
    assert "Discarding revoked task" not in (tmp_path / "sweeper.log").read_text()
