"""A page through Django side by side with a bare WSGI replay of the SQL it ran.

The method of bench/mobile_bench.py, shared by the scripts that time staff pages:

    from sidebyside import SideBySide   # bench/ is the script's own folder, so this import works

    with SideBySide(user) as bench:                  # signs `user` in, opens a raw connection
        pages = [bench.page("cases", "/admin/cases/case/")]
        for page, app_s, bare_s in bench.interleave(pages, runs=9, batch=3):
            ...

Two WSGI applications answer each page, called in this process with the same hand-built
environ (the user's session cookie):

- **app**: `django.core.handlers.wsgi.WSGIHandler`, the whole stack: middleware, session and
  login, the view, its template;
- **bare**: a minimal WSGI function that runs, through one raw psycopg 3 connection, the reads
  the app ran for that page (captured once with an execute wrapper, the session's read
  included) and answers with their rows as dicts dumped by orjson: the floor of any
  implementation of that page.

They are interleaved (every round runs each page through both, the order alternating) so that
a burst of noise on the shared machine hits both alike; the medians are taken over all rounds.
The calling script sets DEBUG=false before `django.setup()`, as production runs.
"""

import io
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
import psycopg
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from psycopg.rows import dict_row

# What a statement starts with when it only reads: a union starts with "(" on PostgreSQL, and
# the admin's big lists page on the planner's estimate (EXPLAIN without ANALYZE runs nothing).
READS = ("SELECT", "WITH", "(", "EXPLAIN (FORMAT JSON)")


class Capture:
    """Execute wrapper that keeps every statement (SQL and parameters) run through Django."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def environ_for(url: str, cookie: str = "", headers: dict[str, str] | None = None) -> dict:
    """A GET as a WSGI server would hand it over, with the session cookie and extra headers."""
    path_info, _, query = url.partition("?")
    headers = dict(headers or {}) | ({"Cookie": cookie} if cookie else {})
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    } | {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def call(app, environ: dict) -> tuple[str, bytes]:
    """One request through a WSGI application; the status line and the whole body."""
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"] = status
        return lambda data: None

    result = app(dict(environ, **{"wsgi.input": io.BytesIO(b"")}), start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()  # Django's request_finished: connection bookkeeping, as in a server
    return started["status"], body


def read_statements(statements):
    """The statements the bare baseline replays: the app's reads of the page.

    Writes (a snapshot the live dashboard stores, savepoints around it) are left out: the
    baseline is the floor of reading the page's rows.
    """
    return [(sql, p) for sql, p in statements if sql.lstrip().upper().startswith(READS)]


def bare_app_for(statements, pg):
    """A WSGI function that runs `statements` on the raw connection and answers with orjson."""

    def app(environ, start_response):
        results = []
        with pg.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
        body = orjson.dumps({"results": results}, default=str)
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


@dataclass
class Page:
    """One page to time: its environ, the bare replay of its reads, and both query counts."""

    label: str
    url: str
    environ: dict
    bare: Callable
    queries: int
    bare_queries: int


class SideBySide:
    """The signed-in user's pages through Django and through their bare replay, interleaved."""

    def __init__(self, user, *, headers: dict[str, str] | None = None):
        """`user` is signed in by a session cookie; None sends no cookie (an API key in
        `headers` says who is calling)."""
        # Keep one connection across requests, as production does (DB_CONN_MAX_AGE).
        connection.settings_dict["CONN_MAX_AGE"] = None
        self.cookie = ""
        if user is not None:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)  # writes the session; the requests below only read it
            name = settings.SESSION_COOKIE_NAME
            self.cookie = f"{name}={client.cookies[name].value}"
        self.headers = headers or {}
        self.app = WSGIHandler()
        params = connection.get_connection_params()
        self.pg = psycopg.connect(
            **{k: v for k, v in params.items() if k not in ("cursor_factory", "context")},
            autocommit=True,  # as Django runs: each statement its own transaction
            cursor_factory=psycopg.ClientCursor,  # as Django binds: parameters on the client
            row_factory=dict_row,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.pg.close()

    def get(self, url: str) -> tuple[str, bytes]:
        """One request through the app, outside any timing (warming up, checking)."""
        return call(self.app, environ_for(url, self.cookie, self.headers))

    def page(self, label: str, url: str, *, warmups: int = 2) -> Page:
        """Warm the page up, check it answers 200, capture its SQL and build its bare replay."""
        environ = environ_for(url, self.cookie, self.headers)
        for _ in range(warmups):
            status, body = call(self.app, environ)
            if not status.startswith("200"):
                sys.exit(f"{label} {url}: {status} {body[:300]!r}")
        capture = Capture()
        with connection.execute_wrapper(capture):
            status, body = call(self.app, environ)
        if not status.startswith("200"):
            sys.exit(f"{label} {url}: {status} {body[:300]!r}")
        reads = read_statements(capture.statements)
        bare = bare_app_for(reads, self.pg)
        status, _body = call(bare, environ)
        assert status.startswith("200"), (label, status)
        return Page(label, url, environ, bare, len(capture.statements), len(reads))

    def interleave(self, pages: list[Page], *, runs: int, batch: int = 1):
        """Median seconds of app and bare per page: `runs` rounds of `batch` requests each."""
        timings = {(variant, page.label): [] for variant in ("app", "bare") for page in pages}
        for round_number in range(runs):
            for page in pages:
                order = ("app", "bare") if round_number % 2 == 0 else ("bare", "app")
                for variant in order:
                    app = self.app if variant == "app" else page.bare
                    for _ in range(batch):
                        started = time.perf_counter()
                        status, _body = call(app, page.environ)
                        timings[(variant, page.label)].append(time.perf_counter() - started)
                        if not status.startswith("200"):
                            sys.exit(f"{variant} {page.label}: {status}")
        return [
            (
                page,
                statistics.median(timings[("app", page.label)]),
                statistics.median(timings[("bare", page.label)]),
            )
            for page in pages
        ]
