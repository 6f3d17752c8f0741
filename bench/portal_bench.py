"""The partner portal (/partner/) on a seeded database: time and queries per page.

Usage (a database seeded with `seed_demo` at some scale, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_s100 \\
        .venv/bin/python bench/portal_bench.py [--runs 15] [--username partner]

It signs in as the demo partner manager (`partner`, of the largest bank), calls the home,
assistants, duty and cases pages through the whole Django stack in this process, interleaved,
and prints for each the median wall time and the number of queries. Nothing is written: every
request is a GET.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_REQUESTS", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)

PAGES = ["/partner/", "/partner/assistants/", "/partner/duty/", "/partner/cases/"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--username", default="partner")
    args = parser.parse_args()

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", SERVER_NAME="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=args.username))
    times = {page: [] for page in PAGES}
    queries = {}
    for page in PAGES:  # warm up: templates, translations, the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        queries[page] = len(captured)
    for run in range(args.runs):
        for page in PAGES if run % 2 == 0 else reversed(PAGES):
            started = time.perf_counter()
            client.get(page)
            times[page].append((time.perf_counter() - started) * 1000)
    scale = os.environ.get("BENCH_SCALE", "?")
    print(f"portal pages as {args.username}, scale {scale}, {args.runs} runs each")
    print(f"{'page':28} {'median ms':>10} {'queries':>8}")
    for page in PAGES:
        median = statistics.median(times[page])
        print(f"{page:28} {median:10.1f} {queries[page]:8d}")
        record(f"portal {page}", median_ms=median, queries=queries[page])


if __name__ == "__main__":
    main()
