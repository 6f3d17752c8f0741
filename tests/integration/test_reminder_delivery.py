"""End to end: the sweep writes a reminder, a real Celery worker on real Redis delivers it once to
the inbox, by e-mail to a local SMTP server, and to a group-chat robot on a local HTTP server."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from assistants import reminders
from assistants.models import ReminderPolicy
from talentoffice.models import Delivery, Notification
from talentoffice.notifications import requeue_stale_deliveries
from talentoffice.tasks import deliver_notification
from tests.factories import make_assistant, make_partner
from tests.factories.notify import RobotServer, SmtpServer, make_shift, make_user, make_webhook
from tests.integration.conftest import PROJECT_ROOT, database_url_of_test_database, wait_for


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def robot_server():
    with RobotServer() as server:
        yield server


@pytest.fixture
def start_worker(transactional_db, redis_broker, smtp_server, tmp_path):
    """Starts real `celery worker` processes like conftest's, mailing to the local SMTP server.

    conftest's fixture cannot pass the e-mail settings a separate process needs, hence this one.
    """
    env = os.environ | {
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "talentoffice.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
    }
    processes = []

    def start():
        log = tmp_path / f"worker{len(processes)}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "talentoffice",
                    "worker",
                    "--pool=solo",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=INFO",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        process.log_path = log
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def only_before_shift_reminders():
    """Switch the other kinds off, so the test does the same whatever the hour it runs at."""
    for kind in ("day_before", "open_slot", "missed_check_in"):
        ReminderPolicy.objects.update_or_create(kind=kind, defaults={"active": False})
    ReminderPolicy.objects.update_or_create(
        kind="before_shift", defaults={"active": True, "minutes": 60}
    )


def test_a_real_worker_delivers_a_reminder_once_to_inbox_email_and_robot(
    start_worker, redis_broker, smtp_server, robot_server
):
    worker = start_worker()
    only_before_shift_reminders()
    user = make_user(email="bob@example.com")
    assistant = make_assistant(partner=make_partner(), user=user)
    shift = make_shift(starts_at=timezone.now() + timedelta(minutes=30), assistant=assistant)
    robot = make_webhook(service_point=shift.service_point, url=robot_server.url("/ok"))

    assert reminders.sweep_reminders() == 1

    notification = Notification.objects.get()
    assert notification.recipient == user

    def all_sent():
        statuses = list(notification.deliveries.values_list("status", flat=True))
        return len(statuses) == 2 and set(statuses) == {"sent"}

    assert wait_for(all_sent), (
        f"not delivered: {list(Delivery.objects.values('target', 'status', 'last_error'))}\n"
        + worker.log_path.read_text()
    )
    assert sorted(notification.deliveries.values_list("target", flat=True)) == sorted(
        ["email:bob@example.com", f"webhook:{robot.pk}"]
    )
    assert user.notifications.filter(read_at__isnull=True).count() == 1  # in the inbox

    # A second sweep, the requeue sweep, and a redelivered copy of every message change nothing.
    assert reminders.sweep_reminders() == 0
    assert requeue_stale_deliveries() == []
    for delivery in notification.deliveries.all():
        deliver_notification.delay(delivery.pk)
    assert wait_for(lambda: redis_broker.llen("deliveries") == 0), "the worker left messages"
    time.sleep(1)  # let the worker finish the last message it took

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == ["bob@example.com"]
    # A long encoded subject is folded on the wire; the parsed header may keep the fold's space.
    assert received["message"]["Subject"].strip() == notification.subject
    assert len(robot_server.received) == 1
    path, payload = robot_server.received[0]
    assert path == "/ok"
    assert payload == {
        "msgtype": "text",
        "text": {"content": f"{notification.subject}\n\n{notification.body}"},
    }
    assert Notification.objects.count() == 1
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    assert worker.poll() is None, "the worker died"


def test_a_delivery_whose_worker_was_killed_mid_send_is_sent_by_another_worker_once(
    start_worker, redis_broker, robot_server
):
    only_before_shift_reminders()
    assistant = make_assistant(partner=make_partner(), user=make_user(email=""))
    shift = make_shift(starts_at=timezone.now() + timedelta(minutes=30), assistant=assistant)
    make_webhook(service_point=shift.service_point, url=robot_server.url("/hang-once"))
    first = start_worker()

    assert reminders.sweep_reminders() == 1
    webhook = Delivery.objects.get(channel="webhook")
    # The robot holds the first request open: the worker is inside the send. Kill it there.
    assert wait_for(lambda: robot_server.received), first.log_path.read_text()
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts) == ("sending", 1)

    # Its claim runs out (a minute; here moved back by hand), the requeue sweep queues the
    # delivery again and a new worker sends it.
    Delivery.objects.filter(pk=webhook.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert requeue_stale_deliveries() == [webhook.pk]
    second = start_worker()
    assert wait_for(lambda: Delivery.objects.get(pk=webhook.pk).status == "sent"), (
        second.log_path.read_text()
    )
    # The killed worker's try is logged as started and never finished; the second succeeded.
    log = list(webhook.attempt_log.order_by("started_at"))
    assert [(a.succeeded, a.finished_at is not None) for a in log] == [(False, False), (True, True)]
    assert not Delivery.objects.filter(channel="inbox").exists()  # the inbox is the row itself

    # A copy of the message that comes back later (acks_late redelivery) sends nothing more.
    deliver_notification.delay(webhook.pk)
    assert wait_for(lambda: redis_broker.llen("deliveries") == 0)
    time.sleep(1)
    assert robot_server.paths() == ["/hang-once", "/hang-once"]
    assert Delivery.objects.get(pk=webhook.pk).attempts == 2
