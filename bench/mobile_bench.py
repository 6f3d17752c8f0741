"""The assistants' mobile pages (/m/) on a seeded database: time, queries and bytes per page.

Usage (a database seeded with `seed_demo` at some scale, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_mobile_s100 \\
        .venv/bin/python bench/mobile_bench.py [--runs 9] [--batch 3] [--username assistant1]

It signs in as the demo assistant (`assistant1`, whose share of shifts, cases and visits grows
with the scale) and, for every page, prints the median wall time of a full request, the number
of queries, and what a phone downloads before any photo: the HTML plus the stylesheet, script and
icon the page links (raw and gzip-compressed, as whitenoise serves them). Nothing is written:
every request is a GET.

Two WSGI applications answer each page, called in this process with the same hand-built environ
(the assistant's session cookie), interleaved (the order alternates every round) and repeated:

- **app**: `django.core.handlers.wsgi.WSGIHandler`, the whole stack: middleware, session and
  login, the mobile view, its template;
- **bare**: a minimal WSGI function that runs, through one raw psycopg 3 connection, the very
  SELECTs the app ran for that page (captured once with an execute wrapper, the session's read
  included) and answers with their rows as dicts dumped by orjson: the floor of any
  implementation of that page.
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
# As in production: no DEBUG query log, no log line per request on the terminal.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_REQUESTS", "false")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from psycopg.rows import dict_row  # noqa: E402
from report import record  # noqa: E402  (bench/report.py, for bench/run)
from sidebyside import Capture, bare_app_for, call, environ_for, read_statements  # noqa: E402

from assistants.models import Assistant, Shift  # noqa: E402
from cases.models import Case, FollowUp, Visit  # noqa: E402

# The page weight a phone on a weak signal should get at most, before photos.
BUDGET_BYTES = 100 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


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
        ("offers to me", "/m/swaps/"),
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
    parser.add_argument("--runs", type=int, default=9, help="rounds (each: app and bare once)")
    parser.add_argument("--batch", type=int, default=3, help="requests per variant per round")
    parser.add_argument("--username", default="assistant1")
    args = parser.parse_args()

    # Keep one connection across requests, as production does (DB_CONN_MAX_AGE).
    connection.settings_dict["CONN_MAX_AGE"] = None
    user = get_user_model().objects.filter(username=args.username).first()
    assistant = Assistant.objects.filter(user=user).first() if user else None
    if assistant is None:
        sys.exit(f"no assistant login {args.username!r}: seed the database with seed_demo first")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)  # writes the session; the requests below only read it
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    dsn = connection.get_connection_params()
    pg = psycopg.connect(
        **{k: v for k, v in dsn.items() if k not in ("cursor_factory", "context")},
        autocommit=True,  # as Django runs: each statement its own transaction
        cursor_factory=psycopg.ClientCursor,  # as Django binds: parameters on the client side
        row_factory=dict_row,
    )
    try:
        run(args, assistant, cookie, pg)
    finally:
        pg.close()


def run(args, assistant, cookie, pg):
    user = assistant.user
    django_app = WSGIHandler()
    call(django_app, environ_for("/m/", cookie))  # loads URLs and translations
    print(
        f"assistant {assistant.name}: {Shift.objects.filter(assistant=assistant).count()} shifts, "
        f"{Case.objects.visible_to(user).count()} cases, "
        f"{Visit.objects.visible_to(user).count()} visits; "
        f"district: {Case.objects.count()} cases, {Visit.objects.count()} visits"
    )

    # Warm up each page, check it, capture its SQL and weigh what a phone downloads.
    found = pages(assistant)
    environs, bares, queries, bare_queries, weights = {}, {}, {}, {}, {}
    over_budget = []
    for label, url in found:
        environs[label] = environ_for(url, cookie)
        for _ in range(2):
            status, html = call(django_app, environs[label])
            if not status.startswith("200"):
                sys.exit(f"{label} {url}: {status} {html[:300]!r}")
        capture = Capture()
        with connection.execute_wrapper(capture):
            call(django_app, environs[label])
        queries[label] = len(capture.statements)
        statements = read_statements(capture.statements)
        bares[label] = bare_app_for(statements, pg)
        bare_queries[label] = len(statements)
        status, _body = call(bares[label], environs[label])
        assert status.startswith("200"), (label, status)
        assets = sorted(set(ASSET.findall(html.decode())))
        raw = len(html) + sum(asset_bytes(path)[0] for path in assets)
        packed = len(gzip.compress(html, 9)) + sum(asset_bytes(path)[1] for path in assets)
        weights[label] = (len(html), raw, packed)
        if raw > BUDGET_BYTES:
            over_budget.append(label)

    # Interleave: every round runs each page through app and bare, the order alternating, so
    # that a burst of noise on the shared machine hits both alike.
    timings = {(variant, label): [] for variant in ("app", "bare") for label, _url in found}
    for round_number in range(args.runs):
        for label, _url in found:
            order = ("app", "bare") if round_number % 2 == 0 else ("bare", "app")
            for variant in order:
                app = django_app if variant == "app" else bares[label]
                for _ in range(args.batch):
                    started = time.perf_counter()
                    status, _body = call(app, environs[label])
                    timings[(variant, label)].append(time.perf_counter() - started)
                    if not status.startswith("200"):
                        sys.exit(f"{variant} {label}: {status}")

    print(f"medians of {args.runs} interleaved rounds of {args.batch} requests each")
    print(
        f"{'page':24} {'ms':>7} {'bare ms':>8} {'app/bare':>8} {'queries':>7} {'bare q':>6} "
        f"{'HTML':>7} {'+assets':>8} {'gzip':>7}"
    )
    for label, _url in found:
        page_ms = statistics.median(timings[("app", label)]) * 1000
        bare_ms = statistics.median(timings[("bare", label)]) * 1000
        html_bytes, raw, packed = weights[label]
        print(
            f"{label:24} {page_ms:>7.1f} {bare_ms:>8.2f} {page_ms / bare_ms:>8.1f} "
            f"{queries[label]:>7} {bare_queries[label]:>6} {html_bytes:>7} {raw:>8} {packed:>7}"
        )
        record(
            f"mobile: {label}",
            median_ms=page_ms,
            queries=queries[label],
            baseline_ms=bare_ms,
            bare_queries=bare_queries[label],
            bytes=raw,
            gzip_bytes=packed,
        )
    print(f"budget: HTML + CSS + JS under {BUDGET_BYTES} bytes per page (before photos)")
    if over_budget:
        sys.exit(f"over budget: {', '.join(over_budget)}")


if __name__ == "__main__":
    main()
