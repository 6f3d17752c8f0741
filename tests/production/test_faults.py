"""Faults, with real processes: a worker killed with SIGKILL in the middle of a reminder batch, a
Redis restart with work queued, and a PostgreSQL restart under a running web server.

The Redis and PostgreSQL that are restarted are private servers these tests start on free ports
(the machine's shared ones serve other test runs and are never touched).
"""

import email
import email.policy
import socketserver
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from assistants import reminders
from assistants.models import ReminderPolicy
from talentoffice.models import Delivery, DeliveryAttempt, Notification
from talentoffice.notifications import QUEUED_GRACE_SECONDS, requeue_stale_deliveries
from tests.factories import make_assistant, make_partner, make_service_point
from tests.factories.notify import make_shift, make_user
from tests.production.conftest import (
    copy_test_database_into,
    database_url_of_test_database,
    manage,
    wait_for,
)


class HoldingSmtpServer:
    """A real SMTP receiver on 127.0.0.1 that accepts a message only when it answers 250 to its
    DATA, and holds the answer to the `hold_at`-th message until released: a worker sending it
    is then stopped mid-send, and the message, never accepted, is not counted."""

    def __init__(self, hold_at: int):
        self.accepted: list[str] = []  # the recipient of each accepted message
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.seen = 0
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 127.0.0.1 test SMTP ready")
                recipients = []
                while raw := self.rfile.readline():
                    verb = raw.decode()[:4].upper()
                    if verb == "RCPT":
                        recipients.append(raw.decode().split(":", 1)[1].strip(" <>\r\n"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(data)
                        email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                        with receiver.lock:
                            receiver.seen += 1
                            hold = receiver.seen == receiver.hold_at
                        if hold:
                            receiver.holding.set()
                            receiver.release.wait(60)
                            return  # never answered: the message was not accepted
                        with receiver.lock:
                            receiver.accepted.extend(recipients)
                        recipients = []
                        self.reply("250 OK queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # EHLO, HELO, MAIL, RSET, NOOP
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def only_before_shift_reminders():
    """Only the one kind, whatever the hour the test runs at."""
    for kind in ("day_before", "open_slot", "missed_check_in"):
        ReminderPolicy.objects.update_or_create(kind=kind, defaults={"active": False})
    ReminderPolicy.objects.update_or_create(
        kind="before_shift", defaults={"active": True, "minutes": 60}
    )


def due_reminders(count: int) -> list[str]:
    """`count` assistants with a login and an e-mail address, each with a shift in 30 minutes."""
    only_before_shift_reminders()
    partner, point = make_partner(), make_service_point()
    start = timezone.now() + timedelta(minutes=30)
    addresses = []
    for n in range(count):
        user = make_user()
        make_shift(
            starts_at=start + timedelta(seconds=n),
            assistant=make_assistant(partner=partner, user=user),
            service_point=point,
        )
        addresses.append(user.email)
    return addresses


REMINDERS = 30


def test_a_worker_killed_mid_batch_and_restarted_delivers_every_reminder_exactly_once(
    transactional_db, redis_broker, stack_factory
):
    addresses = due_reminders(REMINDERS)
    with HoldingSmtpServer(hold_at=8) as smtp:
        stack = stack_factory(
            database_url=database_url_of_test_database(),
            broker_url=settings.CELERY_BROKER_URL,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp.port,
            EMAIL_TIMEOUT=30,
        )
        # The sweep beat runs every minute writes the batch: per reminder an e-mail delivery
        # (the inbox is the notification itself), all queued in Redis.
        assert reminders.sweep_reminders() == REMINDERS
        assert redis_broker.llen("deliveries") == REMINDERS
        first = stack.worker(concurrency=2, name="first")

        # The 8th e-mail is being sent when the worker (main process and pool) gets SIGKILL.
        assert smtp.holding.wait(60), first.log()
        first.kill_hard()
        smtp.release.set()
        assert 0 < len(smtp.accepted) < REMINDERS
        in_flight = Delivery.objects.filter(status="sending")
        assert in_flight.count() >= 1

        # A new worker takes what is still queued. What the dead one held (the message it was
        # running and those it had reserved) waits in Redis's unacked set for an hour; the
        # requeue sweep that beat runs every minute queues those deliveries again once their
        # claim has run out. Here that sweep runs as beat would run it after the grace period.
        second = stack.worker(concurrency=2, name="second")
        assert wait_for(lambda: redis_broker.llen("deliveries") == 0, timeout=60), second.log()
        later = timezone.now() + timedelta(seconds=QUEUED_GRACE_SECONDS + 1)
        requeued = requeue_stale_deliveries(now=later)
        assert 1 <= len(requeued) <= 6, requeued  # the killed one and what its pool reserved

        def all_sent():
            return not Delivery.objects.exclude(status="sent").exists()

        assert wait_for(all_sent, timeout=60), (
            list(Delivery.objects.exclude(status="sent").values("pk", "status", "claimed_until")),
            second.log(),
        )
        # Redelivered copies of every message (as Redis restores unacked ones) send nothing.
        from talentoffice.tasks import deliver_notification

        for delivery_id in Delivery.objects.values_list("pk", flat=True):
            deliver_notification.delay(delivery_id)
        assert wait_for(lambda: redis_broker.llen("deliveries") == 0, timeout=60)
        time.sleep(1)  # the last message taken finishes

        assert sorted(smtp.accepted) == sorted(addresses), "each e-mail accepted exactly once"
    assert Notification.objects.count() == REMINDERS
    assert Delivery.objects.filter(channel="email", status="sent").count() == REMINDERS
    # The killed try is on record as begun and never finished.
    assert DeliveryAttempt.objects.filter(finished_at__isnull=True).count() >= 1
    assert second.alive()


def queue_messages(env: dict, label: str, count: int) -> None:
    """In a separate app process (as the web would), notify `count` new users: rows first, then
    one delivery task each on the broker of that environment."""
    manage(
        "shell",
        "-c",
        "from tests.production.work import notify_new_users; "
        f"notify_new_users(label={label!r}, count={count})",
        env=env,
    )


def sent_for(label: str) -> int:
    return Delivery.objects.filter(
        notification__kind="production-test",
        notification__recipient__username__startswith=f"{label}-",
        status="sent",
    ).count()  # fmt: skip


def test_queued_work_resumes_after_a_redis_restart_and_the_worker_reconnects_by_itself(
    transactional_db, private_redis, stack_factory
):
    stack = stack_factory(
        database_url=database_url_of_test_database(), broker_url=private_redis.url
    )
    worker = stack.worker(concurrency=2)
    queue_messages(stack.env, "before", 5)
    assert wait_for(lambda: sent_for("before") == 5, timeout=60), worker.log()

    # Work is queued while no worker runs; then Redis restarts. It keeps nothing on disk, so the
    # queued messages are gone; the rows are not.
    worker.stop()
    queue_messages(stack.env, "lost", 5)
    assert private_redis.client().llen("deliveries") == 5
    private_redis.stop()
    private_redis.start()
    assert private_redis.client().llen("deliveries") == 0

    # The requeue sweep (beat's, here run as it would after the grace period) queues the
    # deliveries again from their rows, and a worker delivers them.
    restarted = stack.worker(concurrency=2, name="restarted")
    manage(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from talentoffice.notifications import requeue_stale_deliveries as r; "
        f"print(len(r(now=timezone.now() + timedelta(seconds={QUEUED_GRACE_SECONDS + 1}))))",
        env=stack.env,
    )
    assert wait_for(lambda: sent_for("lost") == 5, timeout=60), restarted.log()

    # Redis restarts under a running worker: the same worker process reconnects and takes the
    # work queued after the restart, with no restart of its own.
    private_redis.stop()
    time.sleep(2)
    private_redis.start()
    queue_messages(stack.env, "after", 5)
    assert wait_for(lambda: sent_for("after") == 5, timeout=90), restarted.log()
    assert restarted.alive()
    assert Delivery.objects.exclude(status="sent").count() == 0
    assert set(DeliveryAttempt.objects.values_list("succeeded", flat=True)) == {True}
    assert DeliveryAttempt.objects.count() == Delivery.objects.count()  # each sent once


def test_the_web_answers_errors_while_the_database_restarts_and_recovers_by_itself(
    transactional_db, private_postgres, private_redis, stack_factory
):
    database_url = copy_test_database_into(private_postgres, "talentoffice")
    stack = stack_factory(database_url=database_url, broker_url=private_redis.url)
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as u; "
        "u().objects.create_superuser('alice', 'alice@example.com', 'alice-pass-123')",
        env=stack.env,
    )
    web = stack.web(workers=2)
    workers_before = sorted(p.pid for p in web.family())
    staff = stack.client()
    staff.log_in_to_admin("alice", "alice-pass-123")
    assert staff.get("/admin/auth/user/").status_code == 200
    assert staff.get("/health/").json()["checks"]["database"]["ok"] is True

    private_postgres.stop()
    down = [staff.get("/admin/auth/user/").status_code for _ in range(4)]
    health = stack.client().get("/health/")  # the load balancer's probe carries no session
    assert set(down) == {500}, down
    assert health.status_code == 503
    assert health.json() == {"status": "fail"}  # no host, port or role for a stranger

    private_postgres.start()

    def recovered():
        return staff.get("/admin/auth/user/").status_code == 200

    assert wait_for(recovered, timeout=30, interval=0.5), web.log()[-3000:]
    assert staff.get("/health/").json()["checks"]["database"]["ok"] is True
    # Same master, same workers: nothing restarted; the session (in the database) survived.
    assert sorted(p.pid for p in web.family()) == workers_before
