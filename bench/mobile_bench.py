"""The assistants' mobile pages (/m/) on a seeded database: time, queries and bytes per page.

Usage (a database seeded with `seed_demo` at some scale, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_mobile_s100 \\
        .venv/bin/python bench/mobile_bench.py [--runs 15] [--username assistant1]

It signs in as the demo assistant (`assistant1`, whose share of shifts, cases and visits grows
with the scale) and, for every page, prints the median wall time of a full request through
Django's test client, the number of queries, and what a phone downloads before any photo: the
HTML plus the stylesheet, script and icon the page links (raw and gzip-compressed, as whitenoise
serves them). Nothing is written: every request is a GET.
"""

import argparse
import gzip
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)

from assistants.models import Assistant, Shift  # noqa: E402
from cases.models import Case, FollowUp, Visit  # noqa: E402

# The page weight a phone on a weak signal should get at most, before photos.
BUDGET_BYTES = 100 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


class QueryCounter:
    """An execute wrapper that counts the statements run through it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def median_ms(action, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def asset_bytes(path: str) -> tuple[int, int]:
    """Raw and gzip size of one static file the page links."""
    relative = path.removeprefix("/static/")
    found = finders.find(relative)
    if found is None:
        sys.exit(f"static file not found: {path}")
    data = Path(found).read_bytes()
    return len(data), len(gzip.compress(data, 9))


def pages(assistant):
    """Every page of /m/, with the assistant's own records for the detail pages."""
    user = assistant.user
    shifts = Shift.objects.visible_to(user).filter(assistant=assistant)
    shift = shifts.order_by("-starts_at").first()
    cases = Case.objects.visible_to(user)
    case = cases.open().order_by("-pk").first() or cases.order_by("-pk").first()
    resolved = (
        FollowUp.objects.filter(case__in=cases.filter(state="resolved"), done_at__isnull=True)
        .values_list("case_id", flat=True)
        .first()
    )
    visit = Visit.objects.visible_to(user).order_by("-pk").first()
    found = [
        ("today", "/m/"),
        ("shifts", "/m/shifts/"),
        ("calendar", "/m/calendar/"),
        ("cases (open)", "/m/cases/"),
        ("cases (all states)", "/m/cases/?state=all"),
        ("cases (overdue)", "/m/cases/?due=overdue"),
        ("new case", "/m/cases/new/"),
        ("new case, search", "/m/cases/new/?q=1"),
        ("log a visit", "/m/visits/new/"),
        ("my visits", "/m/visits/"),
        ("search (JSON)", "/m/search/?q=TJ"),
        ("inbox", "/m/inbox/"),
    ]
    if shift is not None:
        found.append(("shift", f"/m/shifts/{shift.pk}/"))
    if case is not None:
        found.append(("case", f"/m/cases/{case.pk}/"))
        found.append(("log a visit on a case", f"/m/visits/new/?target=case:{case.pk}"))
    if resolved is not None:
        found.append(("return visit", f"/m/cases/{resolved}/follow-up/"))
    if visit is not None:
        found.append(("visit", f"/m/visits/{visit.pk}/"))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--username", default="assistant1")
    args = parser.parse_args()

    # Keep one connection across requests, as production does (DB_CONN_MAX_AGE).
    connection.settings_dict["CONN_MAX_AGE"] = None
    user = get_user_model().objects.filter(username=args.username).first()
    assistant = Assistant.objects.filter(user=user).first() if user else None
    if assistant is None:
        sys.exit(f"no assistant login {args.username!r}: seed the database with seed_demo first")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.get("/m/")  # the first request loads URLs and translations, and writes the session

    print(
        f"assistant {assistant.name}: {Shift.objects.filter(assistant=assistant).count()} shifts, "
        f"{Case.objects.visible_to(user).count()} cases, "
        f"{Visit.objects.visible_to(user).count()} visits; "
        f"district: {Case.objects.count()} cases, {Visit.objects.count()} visits"
    )
    print(f"{'page':24} {'ms':>7} {'queries':>7} {'HTML':>7} {'+assets':>8} {'gzip':>7}")
    over_budget = []
    for label, url in pages(assistant):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            client.get(url)
        page_ms = median_ms(lambda url=url: client.get(url), args.runs)
        html = response.content
        assets = sorted(set(ASSET.findall(html.decode())))
        raw = len(html) + sum(asset_bytes(path)[0] for path in assets)
        packed = len(gzip.compress(html, 9)) + sum(asset_bytes(path)[1] for path in assets)
        if raw > BUDGET_BYTES:
            over_budget.append(label)
        print(f"{label:24} {page_ms:>7.1f} {counter.count:>7} {len(html):>7} {raw:>8} {packed:>7}")
        record(
            f"mobile: {label}",
            median_ms=page_ms,
            queries=counter.count,
            bytes=raw,
            gzip_bytes=packed,
        )
    print(f"budget: HTML + CSS + JS under {BUDGET_BYTES} bytes per page (before photos)")
    if over_budget:
        sys.exit(f"over budget: {', '.join(over_budget)}")


if __name__ == "__main__":
    main()
