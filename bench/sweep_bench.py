"""Sweeps against deliveries: 10,000 pre-shift reminders written, and a reminder's wait behind a
backlog of 10,000 deliveries.

Usage (any migrated database; the script makes its own rows and removes them):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench \
    BENCH_REDIS=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/sweep_bench.py [--reminders 10000] [--backlog 10000]

1. Writing: `--reminders` assistants (each with a login) get a shift in 30 minutes; sweeps run in
   process until nothing is due. Baseline: a bare bulk_create of the same notifications (the
   inbox is the notification row itself). In a transaction that is rolled back. Yesterday's
   reminders of the same kind are written first and the tables analysed, as in a district that
   sends this many every day (`--no-history` leaves the planner without them).
2. Waiting: `--backlog` delivery messages (for rows already sent, so that each returns at once,
   as a redelivered copy does) fill the broker; then the Procfile's worker processes and its
   beat start, as production starts them. A few shifts become due for their pre-shift reminder
   when beat starts; the figure is the time from then until their notifications are written,
   next to how many deliveries still waited at that moment. The broker is BENCH_REDIS (as for
   bench/run, default db 14), emptied first and last: give it a database of its own.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")
os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_celery_beat.models import PeriodicTask  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)

from assistants.models import Assistant, ReminderPolicy, ServicePoint, Shift  # noqa: E402
from assistants.reminders import sweep_reminders  # noqa: E402
from partners.models import Partner  # noqa: E402
from talentoffice.models import Delivery, Notification, NotificationKind, Street  # noqa: E402
from talentoffice.validators import credit_code_check_character  # noqa: E402

LABEL = "sweepbench"


class Rollback(Exception):
    pass


def only_before_shift_reminders() -> None:
    """Only the pre-shift kind, an hour ahead, whatever the hour the bench runs at."""
    for kind in ("day_before", "open_slot", "missed_check_in"):
        ReminderPolicy.objects.update_or_create(kind=kind, defaults={"active": False})
    ReminderPolicy.objects.update_or_create(
        kind="before_shift", defaults={"active": True, "minutes": 60}
    )


def make_shifts(count: int, *, starts_at, tag: str) -> list:
    """`count` assistants with a login and a shift each starting at `starts_at`; their users."""
    number = int(time.time()) % 1_000_000
    body = f"91350100{number:09d}"
    partner = Partner.objects.create(
        name=f"{LABEL}-{tag}-{number}",
        short_name=f"{LABEL}{number}"[:20],
        sector="finance",
        kind="bank",
        credit_code=body + credit_code_check_character(body),
    )
    street = Street.objects.create(name=f"{LABEL}-{tag}-{number}")
    point = ServicePoint.objects.create(
        name=f"{LABEL}-{tag}-{number}", kind="community_point", street=street, address="-"
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"{LABEL}-{tag}-{n}", email="") for n in range(count)
    )
    assistants = Assistant.objects.bulk_create(
        Assistant(
            name=f"{LABEL}{n}",
            partner=partner,
            specialty="finance",
            phone=f"199{number % 100:02d}{n:06d}",
            user=user,
        )
        for n, user in enumerate(users)
    )
    Shift.objects.bulk_create(
        Shift(
            service_point=point,
            date=timezone.localtime(starts_at).date(),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            specialty="finance",
            assistant=assistant,
        )
        for assistant in assistants
    )
    return users


def writing(count: int, *, history: bool = True) -> dict:
    """Sweeps write `count` due pre-shift reminders; then a bare bulk insert of the same rows."""
    figures = {}
    try:
        with transaction.atomic():
            only_before_shift_reminders()
            now = timezone.now()
            # Whatever else is due in this database first, untimed.
            while sweep_reminders(now=now):
                pass
            users = make_shifts(count, starts_at=now + timedelta(minutes=30), tag="write")
            if history:
                # A district that sends this many reminders today sent as many yesterday, and
                # the database has statistics about them and about today's shifts (a rota is
                # published days ahead): without them the planner takes the notifications of
                # the kind for a handful of rows.
                shift_type = ContentType.objects.get_for_model(Shift)
                Notification.objects.bulk_create(
                    Notification(
                        recipient=user,
                        kind=NotificationKind.SHIFT_BEFORE_SHIFT,
                        target_type=shift_type,
                        target_id=10**12 + n,
                        occasion="yesterday",
                        subject="-",
                    )
                    for n, user in enumerate(users)
                )
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE assistants_shift, talentoffice_notification")
            started = time.perf_counter()
            sweeps = written = 0
            while wrote := sweep_reminders(now=now):
                sweeps += 1
                written += wrote
            figures |= {
                "sweep": time.perf_counter() - started,
                "sweeps": sweeps,
                "written": written,
            }

            started = time.perf_counter()
            # The same rows the sweep writes: one notification each (the inbox is the row).
            Notification.objects.bulk_create(
                Notification(
                    recipient=user,
                    kind=NotificationKind.SHIFT_BEFORE_SHIFT,
                    occasion="baseline",
                    subject="-",
                )
                for user in users
            )
            figures["baseline"] = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return figures


def procfile_commands() -> dict[str, str]:
    """The Procfile's background processes (every one but the web server), by name."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if command and name.strip() != "web" and not line.startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


def start(name: str, command: str, log_dir: Path) -> subprocess.Popen:
    env = os.environ | {
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "CELERY_CONCURRENCY": os.environ.get("CELERY_CONCURRENCY", "2"),
    }
    log = (log_dir / f"{name}.log").open("ab")
    # The Procfile's lines are shell lines (${CELERY_CONCURRENCY:-4}); exec keeps one process.
    return subprocess.Popen(
        ["sh", "-c", f"exec {command}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def queued(broker) -> int:
    # Before the queues were split, everything waited in Celery's default "celery" list.
    return sum(broker.llen(name) for name in ("celery", "deliveries", "sweeps"))


def waiting(backlog: int, reminders: int, log_dir: Path, timeout: float) -> dict:
    """The time from "due" to "written" for `reminders` reminders behind `backlog` deliveries."""
    from talentoffice.celery import app
    from talentoffice.tasks import deliver_notification

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.flushdb()
    figures = {}
    processes = []
    try:
        only_before_shift_reminders()
        # Rows already sent: each message is a claim that finds nothing to do, as for a copy.
        notifications = Notification.objects.bulk_create(
            Notification(
                kind=NotificationKind.CASE_DIGEST,
                occasion=f"{LABEL}:{n}:{time.time()}",
                subject="-",
            )
            for n in range(backlog)
        )
        sent = Delivery.objects.bulk_create(
            Delivery(
                notification=notification,
                channel="email",
                target="backlog@example.org",
                status="sent",
                sent_at=timezone.now(),
            )
            for notification in notifications
        )
        with app.producer_or_acquire() as producer:
            for delivery in sent:
                deliver_notification.apply_async((delivery.pk,), producer=producer)
        figures["queued"] = queued(broker)

        # Due already when beat starts; the clock starts when beat queues its first reminder
        # sweep (its database scheduler writes each send's time at once), so that the figure is
        # the wait in the queue and the sweep's work, not where beat's minute happened to be.
        PeriodicTask.objects.filter(name="reminder-sweep").update(
            last_run_at=timezone.now() - timedelta(days=1)
        )
        before = timezone.now()
        make_shifts(reminders, starts_at=before + timedelta(minutes=30), tag="wait")
        for name, command in procfile_commands().items():
            processes.append(start(name, command, log_dir))
        sweep = PeriodicTask.objects.filter(name="reminder-sweep", last_run_at__gte=before)
        deadline = time.monotonic() + 120
        while not sweep.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        sent_at = sweep.values_list("last_run_at", flat=True).first()
        assert sent_at is not None, "beat never queued the reminder sweep"
        mine = Notification.objects.filter(
            kind="shift.before_shift", recipient__username__startswith=f"{LABEL}-wait-"
        )
        written_at = None
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if mine.count() >= reminders:
                written_at = mine.aggregate(last=Max("created_at"))["last"]
                figures["left_in_queue"] = queued(broker)
                break
            time.sleep(0.2)
        figures["due_to_written"] = (
            None if written_at is None else (written_at - sent_at).total_seconds()
        )
        figures["written"] = mine.count()
        drained = started
        while queued(broker) and time.monotonic() - drained < timeout:
            time.sleep(0.5)
        figures["drain"] = time.monotonic() - started
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        broker.flushdb()
        Notification.objects.filter(kind=LABEL).delete()
        Notification.objects.filter(recipient__username__startswith=f"{LABEL}-").delete()
        Shift.objects.filter(service_point__name__startswith=f"{LABEL}-").delete()
        Assistant.objects.filter(partner__name__startswith=f"{LABEL}-").delete()
        Partner.objects.filter(name__startswith=f"{LABEL}-").delete()
        ServicePoint.objects.filter(name__startswith=f"{LABEL}-").delete()
        Street.objects.filter(name__startswith=f"{LABEL}-").delete()
        get_user_model().objects.filter(username__startswith=f"{LABEL}-").delete()
    return figures


def main():
    parser = argparse.ArgumentParser()
    # bench/run says the scale: the small run stays short.
    small = os.environ.get("BENCH_SCALE") == "1"
    parser.add_argument("--reminders", type=int, default=1_000 if small else 10_000)
    parser.add_argument("--backlog", type=int, default=2_000 if small else 10_000)
    parser.add_argument("--waiting-reminders", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--log-dir", default=str(ROOT / "var" / "sweep_bench"))
    parser.add_argument("--skip-writing", action="store_true")
    parser.add_argument("--skip-waiting", action="store_true")
    parser.add_argument("--no-history", action="store_true")
    args = parser.parse_args()
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)

    if not args.skip_writing:
        figures = writing(args.reminders, history=not args.no_history)
        ratio = figures["sweep"] / figures["baseline"]
        print(
            f"writing: {figures['written']} pre-shift reminders by {figures['sweeps']} sweeps "
            f"in {figures['sweep']:.2f} s; bulk insert of the same rows "
            f"{figures['baseline']:.2f} s; ratio {ratio:.1f}"
        )
        record(
            f"sweeps: {figures['written']} pre-shift reminders written",
            median_ms=figures["sweep"] * 1000,
            baseline_ms=figures["baseline"] * 1000,
            baseline="bulk insert",
        )

    if args.skip_waiting:
        return
    started = ", ".join(f"{name} ({command})" for name, command in procfile_commands().items())
    print(f"processes started from the Procfile: {started}")
    figures = waiting(args.backlog, args.waiting_reminders, log_dir, args.timeout)
    seconds = figures["due_to_written"]
    shown = "never (timed out)" if seconds is None else f"{seconds:.1f} s"
    print(
        f"waiting: {figures['queued']} deliveries queued; {figures['written']} of "
        f"{args.waiting_reminders} reminders written {shown} after becoming due, with "
        f"{figures.get('left_in_queue', '?')} messages still queued; backlog drained in "
        f"{figures['drain']:.1f} s"
    )
    if seconds is not None:
        record(f"sweeps: due to written behind {args.backlog} deliveries", median_ms=seconds * 1000)


if __name__ == "__main__":
    main()
