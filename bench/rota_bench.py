"""Benchmark: generate and publish a month's rota for the whole district, against bare inserts.

Run against a database seeded with `seed_demo --scale 100` (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench \\
        .venv/bin/python bench/rota_bench.py [--month 2027-01] [--runs 3]

Each run generates a draft for the month, publishes it, then removes it again so that the next
run starts from the same database. The baselines insert the very same shift rows with nothing
else: a plain `bulk_create` (the ORM's fastest ordinary path) and a bare COPY (the floor). The
month defaults to the one after next, since seed_demo publishes this month and the next.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)

from assistants import rota as rota_service  # noqa: E402
from assistants.models import Assistant, Dispatch, Rota, Shift, ShiftTemplate  # noqa: E402
from assistants.rota import generation as rota_generation  # noqa: E402

FIELDS = [
    "template_id",
    "service_point_id",
    "date",
    "starts_at",
    "ends_at",
    "specialty",
    "assistant_id",
]


def month_range(text: str | None) -> tuple[date, date]:
    """The first and last day of "YYYY-MM", or of the month after next."""
    if text:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    else:
        first = timezone.localdate().replace(day=1)
        for _ in range(2):
            first = (first + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def remove(rota_id: int) -> None:
    """Take a benchmark rota away again, published or not (benchmark only)."""
    Rota.objects.filter(pk=rota_id).update(status="draft", published_at=None, published_by=None)
    rota_service.discard_rota(rota=Rota.objects.get(pk=rota_id))


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run_rota(first: date, last: date) -> dict:
    """Generate (one transaction) then publish (another); both committed, as staff would."""
    generate_s, rota = timed(
        lambda: rota_service.generate_rota(starts_on=first, ends_on=last, name="bench")
    )
    publish_s, _ = timed(
        lambda: rota_service.publish_rota(rota=rota, by=None, notify_assistants=False)
    )
    shifts = list(rota.shifts.order_by("pk").values_list(*FIELDS))
    remove(rota.pk)
    return {"generate": generate_s, "publish": publish_s, "total": generate_s + publish_s}, shifts


def run_bulk_create(first: date, last: date, rows: list[tuple]) -> float:
    """The same rows through a plain bulk_create in one transaction, committed."""

    def insert():
        with transaction.atomic():
            rota = Rota.objects.create(name="bench baseline", starts_on=first, ends_on=last)
            Shift.objects.bulk_create(
                [Shift(rota=rota, **dict(zip(FIELDS, row, strict=True))) for row in rows],
                batch_size=rota_service.BATCH_SIZE,
            )
        return rota

    seconds, rota = timed(insert)
    remove(rota.pk)
    return seconds


def run_copy(first: date, last: date, rows: list[tuple]) -> float:
    """The same rows through the service's COPY helper alone, committed: the floor."""

    def insert():
        with transaction.atomic():
            rota = Rota.objects.create(name="bench copy", starts_on=first, ends_on=last)
            rota_generation._insert_shifts(
                [dict(zip(FIELDS, row, strict=True), rota_id=rota.pk) for row in rows]
            )
        return rota

    seconds, rota = timed(insert)
    remove(rota.pk)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="YYYY-MM; defaults to the month after next")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    first, last = month_range(args.month)
    if not Assistant.objects.exists():
        sys.exit("The database is empty: run `manage.py seed_demo --scale 100` first.")
    if Rota.objects.filter(starts_on__lte=last, ends_on__gte=first).exists():
        sys.exit(f"A rota already covers {first:%Y-%m}; pick another --month.")

    print(
        f"database: {connection.settings_dict['NAME']} ({connection.vendor}); "
        f"assistants {Assistant.objects.count()}, dispatches {Dispatch.objects.count()}, "
        f"templates {ShiftTemplate.objects.filter(active=True).count()}, "
        f"shifts already {Shift.objects.count()}"
    )
    print(f"month: {first} to {last}, {args.runs} runs, median reported")

    rota_runs, rows = [], []
    for _ in range(args.runs):
        figures, rows = run_rota(first, last)
        rota_runs.append(figures)
    open_seats = sum(1 for row in rows if row[-1] is None)
    bulk_runs = [run_bulk_create(first, last, rows) for _ in range(args.runs)]
    copy_runs = [run_copy(first, last, rows) for _ in range(args.runs)]

    def median(key):
        return statistics.median(run[key] for run in rota_runs)

    total = median("total")
    bulk = statistics.median(bulk_runs)
    floor = statistics.median(copy_runs)
    print(f"shifts per run: {len(rows)} ({open_seats} open)")
    print(f"generate (plan + insert + history)   {median('generate'):7.2f} s")
    print(f"publish (lock + history)             {median('publish'):7.2f} s")
    print(f"generate + publish                   {total:7.2f} s")
    print(f"baseline: bulk_create of the rows    {bulk:7.2f} s   ratio {total / bulk:5.2f}")
    print(f"floor: COPY of the rows              {floor:7.2f} s   ratio {total / floor:5.2f}")
    # Every run inserted and deleted a month of shifts and their history: clear the dead rows
    # now, or the next benchmark on this database reads through them until autovacuum comes
    # (the partner API's shift list and the phone's offers took 2-4 times as long).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assistants_shift, assistants_shiftevent")
    record(
        f"rota: generate + publish a month ({len(rows)} shifts)",
        median_ms=total * 1000,
        baseline_ms=bulk * 1000,
        baseline="bulk_create",
    )


if __name__ == "__main__":
    main()
