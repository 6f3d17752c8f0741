"""The steering dashboard for a year, and an Excel export of 100,000 cases, at any scale.

Usage (a database seeded with `seed_demo --scale N`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_dash \
        .venv/bin/python bench/dashboard_bench.py [--runs 5] [--rows 100000]

It prints, for the dashboard over the last 365 days (no filters, and one partner):

- the page served from its snapshot (what staff normally get: the beat task keeps it fresh);
- the page computed live (`?fresh=1`), the cost of a snapshot's renewal or of one-off filters;

each as the median of --runs full requests through Django's test client (middleware, view,
template), with its query count. Then it exports up to --rows cases (the list behind "cases
opened", oldest first) through the export view's own writer, in a child process, and prints
the time and the child's peak memory (its max RSS), next to the peak of a child that only
starts Django and reads nothing.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from report import record  # noqa: E402  (bench/ is this script's folder)


def median_seconds(action, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def queries_of(action):
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def export_child(limit: int) -> None:
    """Run in the child: write `limit` cases to an .xlsx as the export view does."""
    from cases.models import Case
    from steering.exports import XlsxWriter, table_rows
    from steering.tables import CASES

    started = time.perf_counter()
    ids = Case.objects.order_by("created_at", "pk").values("pk")[:limit]
    queryset = Case.objects.filter(pk__in=ids).order_by("created_at", "pk")
    writer = XlsxWriter()
    sheet = writer.sheet("cases", CASES.columns)
    written = 0
    for cells in table_rows(queryset, CASES):
        writer.append(sheet, cells)
        written += 1
    response = writer.response("cases.xlsx")
    size = sum(len(block) for block in response.streaming_content)
    response.close()
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{written} {elapsed:.3f} {peak_kib} {size}")


def idle_child() -> None:
    from cases.models import Case  # noqa: F401 - the same imports as the export, nothing read

    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def ensure_steering_demo():
    """Databases seeded before the steering demo existed get its campaigns and targets."""
    from steering.demo import build_for_existing_district
    from steering.models import Campaign

    if not Campaign.objects.exists():
        counts = build_for_existing_district()
        print("added the steering demo:", counts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["export", "idle"])
    parser.add_argument(
        "--skip-live", action="store_true", help="time only the snapshot pages (no export)"
    )
    args = parser.parse_args()
    if args.child == "export":
        return export_child(args.rows)
    if args.child == "idle":
        return idle_child()

    from cases.models import Case
    from partners.models import Partner
    from steering.models import DashboardSnapshot

    started = timezone.now()
    ensure_steering_demo()
    # Keep one connection across requests, as production does (DB_CONN_MAX_AGE).
    connection.settings_dict["CONN_MAX_AGE"] = None
    settings.ALLOWED_HOSTS = ["*"]
    staff = get_user_model().objects.filter(is_staff=True, is_superuser=True).first()
    if staff is None:
        sys.exit("no staff user: seed the database with seed_demo first")
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(staff)
    today = timezone.localdate()
    year = f"start={today - timedelta(days=364)}&end={today}"
    partner = Partner.objects.order_by("pk").first()
    print(f"cases in the database: {Case.objects.count()}")
    print(f"{'dashboard, last 365 days':44} {'median ms':>10} {'queries':>8}")
    for label, query in (
        ("no filters", year),
        (f"partner {partner.short_name}", f"{year}&partner={partner.pk}"),
    ):
        url = f"/staff/dashboard/?{query}"
        fresh = f"{url}&fresh=1"
        assert client.get(fresh).status_code == 200  # warms caches, writes the snapshot
        snap = median_seconds(lambda url=url: client.get(url), args.runs)
        snap_queries = queries_of(lambda url=url: client.get(url))
        print(f"{label + ', from the snapshot':44} {snap * 1000:>10.1f} {snap_queries:>8}")
        record(f"dashboard year, {label}, snapshot", median_ms=snap * 1000, queries=snap_queries)
        if args.skip_live:
            continue
        live = median_seconds(lambda fresh=fresh: client.get(fresh), args.runs)
        live_queries = queries_of(lambda fresh=fresh: client.get(fresh))
        print(f"{label + ', live (?fresh=1)':44} {live * 1000:>10.1f} {live_queries:>8}")
        record(f"dashboard year, {label}, live", median_ms=live * 1000, queries=live_queries)
    # Leave the database as it was: the snapshots this run wrote go.
    DashboardSnapshot.objects.filter(computed_at__gte=started).delete()
    if args.skip_live:
        return

    script = str(Path(__file__).resolve())
    env = dict(os.environ)
    idle = int(subprocess.check_output([sys.executable, script, "--child", "idle"], env=env))
    out = subprocess.check_output(
        [sys.executable, script, "--child", "export", "--rows", str(args.rows)], env=env
    ).split()
    written, elapsed, peak, size = int(out[0]), float(out[1]), int(out[2]), int(out[3])
    record(f"export of {written} cases", median_ms=elapsed * 1000, peak_rss_mib=peak // 1024)
    print(
        f"export of {written} cases: {elapsed:.1f} s, {size / 1e6:.1f} MB file, "
        f"peak RSS {peak / 1024:.0f} MiB (a child that only starts Django: {idle / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
