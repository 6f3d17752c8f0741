"""Reminders at benchmark scale: the idle sweep's queries, and 10,000 due reminders end to end.

Usage (a database seeded with `seed_demo --scale 100`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench \
        .venv/bin/python bench/reminder_bench.py [--reminders 10000] [--runs 3]

1. An idle sweep (everything due already sent): its query count and median time, next to the
   number of shifts in the table, so that runs on two databases of different sizes compare.
2. 10,000 due reminders: 10,000 assigned shifts of distinct assistants (each given a login) are
   moved to start in 30 minutes; sweeps run until nothing is due, then every inbox delivery is
   delivered in process by the same function the Celery task calls. Baseline: a bare
   bulk_create of the same 10,000 notifications and 10,000 deliveries. Everything happens in a
   transaction that is rolled back, so the database is left as it was.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)

from assistants.models import Assistant, Shift  # noqa: E402
from assistants.reminders import sweep_reminders  # noqa: E402
from talentoffice.models import Delivery, Notification  # noqa: E402
from talentoffice.notifications import deliver  # noqa: E402


class Rollback(Exception):
    pass


def idle_sweep(runs):
    """Sweeps at a moment when everything due has been sent: a first sweep catches up, the
    measured ones find nothing. Rolled back, so the database is left as it was."""
    now = timezone.now()
    figures = {}
    try:
        with transaction.atomic():
            # Catch up on whatever is due in the seeded data; a sweep writes a bounded batch,
            # and a freshly seeded scale 100 has more than one batch due.
            for _ in range(1000):
                if sweep_reminders(now=now) == 0:
                    break
            # The catch-up may fill the connection's query log (9,000 entries at most), and a
            # full log makes CaptureQueriesContext count nothing.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                written = sweep_reminders(now=now)
            assert written == 0, written
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                sweep_reminders(now=now)
                timings.append(time.perf_counter() - started)
            figures = {"queries": len(queries), "median": statistics.median(timings)}
            raise Rollback
    except Rollback:
        pass
    return figures["queries"], figures["median"]


def due_reminders(count):
    """Make `count` reminders due, write them with sweeps, deliver them; all rolled back."""
    figures = {}
    try:
        with transaction.atomic():
            day = timezone.localdate() + timedelta(days=400)
            start = timezone.make_aware(datetime.combine(day, dtime(10)))
            # One shift per assistant, so moving them all to the same hour books nobody twice.
            shift_ids = list(
                Shift.objects.filter(assistant__isnull=False, status="scheduled")
                .order_by("assistant_id", "pk")
                .distinct("assistant_id")
                .values_list("pk", flat=True)[:count]
            )
            if len(shift_ids) < count:
                sys.exit(f"only {len(shift_ids)} assistants have a shift; seed a bigger district")
            shifts = Shift.objects.filter(pk__in=shift_ids)
            Shift.objects.filter(pk__in=shift_ids).update(
                starts_at=start, ends_at=start + timedelta(hours=3), rota=None
            )
            User = get_user_model()
            assistant_ids = list(shifts.values_list("assistant_id", flat=True))
            users = User.objects.bulk_create(
                User(username=f"bench-{pk}", email="") for pk in assistant_ids
            )
            for assistant_id, user in zip(assistant_ids, users, strict=True):
                Assistant.objects.filter(pk=assistant_id, user__isnull=True).update(user=user)

            # Untimed: a sweep before these are due marks every past shift as missed (the seed's
            # data lies in the past by then), so the timed sweeps do only the reminders.
            sweep_reminders(now=start - timedelta(hours=3))
            started = time.perf_counter()
            sweeps = written = 0
            while True:
                wrote = sweep_reminders(now=start - timedelta(minutes=30))
                sweeps += 1
                written += wrote
                if not wrote:
                    break
            figures["sweep_seconds"] = time.perf_counter() - started
            figures["sweeps"] = sweeps
            figures["written"] = written

            delivery_ids = list(
                Delivery.objects.filter(
                    notification__recipient__username__startswith="bench-"
                ).values_list("pk", flat=True)
            )
            started = time.perf_counter()
            for delivery_id in delivery_ids:
                deliver(delivery_id=delivery_id)
            figures["deliver_seconds"] = time.perf_counter() - started
            figures["delivered"] = Delivery.objects.filter(
                pk__in=delivery_ids, status="sent"
            ).count()

            started = time.perf_counter()
            notifications = Notification.objects.bulk_create(
                Notification(
                    recipient=user,
                    kind="baseline",
                    subject="值班提醒",
                )
                for user in users
            )
            Delivery.objects.bulk_create(
                Delivery(
                    notification=notification,
                    channel="email",
                    target=f"email:{notification.recipient.email}",
                )
                for notification in notifications
            )
            figures["baseline_seconds"] = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return figures


def main():
    parser = argparse.ArgumentParser()
    # bench/run says the scale: the small database has too few shifts for 10,000 reminders.
    small = os.environ.get("BENCH_SCALE") == "1"
    parser.add_argument("--reminders", type=int, default=200 if small else 10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    shifts = Shift.objects.count()
    queries, idle = idle_sweep(args.runs)
    print(f"shifts in table: {shifts}")
    print(f"idle sweep: {queries} queries, median {idle * 1000:.1f} ms")
    record("reminders: idle sweep", median_ms=idle * 1000, queries=queries)

    figures = due_reminders(args.reminders)
    print(
        f"{figures['written']} reminders written by {figures['sweeps']} sweeps "
        f"in {figures['sweep_seconds']:.2f} s"
    )
    print(f"{figures['delivered']} inbox deliveries sent in {figures['deliver_seconds']:.2f} s")
    total = figures["sweep_seconds"] + figures["deliver_seconds"]
    print(
        f"end to end {total:.2f} s; baseline bulk insert {figures['baseline_seconds']:.2f} s; "
        f"ratio {total / figures['baseline_seconds']:.1f}"
    )
    record(
        f"reminders: {figures['written']} written and delivered",
        median_ms=total * 1000,
        baseline_ms=figures["baseline_seconds"] * 1000,
        baseline="bulk insert",
    )


if __name__ == "__main__":
    main()
