"""Admin changelists on a big data set, side by side with a bare replay of the SQL they ran.

Usage (a database seeded with `seed_demo --scale 100`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench \
        .venv/bin/python bench/admin_bench.py [--runs 9] [--batch 3]

Signed in as a superuser, each page is answered by two WSGI applications, interleaved (the
order alternates every round) and repeated (bench/sidebyside.py): **app**, Django's
`WSGIHandler` (middleware, session, admin, template), and **bare**, a minimal WSGI function
that replays the page's reads (the session's included) on a raw psycopg connection and dumps
their rows with orjson. It prints the median of each, the ratio app/bare (what the page costs
on top of reading its rows), and the query counts. Nothing is written: every request is a GET.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")
# As in production: no DEBUG query log, no log line per request on the terminal.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_REQUESTS", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)
from sidebyside import SideBySide  # noqa: E402

PAGES = [
    ("assistants", "/admin/assistants/assistant/", "assistants_assistant"),
    (
        "assistants, phone tail search",
        "/admin/assistants/assistant/?q=5678",
        "assistants_assistant",
    ),
    (
        "assistants, by specialty",
        "/admin/assistants/assistant/?specialty__exact=legal",
        "assistants_assistant",
    ),
    ("residents", "/admin/cases/resident/", "cases_resident"),
    ("enterprises", "/admin/cases/enterprise/", "cases_enterprise"),
    ("dispatches", "/admin/assistants/dispatch/", "assistants_dispatch"),
    ("partners", "/admin/partners/partner/", "partners_partner"),
]


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
        rows = {
            table: connection.cursor().execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in {page[2] for page in PAGES}
        }
        pages = [bench.page(label, url) for label, url, _table in PAGES]
        measured = bench.interleave(pages, runs=args.runs, batch=args.batch)

    print(f"medians of {args.runs} interleaved rounds of {args.batch} requests each")
    print(
        f"{'page':34} {'rows':>8} {'page ms':>8} {'bare ms':>8} {'app/bare':>8} "
        f"{'queries':>7} {'bare q':>6}"
    )
    for (label, _url, table), (page, app_s, bare_s) in zip(PAGES, measured, strict=True):
        print(
            f"{label:34} {rows[table]:>8} {app_s * 1000:>8.1f} {bare_s * 1000:>8.2f} "
            f"{app_s / bare_s:>8.1f} {page.queries:>7} {page.bare_queries:>6}"
        )
        record(
            f"admin: {label}",
            median_ms=app_s * 1000,
            queries=page.queries,
            baseline_ms=bare_s * 1000,
            bare_queries=page.bare_queries,
        )


if __name__ == "__main__":
    main()
