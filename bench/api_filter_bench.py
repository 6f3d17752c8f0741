"""Partner API lists as a partner's system asks for them: filtered, reordered, a later page.

Usage (a database seeded with `seed_demo`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_s100 \\
        .venv/bin/python bench/api_filter_bench.py [--runs 7] [--batch 3]

`api_bench.py` races the first, unfiltered page of each list. A partner's system also asks for
one state, one assistant, one week, another order, and walks the pages. Each such request here
is answered by the app (the whole stack, the demo partner's API key) and by a bare replay of the
SQL it ran (`sidebyside.py`), interleaved and repeated. What to look for: the same number of
queries at scale 1 and 100, and no request far slower at scale 100 than at scale 1 (none walks
or sorts the district's whole table to answer). The script creates an API key for the demo
partner and deletes it at the end.
"""

import os
from datetime import timedelta
from urllib.parse import urlsplit

from api_env import demo_partner_key, rounds_arguments  # first: starts Django

# isort: split
import orjson
from django.db import connection
from django.utils import timezone
from report import record
from sidebyside import SideBySide

from assistants.models import Assistant, Dispatch
from cases.models import Visit


def requests_for(partner, bench) -> list[tuple[str, str]]:
    """(label, URL) of each request, with values taken from the partner's own rows."""
    assistant = Assistant.objects.filter(partner=partner).order_by("id").first()
    point_id = (
        Dispatch.objects.filter(assistant__partner=partner)
        .order_by("service_point_id")
        .values_list("service_point_id", flat=True)
        .first()
    )
    case_id = (
        Visit.objects.filter(assistant=assistant, case__isnull=False)
        .order_by("-id")
        .values_list("case_id", flat=True)[0]
    )
    today = timezone.localdate()
    month_ago = (today - timedelta(days=30)).isoformat()
    week = f"{today - timedelta(days=3)}&date_before={today + timedelta(days=3)}"
    requests = [
        ("assistants ?status=active", "/api/v1/assistants/?status=active"),
        ("assistants ?service_point_id", f"/api/v1/assistants/?service_point_id={point_id}"),
        ("assistants ?ordering=-created_at", "/api/v1/assistants/?ordering=-created_at"),
        ("shifts ?date (a week)", f"/api/v1/shifts/?date_after={week}"),
        ("shifts ?status=missed", "/api/v1/shifts/?status=missed"),
        ("shifts ?assistant_id", f"/api/v1/shifts/?assistant_id={assistant.pk}"),
        ("shifts ?service_point_id", f"/api/v1/shifts/?service_point_id={point_id}"),
        ("cases ?state=in_progress", "/api/v1/cases/?state=in_progress"),
        ("cases ?state=closed", "/api/v1/cases/?state=closed"),
        ("cases ?assistant_id", f"/api/v1/cases/?assistant_id={assistant.pk}"),
        ("cases ?created_after (30 days)", f"/api/v1/cases/?created_after={month_ago}"),
        (
            "cases ?created (a month of none)",
            "/api/v1/cases/?created_after=2001-01-01&created_before=2001-01-31",
        ),
        ("cases ?ordering=target_date", "/api/v1/cases/?ordering=target_date"),
        ("visits ?kind=return_visit", "/api/v1/visits/?kind=return_visit"),
        ("visits ?case_id", f"/api/v1/visits/?case_id={case_id}"),
        ("visits ?occurred_after (30 days)", f"/api/v1/visits/?occurred_after={month_ago}"),
    ]
    # The second page of the two biggest lists, by the cursor the first page links to.
    for route in ("shifts", "cases"):
        _status, body = bench.get(f"/api/v1/{route}/")
        link = urlsplit(orjson.loads(body)["next"])
        requests.append((f"{route}, page 2 (cursor)", f"{link.path}?{link.query}"))
    return requests


def main():
    args = rounds_arguments(__doc__.splitlines()[0], runs=7, batch=3, quick=(2, 1))
    with demo_partner_key("api_filter_bench") as (partner, raw_key):
        headers = {"Accept": "application/json", "Authorization": f"Bearer {raw_key}"}
        with SideBySide(None, headers=headers) as bench:
            pages = [bench.page(label, url) for label, url in requests_for(partner, bench)]
            rows = {
                page.label: len(orjson.loads(bench.get(page.url)[1])["results"]) for page in pages
            }
            results = bench.interleave(pages, runs=args.runs, batch=args.batch)

    print(
        f"database {connection.settings_dict['NAME']}, partner {partner.short_name}; "
        f"{args.runs} rounds x {args.batch}; load average {os.getloadavg()[0]:.1f}"
    )
    print("| request | rows | app ms | bare ms | app/bare | queries app/bare |")
    print("|---|---|---|---|---|---|")
    for page, app_s, bare_s in results:
        print(
            f"| {page.label} | {rows[page.label]} | {app_s * 1000:.1f} | {bare_s * 1000:.1f} "
            f"| {app_s / bare_s:.1f} | {page.queries}/{page.bare_queries} |"
        )
        record(
            f"api filter: {page.label}",
            median_ms=app_s * 1000,
            queries=page.queries,
            baseline_ms=bare_s * 1000,
        )


if __name__ == "__main__":
    main()
