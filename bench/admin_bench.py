"""Admin changelists on a big data set, side by side with the bare query they stand on.

Usage (a database seeded with `seed_demo --scale 100`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench \
        .venv/bin/python bench/admin_bench.py [--runs 7]

For each page it prints the median wall time of a full request (middleware, admin, template),
and the median of a bare baseline: the one SELECT of 50 rows that the
page has to run anyway. The ratio is what the page costs on top of reading its rows.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)

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


def median_seconds(action, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def bare_select(table):
    """The first 50 rows in the list's own order, and nothing else."""
    model = apps.get_model(*table.split("_", 1))

    def run():
        list(model.objects.all()[:50])

    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    # Keep one connection across requests, as production does (DB_CONN_MAX_AGE).
    connection.settings_dict["CONN_MAX_AGE"] = None
    staff = get_user_model().objects.filter(is_staff=True, is_superuser=True).first()
    if staff is None:
        sys.exit("no staff user: seed the database with seed_demo first")
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    client.get("/admin/")  # the first request of a process loads URLs and translations

    rows = {
        table: connection.cursor().execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in {page[2] for page in PAGES}
    }
    print(f"{'page':34} {'rows':>8} {'page ms':>8} {'bare ms':>8} {'ratio':>6}")
    for label, url, table in PAGES:
        client.get(url)  # warm caches and connections
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = median_seconds(lambda url=url: client.get(url), args.runs)
        bare = median_seconds(bare_select(table), args.runs)
        print(
            f"{label:34} {rows[table]:>8} {page * 1000:>8.1f} "
            f"{bare * 1000:>8.2f} {page / bare:>6.0f}"
        )
        record(f"admin: {label}", median_ms=page * 1000, baseline_ms=bare * 1000)


if __name__ == "__main__":
    main()
