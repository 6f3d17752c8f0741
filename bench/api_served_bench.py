"""The partner API's list pages served over HTTP by gunicorn, beside the bare and usual apps.

Usage (a database seeded with `seed_demo`, see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentoffice_bench_s1 \
        .venv/bin/python bench/api_served_bench.py [--runs 9] [--batch 5] [--quick]

`api_bench.py` calls its WSGI applications in its own process: the strictest comparison, as
no server stands around any of them. A partner meets them served, "in a bare WSGI app" and
in requests per second; this script serves the same four applications of
`api_bench.py` (app, bare, counted, usual; see there), with its settings (`api_env.py`), from one
gunicorn worker of the kind deploy/gunicorn.conf.py runs by default (sync, one thread, one
connection per request), and times them from a client on 127.0.0.1:

- one gunicorn worker serves all four, routed by path: `/api/v1/<list>/` (the app),
  `/bench-usual/api/v1/<list>/` (the usual way), `/bench-bare/<list>/` and
  `/bench-counted/<list>/` (the replays of the SQL the app ran for that page, captured in the
  worker when it starts);
- the client opens a TCP connection, sends the partner's request (key, JSON, English), reads
  the answer up to its Content-Length, and times that: a partner's request, with nothing of
  its own in the way (no TLS, no proxy);
- the variants are interleaved, the order rotating every round, as in `api_bench.py`.

The client and the worker are two processes on the same two cores as PostgreSQL and Redis.
Median latency (ms) and requests per second (one client, back to back: requests over their
total time) are printed per list, with the ratios app/bare and usual/app. The usual way counts
its requests with the same throttle class, in its own round trip to Redis after the key's
lookup, as DRF calls a throttle; the app sends its count before the lookup.
"""

import os
import socket
import subprocess
import sys
import time
from collections import defaultdict

from api_env import demo_partner_key, key_headers, rounds_arguments  # first: starts Django

# isort: split
import api_bench
import orjson
from api_bench import ENDPOINTS, VARIANTS
from django.conf import settings
from django.db import connection
from sidebyside import SideBySide

PATHS = {
    "app": "/api/v1/{}/",
    "bare": "/bench-bare/{}/",
    "counted": "/bench-counted/{}/",
    "usual": "/bench-usual/api/v1/{}/",
}


# ---------------------------------------------------------------------------------------------
# The server: one gunicorn worker serving the four applications


def served_application(raw_key: str):
    """The WSGI application the worker serves: Django (app and usual) and the two replays."""
    settings.ROOT_URLCONF = "api_bench"  # the usual API beside the app's
    # Warms each list up, captures its SQL and builds its bare replay, as the other benches do.
    bench = SideBySide(None, headers=key_headers(raw_key))
    replays = {}
    for endpoint in ENDPOINTS:
        bare = bench.page(endpoint, PATHS["app"].format(endpoint), warmups=3).bare
        replays[PATHS["bare"].format(endpoint)] = bare
        replays[PATHS["counted"].format(endpoint)] = api_bench.counted_app(bare)

    def application(environ, start_response):
        replay = replays.get(environ["PATH_INFO"])
        if replay is not None:
            return replay(environ, start_response)
        return bench.app(environ, start_response)

    return application


def serve(port: int, raw_key: str) -> None:
    """Run gunicorn in this process, as deploy/gunicorn.conf.py does by default, on one worker."""
    from gunicorn.app.base import BaseApplication

    class Served(BaseApplication):
        def load_config(self):
            for name, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": 1,
                "threads": 1,  # the sync worker, deploy/gunicorn.conf.py's default
                "timeout": 120,
                "max_requests": 0,  # not recycled during the run
                "loglevel": "warning",
                "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
            }.items():
                self.cfg.set(name, value)

        def load(self):
            return served_application(raw_key)

    Served().run()


# ---------------------------------------------------------------------------------------------
# The client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request_bytes(path: str, raw_key: str) -> bytes:
    headers = {"Host": "127.0.0.1", **key_headers(raw_key), "Connection": "close"}
    lines = [f"GET {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def fetch(port: int, request: bytes) -> tuple[bytes, bytes]:
    """One request on a new connection: (status line, body), returned once the body is in.

    Read up to Content-Length, not to the connection's end: gunicorn's sync worker closes the
    connection only after Django's end-of-request work (request_finished), which the client
    does not wait for, and which the bare replay does not have.
    """
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request)
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
        head, _, body = response.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in lines
                if line.lower().startswith(b"content-length:")
            ),
            None,
        )
        while length is None or len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return lines[0], body


def wait_until_serving(port: int, request: bytes, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped with status {server.returncode}")
        try:
            status, _body = fetch(port, request)
        except OSError:
            time.sleep(0.2)
            continue
        if b" 200 " in status:
            return
        sys.exit(f"the served bare replay answered {status!r}")
    sys.exit("gunicorn did not serve within two minutes")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), os.environ["BENCH_RAW_KEY"])
        return
    args = rounds_arguments(__doc__.splitlines()[0], runs=9, batch=5, quick=(3, 2))
    with demo_partner_key("api_served_bench") as (partner, raw_key):
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port)],
            # The worker's throttle counts every request but refuses none, as in api_bench.py.
            env=os.environ
            | {"BENCH_RAW_KEY": raw_key, "PARTNER_API_RATE": settings.PARTNER_API_RATE},
            start_new_session=True,
        )
        try:
            requests = {
                (variant, endpoint): request_bytes(PATHS[variant].format(endpoint), raw_key)
                for variant in VARIANTS
                for endpoint in ENDPOINTS
            }
            wait_until_serving(port, requests[("bare", ENDPOINTS[-1])], server)
            run(args, partner, port, requests)
        finally:
            server.terminate()
            server.wait(timeout=60)


def run(args, partner, port, requests):
    rows = {}
    for endpoint in ENDPOINTS:
        bodies = {}
        for variant in VARIANTS:
            for _ in range(3):
                status, bodies[variant] = fetch(port, requests[(variant, endpoint)])
                if b" 200 " not in status:
                    sys.exit(f"{variant} {endpoint}: {status!r} {bodies[variant][:300]!r}")
        api_bench.check_same_answer(endpoint, bodies["app"], bodies["usual"])
        rows[endpoint] = len(orjson.loads(bodies["app"])["results"])

    timings = defaultdict(list)
    for round_number in range(args.runs):
        for endpoint in ENDPOINTS:
            turn = round_number % len(VARIANTS)
            for variant in VARIANTS[turn:] + VARIANTS[:turn]:
                request = requests[(variant, endpoint)]
                for _ in range(args.batch):
                    started = time.perf_counter()
                    status, _body = fetch(port, request)
                    timings[(variant, endpoint)].append(time.perf_counter() - started)
                    if b" 200 " not in status:
                        sys.exit(f"{variant} {endpoint}: {status!r}")

    print(
        f"database {connection.settings_dict['NAME']}, partner {partner.short_name}; served by "
        f"one gunicorn sync worker on 127.0.0.1, a new connection per request; "
        f"{args.runs} rounds x {args.batch} requests per variant and list; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| list | rows (page) | app ms | app req/s | bare ms | bare req/s | usual ms "
        "| usual req/s | app/bare | usual/app | counted ms | app/counted |"
    )
    print("|---" * 12 + "|")
    for endpoint in ENDPOINTS:
        med, rps = api_bench.medians(timings, endpoint)
        print(
            f"| {endpoint} | {rows[endpoint]} | {med['app']:.2f} | {rps['app']:.0f} "
            f"| {med['bare']:.2f} | {rps['bare']:.0f} | {med['usual']:.2f} | {rps['usual']:.0f} "
            f"| {med['app'] / med['bare']:.2f} | {med['usual'] / med['app']:.2f} "
            f"| {med['counted']:.2f} | {med['app'] / med['counted']:.2f} |"
        )
        api_bench.record_list(f"api served: {endpoint}", med, rps)


if __name__ == "__main__":
    main()
