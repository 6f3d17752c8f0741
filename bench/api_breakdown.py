"""Where one partner API request spends its time: each middleware, DRF's steps, the statements.

Usage (a database seeded with `seed_demo`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_s1 \
        .venv/bin/python bench/api_breakdown.py [/api/v1/shifts/ ...] [--requests 3000]

Not a benchmark of its own (`bench/run` does not pick it up): it explains `api_bench.py`'s
ratios. The same request is made back to back through Django's `WSGIHandler`, with a timer
around each middleware and around the steps of the API's list action, and the median of each
is printed. A step's time includes the steps inside it; a middleware's "own" time is its time
less the next one's. The timers add about a microsecond each, so the whole request reads a
little slower than in `api_bench.py`.
"""

import argparse
import statistics
import sys
import time
import types
from collections import defaultdict
from functools import wraps

from api_env import demo_partner_key, key_headers  # first: starts Django

# isort: split
import sidebyside
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.utils.module_loading import import_string
from rest_framework import generics, pagination, response, views

from partners.api import authentication, listing, throttling
from talentoffice import statements

timings = defaultdict(list)


def time_method(owner, name: str, label: str) -> None:
    """Time every call of `owner.name` under `label`."""
    original = getattr(owner, name)

    @wraps(original)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            timings[label].append(time.perf_counter() - started)

    setattr(owner, name, timed)


def time_statements() -> None:
    """The compiled statements' round trips, the key's lookup apart from the page's."""
    original = statements.CompiledStatement.rows

    def rows(self, connection, params=None):
        started = time.perf_counter()
        try:
            return original(self, connection, params)
        finally:
            kind = "the key's lookup" if "partners_apikey" in self.sql else "the page's rows"
            timings[f"SQL: {kind}"].append(time.perf_counter() - started)

    statements.CompiledStatement.rows = rows


def timed_middleware() -> list[str]:
    """settings.MIDDLEWARE with each one wrapped in a timer; returns the original paths."""
    paths = list(settings.MIDDLEWARE)
    module = types.ModuleType("bench_timed_middleware")
    sys.modules[module.__name__] = module

    def factory_for(path):
        middleware_class = import_string(path)

        def factory(get_response):
            middleware = middleware_class(get_response)

            def timed(request):
                started = time.perf_counter()
                try:
                    return middleware(request)
                finally:
                    timings[path].append(time.perf_counter() - started)

            return timed

        return factory

    for position, path in enumerate(paths):
        setattr(module, f"m{position}", factory_for(path))
    settings.MIDDLEWARE = [f"{module.__name__}.m{position}" for position in range(len(paths))]
    return paths


STEPS = [
    (views.APIView, "dispatch", "DRF dispatch"),
    (views.APIView, "initial", "DRF initial (negotiation, authentication, permission, throttle)"),
    (throttling.CountedAhead, "start", "count sent to Redis (before the key's lookup)"),
    (authentication.ApiKeyAuthentication, "authenticate", "key authentication"),
    (throttling.ApiKeyRateThrottle, "allow_request", "throttle (reads the count sent ahead)"),
    (views.APIView, "perform_content_negotiation", "content negotiation"),
    (generics.GenericAPIView, "paginate_queryset", "pagination (with the page's rows)"),
    (listing.ListShape, "items", "rows shaped into items"),
    (generics.GenericAPIView, "get_paginated_response", "paginated response (next link)"),
    (views.APIView, "finalize_response", "DRF finalize_response"),
    (pagination.CursorPagination, "encode_cursor", "cursor encoded"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["/api/v1/shifts/"])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    connection.settings_dict["CONN_MAX_AGE"] = None

    middleware = timed_middleware()
    for owner, name, label in STEPS:
        time_method(owner, name, label)
    time_statements()
    rendered = response.Response.rendered_content

    def rendered_content(self):
        started = time.perf_counter()
        try:
            return rendered.fget(self)
        finally:
            timings["rendered (orjson)"].append(time.perf_counter() - started)

    response.Response.rendered_content = property(rendered_content)

    app = WSGIHandler()
    with demo_partner_key("api_breakdown") as (partner, raw_key):
        for path in args.paths:
            environ = sidebyside.environ_for(path, headers=key_headers(raw_key))
            for _ in range(100):
                status, body = sidebyside.call(app, environ)
                assert status.startswith("200"), (status, body[:300])
            timings.clear()
            for _ in range(args.requests):
                started = time.perf_counter()
                sidebyside.call(app, environ)
                timings["the whole request"].append(time.perf_counter() - started)
            report(path, partner, middleware, args.requests)


def report(path, partner, middleware, requests):
    median = {label: statistics.median(values) * 1000 for label, values in timings.items()}
    print(f"{path} for {partner.short_name}, {requests} requests, median ms")
    print("| step | ms | per request |")
    print("|---|---|---|")
    print(f"| the whole request | {median['the whole request']:.3f} | 1 |")
    for position, path_of_middleware in enumerate(middleware):
        inner = median[middleware[position + 1]] if position + 1 < len(middleware) else None
        own = "" if inner is None else f", own {median[path_of_middleware] - inner:.3f}"
        name = path_of_middleware.rsplit(".", 1)[1]
        print(f"| {name} | {median[path_of_middleware]:.3f}{own} | 1 |")
    for label in [label for *_, label in STEPS] + [
        "SQL: the key's lookup",
        "SQL: the page's rows",
        "rendered (orjson)",
    ]:
        if label in median:
            calls = len(timings[label]) / requests
            print(f"| {label} | {median[label]:.3f} | {calls:g} |")
    print()


if __name__ == "__main__":
    main()
