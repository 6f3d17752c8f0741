"""Fixtures that run TalentOffice as production runs it: gunicorn, Celery workers and one beat as
real processes with DJANGO_ENV=production, and private PostgreSQL and Redis servers that the
fault tests may stop and start (the machine's shared ones are never touched).

The processes are stopped as systemd would stop them: SIGTERM to the main process, a wait, then
SIGKILL to the whole process group if anything is left, and the test fails on any survivor.
"""

import base64
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import redis
import requests

from tests.integration.conftest import (  # noqa: F401  (fixtures used by these tests)
    PROJECT_ROOT,
    database_url_of_test_database,
    redis_broker,
    wait_for,
)

INHERITED = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV")
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: float(p.parent.name))
SECRET_KEY = "production-smoke-test-key-" + "x" * 30
HEALTH_TOKEN = "production-smoke-test-health-token"
PERSONAL_DATA_KEY = base64.urlsafe_b64encode(b"production-smoke-test-fernet-key").decode()


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> bool:
    """Whether something accepts connections on the port before the timeout."""

    def listening():
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    return bool(wait_for(listening, timeout=timeout, interval=0.1))


def production_env(*, database_url: str, broker_url: str, static_root: Path, **extra) -> dict:
    """The environment of a production process: the variables README's production section sets."""
    # Only what a service manager would pass on: none of the developer's or the test run's own
    # settings (DEBUG, LOG_FORMAT, CELERY_*...) may leak into the production processes.
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env |= {
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "talentoffice.settings",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        # The cache shares the broker's Redis database: its keys are prefixed, Celery's are not.
        "CACHE_URL": broker_url,
        "STATIC_ROOT": str(static_root),
        "PERSONAL_DATA_KEYS": PERSONAL_DATA_KEY,
        "PERSONAL_DATA_HASH_KEY": "production-smoke-test-hash-key",
        # The proxy in front would redirect http to https; the tests say https in a header.
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONUNBUFFERED": "1",
        "HEALTH_TOKEN": HEALTH_TOKEN,
    }
    return env | {key: str(value) for key, value in extra.items()}


@dataclass
class Process:
    """A real child process in a process group of its own, with its output in a log file."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def family(self) -> list[psutil.Process]:
        """The process and every descendant still running (gunicorn workers, pool children)."""
        try:
            main = psutil.Process(self.pid)
            return [main, *main.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill_hard(self) -> None:
        """kill -9 on the whole group: the machine lost power as far as it can tell."""
        family = self.family()
        os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(10)
        psutil.wait_procs(family, timeout=10)

    def stop(self, timeout: float = 30.0) -> list[str]:
        """SIGTERM, wait; returns what had to be killed after the wait (empty when clean)."""
        family = self.family()
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        _gone, alive = psutil.wait_procs(family, timeout=5)
        leftovers = [f"{p.pid} {p.name()}" for p in alive if p.is_running()]
        if self.alive() or leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(10)
            psutil.wait_procs(alive, timeout=5)
        return leftovers


def start_process(name: str, args: list[str], *, env: dict, log_dir: Path) -> Process:
    """Start a command from the project's folder in a session of its own (for killpg)."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log_file:
        popen = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(name=name, popen=popen, log_path=log_path)


def manage(*args: str, env: dict, timeout: float = 120) -> str:
    """Run a manage.py command with the given environment; its output, failing on an error."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


@dataclass
class Stack:
    """gunicorn, Celery workers and beat started with one environment, all stopped at the end."""

    env: dict
    log_dir: Path
    processes: list[Process] = field(default_factory=list)
    port: int = 0

    def web(self, workers: int = 2, **extra_env) -> Process:
        self.port = self.port or free_port()
        process = self._start(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "talentoffice.wsgi",
            ],
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=workers,
            **extra_env,
        )
        assert wait_for_port(self.port), process.log()
        # The master listens before it has forked every worker.
        assert wait_for(lambda: len(process.family()) == workers + 1), process.log()
        return process

    def worker(
        self, concurrency: int = 2, name: str = "worker", queues: str = "", respawn: bool = False
    ) -> Process:
        """A Celery worker; on `queues` only when given; under deploy/respawn (as
        `make serve-production` runs it) when `respawn`, so that it is started again if it exits."""
        supervisor = [str(PROJECT_ROOT / "deploy" / "respawn"), name] if respawn else []
        return self._start(
            name,
            [
                *supervisor,
                sys.executable,
                "-m",
                "celery",
                "-A",
                "talentoffice",
                "worker",
                f"--concurrency={concurrency}",
                f"--hostname={name}-{len(self.processes)}@%h",
                *([f"--queues={queues}"] if queues else []),
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
        )

    def beat(self) -> Process:
        return self._start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "talentoffice",
                "beat",
                "--loglevel=INFO",
                f"--pidfile={self.log_dir / 'beat.pid'}",
            ],
        )

    def _start(self, name: str, args: list[str], **extra_env) -> Process:
        env = self.env | {key: str(value) for key, value in extra_env.items()}
        process = start_process(name, args, env=env, log_dir=self.log_dir)
        self.processes.append(process)
        return process

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> "HttpsBehindProxy":
        return HttpsBehindProxy(self.base_url)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log()[-4000:]}" for p in self.processes)

    def stop_all(self) -> list[str]:
        """Stop every process (last started first); what had to be killed."""
        leftovers = []
        for process in reversed(self.processes):
            leftovers += process.stop()
        return leftovers


class HttpsBehindProxy(requests.Session):
    """A real HTTP client that talks to gunicorn as the reverse proxy would: plain HTTP on
    loopback, with `X-Forwarded-Proto: https`. The app then sets Secure cookies, which requests
    would keep to itself over http://, so they are marked sendable before each request; and a
    POST says where it comes from (Origin), as a browser does, for the CSRF check."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url
        self.headers.update({"X-Forwarded-Proto": "https", "Accept-Language": "en"})

    def request(self, method, url, **kwargs):
        for cookie in self.cookies:
            cookie.secure = False
        if url.startswith("/"):
            url = self.base_url + url
        if method.upper() == "POST":
            host = urlsplit(self.base_url).netloc
            kwargs.setdefault("headers", {}).setdefault("Origin", f"https://{host}")
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, url, **kwargs)

    def csrf_token(self) -> str:
        for cookie in self.cookies:
            if cookie.name == "csrftoken":
                return cookie.value
        raise AssertionError("no CSRF cookie yet")

    def post_form(self, path: str, data: dict, **kwargs):
        """POST a form the way a browser does after loading its page (CSRF token included)."""
        return self.post(path, data={"csrfmiddlewaretoken": self.csrf_token(), **data}, **kwargs)

    def log_in_to_admin(self, username: str, password: str) -> None:
        """Staff log in through /admin/login/ with the CSRF cookie and token of the form."""
        page = self.get("/admin/login/")
        assert page.status_code == 200, page.status_code
        response = self.post_form(
            "/admin/login/",
            {"username": username, "password": password, "next": "/admin/"},
        )
        assert response.status_code == 302, response.text[:2000]
        assert response.headers["Location"] == "/admin/"


def static_sources_fingerprint() -> str:
    """A hash of every static source file's path, size and time, and of the storage used."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(b"CompressedManifestStaticFilesStorage")
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def static_root():
    """collectstatic with production's compressed manifest storage, as README's procedure runs it.

    Compressing a thousand files (gzip and brotli) costs most of a minute of CPU, so the result is
    kept under var/ and made again only when a static source file changes.
    """
    root = PROJECT_ROOT / "var" / "test-staticfiles" / static_sources_fingerprint()
    if not (root / "staticfiles.json").exists():
        for older in root.parent.glob("*"):
            if older.is_dir() and "." not in older.name:
                shutil.rmtree(older, ignore_errors=True)
        partial = root.with_name(f"{root.name}.{os.getpid()}.partial")
        env = production_env(
            database_url="postgres://postgres@127.0.0.1:5432/unused",
            broker_url="redis://127.0.0.1:6379/0",
            static_root=partial,
        )
        manage("collectstatic", "--no-input", "-v0", env=env, timeout=600)
        try:
            partial.rename(root)
        except OSError:  # another test run finished the same collection first
            shutil.rmtree(partial, ignore_errors=True)
    return root


@pytest.fixture
def stack_factory(static_root, tmp_path):
    """Makes Stacks for an environment; every process they started is stopped at the end."""
    stacks = []

    def make(*, database_url: str, broker_url: str, **extra_env) -> Stack:
        env = production_env(
            database_url=database_url,
            broker_url=broker_url,
            static_root=static_root,
            # Beat's heartbeat every second, so that the health check sees beat and a worker
            # within seconds of their start instead of a minute.
            HEARTBEAT_SECONDS=1,
            **extra_env,
        )
        stack = Stack(env=env, log_dir=tmp_path)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()


class PrivateRedis:
    """A real redis-server of this test's own on a free port, keeping nothing on disk."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = start_process(
            f"redis-{self.port}",
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            env=dict(os.environ),
            log_dir=self.workdir,
        )
        assert wait_for_port(self.port), self.process.log()
        assert wait_for(lambda: self.client().ping(), timeout=10)

    def stop(self) -> None:
        assert self.process is not None
        assert self.process.stop() == []

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)


class PrivatePostgres:
    """A real PostgreSQL cluster of this test's own (initdb in a temp folder, its own port),
    run as the postgres user, as the server refuses to run as root."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="talentoffice-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"

    def as_postgres(self, *args: str, timeout: float = 120) -> str:
        command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=self.dir
        )
        assert result.returncode == 0, f"{args}:\n{result.stdout}{result.stderr}"
        return result.stdout

    def init(self) -> None:
        self.as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        self.as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"),
            "-w", "-t", "60", "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        self.as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.alive():
        server.stop()


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    server.init()
    server.start()
    yield server
    server.remove()


def copy_test_database_into(postgres: PrivatePostgres, name: str) -> str:
    """A new database in the private cluster holding the test database's schema and rows."""
    source = database_url_of_test_database()
    postgres.as_postgres(
        str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(postgres.port), name
    )
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "--format=custom", source],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    subprocess.run(
        [str(PG_BIN / "pg_restore"), "--no-owner", "--exit-on-error", "-d", postgres.url(name)],
        input=dump,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return postgres.url(name)
