"""The case admin changelist and the daily escalation sweep on a seeded database.

Usage (a database seeded with `seed_demo` at some scale, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_case_big \\
        .venv/bin/python bench/case_bench.py [--runs 9] [--batch 3]

Each page of /admin/cases/case/ is answered, signed in as a superuser, by Django's
`WSGIHandler` and by a bare WSGI replay of the page's reads (raw psycopg, orjson), interleaved
and repeated as bench/admin_bench.py does (bench/sidebyside.py); it prints the median of each,
the ratio app/bare and the query counts. Then it runs the daily digest and the reminder sweep
inside a transaction that is rolled back, so the database is unchanged, and prints how many
queries each ran: the digest must not grow with the data; the reminder sweep runs a fixed set
of queries plus a few per item it tells.
"""

import argparse
import os
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

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)
from sidebyside import SideBySide  # noqa: E402

from cases.models import Case  # noqa: E402
from cases.sweeps import (  # noqa: E402
    due_follow_ups,
    due_liaisons,
    due_unaccepted,
    due_warnings,
    follow_up_reminder_days,
    overdue_cases,
    overdue_follow_ups,
    send_daily_digest,
    sweep_case_reminders,
    warning_workdays,
)
from demo.seeding import data as demo_data  # noqa: E402
from partners.models import Partner  # noqa: E402


class QueryCounter:
    """An execute wrapper that counts the statements run through it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def changelists():
    """The changelist, unfiltered, by state, by a lead's partner, and a search by number."""
    partner = Partner.objects.get(short_name=demo_data.DEMO_PARTNER_SHORT_NAME)
    # A number from the middle of the list, so the search is not helped by the newest rows.
    count = Case.objects.count()
    number = Case.objects.order_by("number").values_list("number", flat=True)[count // 2]
    return [
        ("cases", "/admin/cases/case/"),
        ("cases, state in progress", "/admin/cases/case/?state__exact=in_progress"),
        ("cases, state resolved", "/admin/cases/case/?state__exact=resolved"),
        ("cases, lead's partner", f"/admin/cases/case/?lead__partner__id__exact={partner.pk}"),
        ("cases, search by number", f"/admin/cases/case/?q={number}"),
    ]


def sweep_queries():
    """Run the digest and the reminder sweep, count their queries, and roll everything back."""
    now = timezone.now()
    # After the reminder hour, so that warnings, follow-up and liaison reminders all run.
    now = timezone.localtime(now).replace(hour=9, minute=0)
    today = now.date()
    figures = {
        "overdue cases": overdue_cases(today).count(),
        "overdue return visits": overdue_follow_ups(today).count(),
        "unaccepted to escalate": len(due_unaccepted(now)),
        "deadline warnings due": len(due_warnings(today, warning_workdays())),
        "follow-up reminders due": len(due_follow_ups(today, follow_up_reminder_days())),
        "liaison reminders due": len(due_liaisons(today)),
    }
    with transaction.atomic():
        with CaptureQueriesContext(connection) as digest:
            started = time.perf_counter()
            written = send_daily_digest(today=today)
            digest_seconds = time.perf_counter() - started
        # Counted with a wrapper: CaptureQueriesContext keeps only the last 9,000 queries, and
        # at scale 100 the sweep runs more than that.
        reminders = QueryCounter()
        with connection.execute_wrapper(reminders):
            started = time.perf_counter()
            told = sweep_case_reminders(now=now)
            reminder_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    figures["digest queries"] = len(digest.captured_queries)
    figures["digest messages"] = written
    figures["digest ms"] = round(digest_seconds * 1000, 1)
    figures["reminder sweep queries"] = reminders.count
    figures["reminder sweep people told"] = told
    figures["reminder sweep ms"] = round(reminder_seconds * 1000, 1)
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9, help="rounds (each: app and bare once)")
    parser.add_argument("--batch", type=int, default=3, help="requests per variant per round")
    args = parser.parse_args()

    staff = get_user_model().objects.filter(is_staff=True, is_superuser=True).first()
    if staff is None:
        sys.exit("no staff user: seed the database with seed_demo first")
    with SideBySide(staff) as bench:
        bench.get("/admin/")  # the first request of a process loads URLs and translations
        pages = [bench.page(label, url) for label, url in changelists()]
        measured = bench.interleave(pages, runs=args.runs, batch=args.batch)

    print(f"cases: {Case.objects.count()}")
    print(f"medians of {args.runs} interleaved rounds of {args.batch} requests each")
    print(f"{'page':34} {'page ms':>8} {'bare ms':>8} {'app/bare':>8} {'queries':>8} {'bare q':>6}")
    for page, app_s, bare_s in measured:
        print(
            f"{page.label:34} {app_s * 1000:>8.1f} {bare_s * 1000:>8.2f} "
            f"{app_s / bare_s:>8.1f} {page.queries:>8} {page.bare_queries:>6}"
        )
        record(
            f"cases: {page.label}",
            median_ms=app_s * 1000,
            queries=page.queries,
            baseline_ms=bare_s * 1000,
            bare_queries=page.bare_queries,
        )

    for label, value in sweep_queries().items():
        print(f"{label:34} {value:>8}")


if __name__ == "__main__":
    main()
