"""Partner API list pages side by side with a bare baseline and the same API written the usual way.

Usage (a database seeded with `seed_demo`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_api100 \
        .venv/bin/python bench/api_bench.py [--runs 9] [--batch 5] [--quick]

For each list endpoint of `/api/v1/` (agreements, assistants, shifts, cases, visits), a page of
50 rows is fetched by four WSGI applications, all called in this process with the same
hand-built environ (`Authorization: Bearer <key>`, `Accept: application/json`), interleaved
(the order rotates every round) and repeated:

- **app**: `django.core.handlers.wsgi.WSGIHandler`, the whole stack: middleware, URL resolver,
  the key's authentication, throttling (DRF's SimpleRateThrottle, one counter per key in
  Redis), the partner API's viewset with its serializer and cursor pagination, its orjson
  renderer;
- **bare**: a minimal WSGI function that runs, through one raw psycopg 3 connection, the very
  statements the app ran for that page (captured once with an execute wrapper) and answers with
  their rows as dicts dumped by orjson: the floor of any implementation of that page;
- **counted**: the bare function after the count the app's throttle makes per request (the
  cache's `add` and `incr` on one counter in Redis): the floor of a page that must also count
  the key's requests in Redis, as the per-key throttle does. A reference beside "bare", not
  instead of it;
- **usual**: a plain `ModelSerializer` (the API serializer's `Meta.fields`) and `ModelViewSet`
  with `select_related`/`prefetch_related`, DRF's default `JSONRenderer` and
  `PageNumberPagination` (page size 50, with its COUNT), as an ordinary developer would write it;
  mounted on `/bench-usual/api/v1/` in a URLconf that exists in this script only, behind the
  same authentication, permission and throttle classes. Its answers carry the same fields and values
  as the app's (checked before timing).

Median latency (ms) and requests per second (one client, back to back) are printed per endpoint
with the ratios app/bare and usual/app and each one's query count. The script creates an API key
for the demo partner and deletes it at the end; the database is left as it was.
"""

import io
import os
import statistics
import sys
import time
from collections import defaultdict

from api_env import demo_partner_key, key_headers, rounds_arguments  # first: starts Django

# isort: split
import orjson
import psycopg
import sidebyside
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from psycopg.rows import dict_row
from report import record
from rest_framework import pagination, renderers, serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView
from sidebyside import Capture, bare_app_for, call, read_statements

import talentoffice.urls
from assistants.models import Assistant, Shift
from cases.models import Case, Visit
from partner_api import serializers as api
from partners.models import Agreement
from talentoffice.access import partner_id_of
from talentoffice.masking import mask_name, mask_phone

PAGE_SIZE = 50
ENDPOINTS = ["agreements", "assistants", "shifts", "cases", "visits"]
# References for the fixed cost of a request, measured in the same rounds.
FLOORS = {
    "Django: empty view": "/bench-floor/django/",
    "DRF: empty view, key auth + throttle": "/bench-floor/drf/",
}
VARIANTS = ["app", "bare", "counted", "usual"]


# ---------------------------------------------------------------------------------------------
# The usual way: what a developer writes from the DRF tutorial, scoped with the same queryset
# method. Bench-only; the app's API is partner_api/.


class UsualPagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE


class UsualViewSet(viewsets.ModelViewSet):
    """DRF's defaults where the app chose otherwise: JSONRenderer, page numbers with a COUNT."""

    pagination_class = UsualPagination
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer]

    @property
    def partner_id(self):
        return partner_id_of(self.request.user)


class UsualAgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = api.AgreementSerializer.Meta.fields


class UsualAgreementViewSet(UsualViewSet):
    serializer_class = UsualAgreementSerializer

    def get_queryset(self):
        return Agreement.objects.visible_to(self.request.user).order_by("-starts_on", "-id")


class UsualAssistantSerializer(serializers.ModelSerializer):
    skills = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Assistant
        fields = api.AssistantSerializer.Meta.fields


class UsualAssistantViewSet(UsualViewSet):
    serializer_class = UsualAssistantSerializer
    filterset_fields = ["specialty", "status"]

    def get_queryset(self):
        return (
            Assistant.objects.visible_to(self.request.user)
            .prefetch_related("skills")
            .order_by("name", "id")
        )


class UsualShiftSerializer(serializers.ModelSerializer):
    service_point_name = serializers.CharField(source="service_point.name", read_only=True)

    class Meta:
        model = Shift
        fields = api.ShiftSerializer.Meta.fields


class UsualShiftViewSet(UsualViewSet):
    serializer_class = UsualShiftSerializer
    filterset_fields = ["status", "specialty", "assistant", "service_point"]

    def get_queryset(self):
        return (
            Shift.objects.visible_to(self.request.user)
            .select_related("service_point")
            .order_by("-starts_at", "-id")
        )


class UsualCaseSerializer(serializers.ModelSerializer):
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    specialty = serializers.CharField(source="service_item.specialty", read_only=True)
    lead = serializers.SerializerMethodField()
    helpers = serializers.SerializerMethodField()
    resident_name = serializers.SerializerMethodField()
    resident_phone = serializers.SerializerMethodField()
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)

    class Meta:
        model = Case
        fields = api.CaseSerializer.Meta.fields

    def get_lead(self, case):
        partner_id = self.context["view"].partner_id
        return case.lead_id if case.lead and case.lead.partner_id == partner_id else None

    def get_helpers(self, case):
        partner_id = self.context["view"].partner_id
        return [h.pk for h in case.helpers.all() if h.partner_id == partner_id]

    def get_resident_name(self, case):
        return mask_name(case.resident.name) if case.resident else None

    def get_resident_phone(self, case):
        return mask_phone(case.resident.phone) if case.resident else None


class UsualCaseViewSet(UsualViewSet):
    serializer_class = UsualCaseSerializer
    filterset_fields = ["state", "priority"]

    def get_queryset(self):
        return (
            Case.objects.visible_to(self.request.user)
            .select_related("service_item", "lead", "resident", "enterprise")
            .prefetch_related("helpers")
            .order_by("-created_at", "-id")
        )


class UsualVisitSerializer(serializers.ModelSerializer):
    resident_name = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = api.VisitSerializer.Meta.fields

    def get_resident_name(self, visit):
        return mask_name(visit.resident.name) if visit.resident else None


class UsualVisitViewSet(UsualViewSet):
    serializer_class = UsualVisitSerializer
    filterset_fields = ["kind", "assistant", "case"]

    def get_queryset(self):
        return (
            Visit.objects.visible_to(self.request.user)
            .select_related("resident")
            .order_by("-occurred_at", "-id")
        )


def django_floor(request):
    """Reference: Django's middleware and URL resolver around a view that does nothing."""
    return HttpResponse(b'{"results":[]}', content_type="application/json")


class DrfFloor(APIView):
    """Reference: the same, plus DRF with the API's key authentication, permission, throttle
    and renderer; no query of its own (the key's lookup is one)."""

    def get(self, request):
        return Response({"results": []})


usual_router = SimpleRouter()
usual_router.register("agreements", UsualAgreementViewSet, basename="usual-agreement")
usual_router.register("assistants", UsualAssistantViewSet, basename="usual-assistant")
usual_router.register("shifts", UsualShiftViewSet, basename="usual-shift")
usual_router.register("cases", UsualCaseViewSet, basename="usual-case")
usual_router.register("visits", UsualVisitViewSet, basename="usual-visit")

# This module is the bench process's URLconf: the usual API first (so the app's own routes pay
# the one extra failed match, not the other way round), then the app's URLs unchanged.
urlpatterns = [
    path("bench-usual/api/v1/", include(usual_router.urls)),
    path("bench-floor/django/", django_floor),
    path("bench-floor/drf/", DrfFloor.as_view()),
    *talentoffice.urls.urlpatterns,
]


# ---------------------------------------------------------------------------------------------
# The three applications and one transport


def environ_for(path_info: str, raw_key: str) -> dict:
    """A GET of the API with the key, asking for JSON in English."""
    return sidebyside.environ_for(path_info, headers=key_headers(raw_key))


# ---------------------------------------------------------------------------------------------
# Measuring


def counted_app(bare_app):
    """The bare replay after one count in Redis, as the app's throttle makes per request."""

    def app(environ, start_response):
        window = 60
        counter = f"throttle:bench:counted:{int(time.time() // window)}"
        # As partner_api.throttling counts: one counter per window, raised by the cache's incr.
        cache.add(counter, 0, timeout=2 * window)
        cache.incr(counter)
        return bare_app(environ, start_response)

    return app


def medians(timings: dict, endpoint: str) -> tuple[dict, dict]:
    """Per variant, for one list: the median in ms and the requests per second (one client,
    back to back: requests over their total time), from `timings[(variant, endpoint)]`."""
    med = {v: statistics.median(timings[(v, endpoint)]) * 1000 for v in VARIANTS}
    rps = {v: len(timings[(v, endpoint)]) / sum(timings[(v, endpoint)]) for v in VARIANTS}
    return med, rps


def record_list(name: str, med: dict, rps: dict, *, queries=None, usual_queries=None, **extra):
    """bench/run's two rows for one list: the app's, with the other variants' medians, and the
    usual way's; `med` and `rps` by variant."""
    record(
        name,
        median_ms=med["app"],
        queries=queries,
        baseline_ms=med["bare"],
        usual_ms=round(med["usual"], 3),
        counted_ms=round(med["counted"], 3),
        requests_per_second=round(rps["app"], 1),
        **extra,
    )
    record(
        f"{name}, the usual way",
        median_ms=med["usual"],
        queries=usual_queries,
        baseline_ms=med["bare"],
    )


def check_same_answer(endpoint, app_body, usual_body):
    """The usual way must carry the same rows and values as the app, or the race is unfair."""
    app_rows = orjson.loads(app_body)["results"]
    usual_rows = orjson.loads(usual_body)["results"]
    if app_rows != usual_rows[: len(app_rows)] or len(usual_rows) != min(len(app_rows), PAGE_SIZE):
        diff = next(
            (
                (a.get("id"), k, a.get(k), u.get(k))
                for a, u in zip(app_rows, usual_rows, strict=False)
                for k in a
                if a.get(k) != u.get(k)
            ),
            None,
        )
        sys.exit(f"{endpoint}: the usual way's answer differs from the app's (first: {diff})")


def main():
    args = rounds_arguments(__doc__.splitlines()[0], runs=9, batch=5, quick=(3, 2))
    # Keep one connection across requests, as production does (DB_CONN_MAX_AGE).
    connection.settings_dict["CONN_MAX_AGE"] = None
    # This process's URLconf is this module (the usual API beside the app's).
    settings.ROOT_URLCONF = __name__

    dsn = connection.get_connection_params()
    with demo_partner_key("api_bench") as (partner, raw_key):
        pg = psycopg.connect(
            **{k: v for k, v in dsn.items() if k not in ("cursor_factory", "context")},
            autocommit=True,  # as Django runs: each statement its own transaction
            cursor_factory=psycopg.ClientCursor,  # as Django binds: parameters on the client
            row_factory=dict_row,
        )
        try:
            run(args, partner, raw_key, pg)
        finally:
            pg.close()


def run(args, partner, raw_key, pg):
    django_app = WSGIHandler()
    paths = {
        "app": {e: f"/api/v1/{e}/" for e in ENDPOINTS},
        "usual": {e: f"/bench-usual/api/v1/{e}/" for e in ENDPOINTS},
    }
    environs = {
        variant: {e: environ_for(paths[variant][e], raw_key) for e in ENDPOINTS}
        for variant in paths
    }
    environs["bare"] = environs["counted"] = environs["app"]

    # Warm up (URLs, translations, connections) and check every answer; capture the SQL.
    apps, queries, rows = {}, {}, {}
    for endpoint in ENDPOINTS:
        bodies = {}
        for variant in ("app", "usual"):
            environ = environs[variant][endpoint]
            for _ in range(3):
                status, body = call(django_app, dict(environ, **{"wsgi.input": io.BytesIO()}))
                if not status.startswith("200"):
                    sys.exit(f"{variant} {endpoint}: {status} {body[:300]!r}")
            capture = Capture()
            with connection.execute_wrapper(capture):
                status, bodies[variant] = call(django_app, dict(environ))
            queries[(variant, endpoint)] = len(capture.statements)
            if variant == "app":
                statements = read_statements(capture.statements)
                apps[endpoint] = bare_app_for(statements, pg)
                queries[("bare", endpoint)] = len(statements)
        check_same_answer(endpoint, bodies["app"], bodies["usual"])
        rows[endpoint] = len(orjson.loads(bodies["app"])["results"])
        status, _body = call(apps[endpoint], environs["bare"][endpoint])
        assert status.startswith("200")
        queries[("counted", endpoint)] = queries[("bare", endpoint)]

    # The bare replays again, each after the throttle's count (on a key of their own, which
    # expires with its minute).
    counted = {endpoint: counted_app(apps[endpoint]) for endpoint in ENDPOINTS}
    replays = {"bare": apps, "counted": counted}

    floors = {name: environ_for(path_info, raw_key) for name, path_info in FLOORS.items()}
    for name, environ in floors.items():
        capture = Capture()
        with connection.execute_wrapper(capture):
            for _ in range(3):
                status, body = call(django_app, dict(environ, **{"wsgi.input": io.BytesIO()}))
                if not status.startswith("200"):
                    sys.exit(f"{name}: {status} {body[:300]!r}")
        queries[name] = len(capture.statements) // 3

    timings = defaultdict(list)
    cpu = defaultdict(list)

    def measure(key, app, environ):
        for _ in range(args.batch):
            request = dict(environ, **{"wsgi.input": io.BytesIO()})
            started, cpu_started = time.perf_counter(), time.process_time()
            status, _body = call(app, request)
            timings[key].append(time.perf_counter() - started)
            cpu[key].append(time.process_time() - cpu_started)
            if not status.startswith("200"):
                sys.exit(f"{key}: {status}")

    for round_number in range(args.runs):
        for endpoint in ENDPOINTS:
            # Rotate who goes first, so that no variant always follows the same one.
            turn = round_number % len(VARIANTS)
            for variant in VARIANTS[turn:] + VARIANTS[:turn]:
                app = replays[variant][endpoint] if variant in replays else django_app
                measure((variant, endpoint), app, environs[variant][endpoint])
        for name, environ in floors.items():
            measure(name, django_app, environ)

    counts = {
        "agreements": Agreement.objects.filter(partner=partner).count(),
        "assistants": Assistant.objects.filter(partner=partner).count(),
        "shifts": Shift.objects.filter(assistant__partner=partner).count(),
        "cases": None,  # led or helped: the app's own scoping, counted below
        "visits": Visit.objects.filter(assistant__partner=partner).count(),
    }
    counts["cases"] = (
        Case.objects.filter(lead__partner=partner)
        .union(Case.objects.filter(helpers__partner=partner))
        .count()
    )
    print(
        f"database {connection.settings_dict['NAME']}, partner {partner.short_name}; "
        f"{args.runs} rounds x {args.batch} requests per variant "
        f"and endpoint; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| endpoint | rows (page) | app ms | app req/s | bare ms | bare req/s | usual ms "
        "| usual req/s | app/bare | usual/app | queries app/bare/usual "
        "| CPU ms app/bare/usual | counted ms | app/counted |"
    )
    print("|---" * 14 + "|")
    for endpoint in ENDPOINTS:
        med, rps = medians(timings, endpoint)
        cpu_ms = {v: statistics.median(cpu[(v, endpoint)]) * 1000 for v in VARIANTS}
        q = {v: queries[(v, endpoint)] for v in VARIANTS}
        print(
            f"| {endpoint} | {counts[endpoint]:,} ({rows[endpoint]}) "
            f"| {med['app']:.1f} | {rps['app']:.0f} | {med['bare']:.1f} | {rps['bare']:.0f} "
            f"| {med['usual']:.1f} | {rps['usual']:.0f} "
            f"| {med['app'] / med['bare']:.1f} | {med['usual'] / med['app']:.2f} "
            f"| {q['app']}/{q['bare']}/{q['usual']} "
            f"| {cpu_ms['app']:.1f}/{cpu_ms['bare']:.1f}/{cpu_ms['usual']:.1f} "
            f"| {med['counted']:.1f} | {med['app'] / med['counted']:.2f} |"
        )
        record_list(
            f"api: {endpoint}",
            med,
            rps,
            queries=q["app"],
            usual_queries=q["usual"],
            cpu_ms=round(cpu_ms["app"], 3),
        )
    print()
    print("| fixed cost of a request (no rows) | ms | req/s | queries | CPU ms |")
    print("|---|---|---|---|---|")
    for name in FLOORS:
        med = statistics.median(timings[name]) * 1000
        print(
            f"| {name} | {med:.1f} | {len(timings[name]) / sum(timings[name]):.0f} "
            f"| {queries[name]} | {statistics.median(cpu[name]) * 1000:.1f} |"
        )
        record(f"api: {name}", median_ms=med, queries=queries[name])


if __name__ == "__main__":
    main()
