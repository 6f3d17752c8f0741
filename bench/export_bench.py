"""The admin's export of all cases, as CSV and as xlsx: time, peak memory and queries by size.

By hand, in a throwaway database (the script adds cases to it):

    createdb -h 127.0.0.1 -U postgres talentoffice_bench_export
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_export
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/export_bench.py --grow-to 300000 [--rows 3000,300000]

It seeds the demo district at scale 1 when the database has no case (3,000 cases), then, with
--grow-to, copies its cases with `bulk_create` (helpers included) until there are that many.
Each measurement runs in a child process: the child calls the case admin's export view with a
`RequestFactory` request (no middleware) of a superuser posting the export form (every column,
CSV or xlsx) for the first N cases by id (`?id__lte=`), reads the whole streamed response, and
prints the rows, the seconds, its peak RSS (`ru_maxrss`), the bytes written and the queries run.
A child that only starts Django gives the floor.

Under `bench/run` (BENCH_SCALE set) it never adds rows: it exports the whole table of the bench
database as seeded (3,000 cases at scale 1, 300,000 at scale 100).
"""

import argparse
import io
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

from django.db import connection  # noqa: E402
from report import record  # noqa: E402  (bench/ is this script's folder)

FORMATS = {"xlsx": "0", "csv": "1"}  # the admin offers XLSX first, then CSV
BATCH = 5000


def superuser():
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(
        username="bench-export", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def export_child(rows: int, file_format: str) -> None:
    """Run in the child: export the first `rows` cases through the admin and report."""
    from django.contrib import admin
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from cases.models import Case

    last = Case.objects.order_by("pk").values_list("pk", flat=True)[rows - 1]
    model_admin = admin.site.get_model_admin(Case)
    user = superuser()
    probe = RequestFactory().get("/")
    probe.user = user
    resource_class = model_admin.get_export_resource_classes(probe)[0]
    prefix = resource_class.__name__.lower()
    data = {
        "format": FORMATS[file_format],
        "resource": "0",
        **{f"{prefix}_{name}": "on" for name in resource_class().get_export_order()},
    }
    request = RequestFactory().post(f"/admin/cases/case/export/?id__lte={last}", data)
    request.user = user
    request.session = SessionStore()
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        response = model_admin.export_action(request)
        size = sum(len(block) for block in response.streaming_content)
        response.close()
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{rows} {elapsed:.3f} {peak_kib} {size} {len(statements)}")


def idle_child() -> None:
    from django.contrib import admin  # noqa: F401 - the same imports as the export, nothing read

    from cases.models import Case  # noqa: F401

    superuser()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child(*args) -> str:
    return subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout.split()


def ensure_cases(grow_to: int) -> int:
    """Seed the demo district if there is no case, then copy cases until there are `grow_to`."""
    from django.core.management import call_command

    from cases.models import Case

    if not Case.objects.exists():
        call_command("seed_demo", "--seed", "1", "--scale", "1", stdout=io.StringIO())
    have = Case.objects.count()
    if grow_to <= have:
        return have
    helper_through = Case.helpers.through
    templates = list(Case.objects.order_by("pk").prefetch_related("helpers")[:3000])
    skip = {"id", "number"}
    started = time.perf_counter()
    made = 0
    while have + made < grow_to:
        batch = []
        for index in range(min(BATCH, grow_to - have - made)):
            template = templates[(made + index) % len(templates)]
            copy = Case(
                **{
                    field.attname: getattr(template, field.attname)
                    for field in Case._meta.concrete_fields
                    if field.name not in skip
                }
            )
            copy.number = f"BX{have + made + index:010d}"
            batch.append((copy, template))
        Case.objects.bulk_create([copy for copy, _template in batch])
        helper_through.objects.bulk_create(
            helper_through(case_id=copy.pk, assistant_id=helper.pk)
            for copy, template in batch
            for helper in template.helpers.all()
        )
        made += len(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"copied {made} cases in {time.perf_counter() - started:.0f} s", flush=True)
    return have + made


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="3000,300000", help="row counts, comma-separated")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--grow-to", type=int, default=0, help="copy cases up to this many")
    parser.add_argument("--child", nargs=2, metavar=("ROWS", "FORMAT"))
    parser.add_argument("--idle", action="store_true")
    args = parser.parse_args()
    if args.child:
        export_child(int(args.child[0]), args.child[1])
        return
    if args.idle:
        idle_child()
        return

    from cases.models import Case

    if os.environ.get("BENCH_SCALE"):
        # A shared bench database: measure what it holds, add nothing.
        wanted = [Case.objects.count()]
    else:
        total = ensure_cases(args.grow_to)
        wanted = [int(n) for n in args.rows.split(",") if int(n) <= total]
    floor = int(child("--idle")[0])
    print(f"idle child: peak RSS {floor / 1024:.1f} MiB")
    print("format     rows   seconds   peak RSS MiB   file MiB   queries")
    for file_format in args.formats.split(","):
        for rows in wanted:
            done, seconds, peak_kib, size, queries = child("--child", str(rows), file_format)
            print(
                f"{file_format:6} {int(done):8,} {float(seconds):9.2f} "
                f"{int(peak_kib) / 1024:14.1f} {int(size) / 2**20:10.1f} {int(queries):9}"
            )
            record(
                f"admin export of cases, {file_format}",
                median_ms=float(seconds) * 1000,
                queries=int(queries),
                rows=int(done),
                peak_rss_mib=round(int(peak_kib) / 1024, 1),
            )


if __name__ == "__main__":
    main()
