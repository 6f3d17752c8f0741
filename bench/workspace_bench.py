"""The staff workspace, each of its queue pages and the global search, at any scale.

Usage (a database seeded with `seed_demo --scale N`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_s1 \
        .venv/bin/python bench/workspace_bench.py [--runs 7]

Each page is answered, signed in as a superuser (district staff see every row: the largest
queues), by Django's `WSGIHandler` and by a bare WSGI replay of its reads (bench/sidebyside.py),
interleaved, with medians, the ratio app/bare and the query counts. Nothing is written.
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

from urllib.parse import quote  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from report import record  # noqa: E402  (bench/ is this script's folder)
from sidebyside import SideBySide  # noqa: E402

from steering.queues import QUEUES  # noqa: E402

# Two-character words of the demo's case titles: the shortest search the box accepts.
SEARCHES = ("征收", "贷款")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    staff = get_user_model().objects.filter(is_staff=True, is_superuser=True).first()
    if staff is None:
        sys.exit("no staff user: seed the database with seed_demo first")
    with SideBySide(staff, headers={"Accept-Language": "zh-hans"}) as bench:
        pages = [bench.page("workspace", "/staff/")]
        pages += [bench.page(f"queue {key}", f"/staff/queues/{key}/") for key in QUEUES]
        pages += [
            bench.page(f"search {text}", f"/staff/search/?q={quote(text)}") for text in SEARCHES
        ]
        measured = bench.interleave(pages, runs=args.runs)
    print(f"medians of {args.runs} interleaved rounds")
    print(f"{'page':28} {'ms':>9} {'bare ms':>9} {'app/bare':>8} {'queries':>7} {'bare q':>6}")
    for page, app_s, bare_s in measured:
        print(
            f"{page.label:28} {app_s * 1000:>9.1f} {bare_s * 1000:>9.2f} "
            f"{app_s / bare_s:>8.1f} {page.queries:>7} {page.bare_queries:>6}"
        )
        record(
            f"workspace: {page.label}",
            median_ms=app_s * 1000,
            queries=page.queries,
            baseline_ms=bare_s * 1000,
            bare_queries=page.bare_queries,
        )


if __name__ == "__main__":
    main()
