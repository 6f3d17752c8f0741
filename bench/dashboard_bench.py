"""The steering dashboard for a year, and an Excel export of 100,000 cases, at any scale.

Usage (a database seeded with `seed_demo --scale N`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_dash \
        .venv/bin/python bench/dashboard_bench.py [--runs 7] [--rows 100000] [--skip-live]

It prints, for the dashboard over the last 365 days (no filters, and one partner):

- the page served from its snapshot (what staff normally get: the beat task keeps it fresh);
- the page computed live (`?fresh=1`), the cost of a snapshot's renewal or of one-off filters;

each answered, signed in as a superuser, by Django's `WSGIHandler` (middleware, view, template)
and by a bare WSGI replay of the page's reads (raw psycopg, orjson), interleaved (the order
alternates every round) and repeated --runs times (bench/sidebyside.py), with the medians, the
ratio app/bare and the query counts. The live page also stores its snapshot, a write the bare
replay leaves out. Then it exports up to --rows cases (the list behind "cases opened", oldest
first) through the export view's own writer, in a child process, and prints the time and the
child's peak memory (its max RSS), next to the peak of a child that only starts Django and
reads nothing.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")
# As in production: no DEBUG query log, no log line per request on the terminal.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_REQUESTS", "false")

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402
from report import record  # noqa: E402  (bench/ is this script's folder)
from sidebyside import SideBySide  # noqa: E402


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
    from demo.seeding.steering import build_for_existing_district
    from steering.models import Campaign

    if not Campaign.objects.exists():
        counts = build_for_existing_district()
        print("added the steering demo:", counts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds")
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
    settings.ALLOWED_HOSTS = ["*"]
    staff = get_user_model().objects.filter(is_staff=True, is_superuser=True).first()
    if staff is None:
        sys.exit("no staff user: seed the database with seed_demo first")
    today = timezone.localdate()
    year = f"start={today - timedelta(days=364)}&end={today}"
    partner = Partner.objects.order_by("pk").first()
    print(f"cases in the database: {Case.objects.count()}")
    with SideBySide(staff, headers={"Accept-Language": "zh-hans"}) as bench:
        pages = []
        for label, query in (
            ("no filters", year),
            (f"partner {partner.short_name}", f"{year}&partner={partner.pk}"),
        ):
            url = f"/staff/dashboard/?{query}"
            fresh = f"{url}&fresh=1"
            # Computed live first: that warms the caches and writes the snapshot read after.
            if args.skip_live:
                status, _body = bench.get(fresh)
                assert status.startswith("200"), (fresh, status)
                pages.append(bench.page(f"{label}, snapshot", url))
            else:
                live = bench.page(f"{label}, live", fresh, warmups=1)
                pages += [bench.page(f"{label}, snapshot", url), live]
        measured = bench.interleave(pages, runs=args.runs)
    # Leave the database as it was: the snapshots this run wrote go.
    DashboardSnapshot.objects.filter(computed_at__gte=started).delete()

    print(f"medians of {args.runs} interleaved rounds")
    print(
        f"{'dashboard, last 365 days':32} {'ms':>9} {'bare ms':>9} {'app/bare':>8} "
        f"{'queries':>7} {'bare q':>6}"
    )
    for page, app_s, bare_s in measured:
        print(
            f"{page.label:32} {app_s * 1000:>9.1f} {bare_s * 1000:>9.2f} "
            f"{app_s / bare_s:>8.1f} {page.queries:>7} {page.bare_queries:>6}"
        )
        record(
            f"dashboard year, {page.label}",
            median_ms=app_s * 1000,
            queries=page.queries,
            baseline_ms=bare_s * 1000,
            bare_queries=page.bare_queries,
        )
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
