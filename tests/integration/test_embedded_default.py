"""`make run`'s embedded default: migrations and the demo load on a SQLite file, no servers, and
its web server, worker and beat share that file under concurrent writes."""

import json
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests
from django.conf import settings

from tests.integration.conftest import PROJECT_ROOT, wait_for
from tests.production.conftest import free_port, start_process, wait_for_port

SHELL_CHECK = """
from datetime import date
from django.db import IntegrityError, transaction
from assistants.models import Dispatch
existing = Dispatch.objects.filter(ends_on__isnull=True).first()
try:
    with transaction.atomic():
        Dispatch.objects.bulk_create([Dispatch(
            assistant_id=existing.assistant_id, service_point_id=existing.service_point_id,
            starts_on=existing.starts_on)])
except IntegrityError:
    print("overlap refused")
"""


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_embedded_default_migrates_seeds_once_and_guards_dispatches(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ENV", "SECRET_KEY"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"

    migrate = run_manage("migrate", "--no-input", "-v0", env=env)
    assert migrate.returncode == 0, migrate.stderr

    first = run_manage("seed_demo", "--if-empty", env=env)
    assert first.returncode == 0, first.stderr
    assert "demo login: staff " in first.stdout

    second = run_manage("seed_demo", "--if-empty", env=env)
    assert second.returncode == 0, second.stderr
    assert "demo login:" not in second.stdout

    check = run_manage("shell", "-c", SHELL_CHECK, env=env)
    assert "overlap refused" in check.stdout, check.stderr


# The settings `make run` uses, with the filesystem broker's folders moved into the test's own
# folder: the test neither eats nor leaves messages in a developer's var/celery.
EMBEDDED_SETTINGS = """
from talentoffice.settings import *  # noqa: F403

QUEUE_DIR = Path(__file__).resolve().parent / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "data_folder_in": str(QUEUE_DIR / "out"),
    "data_folder_out": str(QUEUE_DIR / "out"),
    "processed_folder": str(QUEUE_DIR / "processed"),
    "control_folder": str(QUEUE_DIR / "control"),
}
for folder in ("out", "processed", "control"):
    (QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
"""

WHAT_TO_SEND = """
import json
from assistants.models import Assistant, ServicePoint
from cases.models import ServiceItem
from cases.public_views import point_token
point = ServicePoint.objects.active().order_by("pk").first()
assistant = Assistant.objects.filter(partner__short_name=PARTNER).active().order_by("pk").first()
print(json.dumps({
    "form": f"/p/{point_token(point)}/",
    "service": f"item:{ServiceItem.objects.active().order_by('pk').first().pk}",
    "assistant": assistant.pk,
    "service_point": point.pk,
}))
"""

WHAT_WAS_SAVED = """
import json
from django_celery_beat.models import PeriodicTask
from cases.models import Case, Resident, Visit
phones = PHONES
print(json.dumps({
    "residents": sorted(Resident.objects.filter(phone__in=phones).values_list("phone", flat=True)),
    "cases": sorted(Case.objects.filter(resident__phone__in=phones)
                    .values_list("resident__phone", flat=True)),
    "visits": Visit.objects.filter(notes=NOTES).count(),
    "beat": sorted(PeriodicTask.objects.values_list("name", flat=True)),
}))
"""

FORMS = 50
RETRIES = 20


def embedded_env(tmp_path) -> dict:
    """`make run`'s environment: nothing of the test run's own database, broker or secrets."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ENV", "SECRET_KEY"}
    }
    (tmp_path / "embedded_settings.py").write_text(EMBEDDED_SETTINGS)
    return env | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "embedded_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")])),
        # Fifty residents share the test's one address; the per-phone limit stays as it is.
        "PUBLIC_FORM_LIMIT_PER_IP": str(FORMS),
        "PYTHONUNBUFFERED": "1",
    }


def shell(code: str, *, env) -> dict:
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def all_at_once(count: int, send) -> list:
    """Call send(i) from `count` threads released together; their answers or errors."""
    start = threading.Barrier(count)

    def body(i):
        prepared = send(i)
        start.wait(60)
        return prepared()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(body, range(count)))


def test_make_runs_processes_share_the_sqlite_file_under_concurrent_writes(tmp_path):
    env = embedded_env(tmp_path)
    migrate = run_manage("migrate", "--no-input", "-v0", env=env)
    assert migrate.returncode == 0, migrate.stderr
    seed = run_manage("seed_demo", "--if-empty", env=env)
    assert seed.returncode == 0, seed.stderr
    partner, api_key = re.search(r"^demo api key: (\S+) (\S+)$", seed.stdout, re.M).groups()
    sent = shell(f"PARTNER = {partner!r}\n{WHAT_TO_SEND}", env=env)

    # The processes of `make run`: the development server (without the reloader, which only
    # watches the code) and a worker with beat, two processes in its pool.
    port = free_port()
    processes = [
        start_process(
            "worker",
            [sys.executable, "-m", "celery", "-A", "talentoffice", "worker", "--beat",
             "--loglevel=INFO", "--concurrency=2", "--schedule", str(tmp_path / "schedule")],
            env=env, log_dir=tmp_path,
        ),
        start_process(
            "web",
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env, log_dir=tmp_path,
        ),
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_port(port, timeout=60), processes[1].log()
        # Beat writes its schedule into the database as it starts: wait for that write too.
        assert wait_for(lambda: "beat: Starting" in processes[0].log(), timeout=60)

        phones = [f"1390000{n:04d}" for n in range(FORMS)]

        def submit_the_form(n):
            resident = requests.Session()
            page = resident.get(base + sent["form"], timeout=60)
            assert page.status_code == 200, page.status_code
            data = {
                "csrfmiddlewaretoken": resident.cookies["csrftoken"],
                "name": f"居民{n}",
                "phone": phones[n],
                "service": sent["service"],
                "description": f"第{n}号诉求：想咨询社保转移。",
                "remark": "",
            }
            return lambda: resident.post(
                base + sent["form"], data=data, timeout=120, allow_redirects=False
            )

        notes = "同一次走访，网络不稳重发"
        visit = {
            "kind": "consultation",
            "assistant": sent["assistant"],
            "service_point": sent["service_point"],
            "occurred_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "duration_minutes": 30,
            "notes": notes,
        }
        headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": "visit-of-the-morning"}

        def retry_the_visit(_n):
            return lambda: requests.post(
                base + "/api/v1/visits/", json=visit, headers=headers, timeout=120
            )

        forms = all_at_once(FORMS, submit_the_form)
        retries = all_at_once(RETRIES, retry_the_visit)
    finally:
        leftovers = [name for process in reversed(processes) for name in process.stop()]
    logs = "\n".join(f"--- {p.name} ---\n{p.log()[-4000:]}" for p in processes)

    assert [r.status_code for r in forms] == [302] * FORMS, logs
    assert sorted(r.status_code for r in retries) == [200] * (RETRIES - 1) + [201], logs
    assert len({r.json()["id"] for r in retries}) == 1
    saved = shell(f"PHONES = {phones!r}\nNOTES = {notes!r}\n{WHAT_WAS_SAVED}", env=env)
    assert saved["residents"] == sorted(phones)
    assert saved["cases"] == sorted(phones)
    assert saved["visits"] == 1
    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(saved["beat"]), logs
    assert "database is locked" not in logs
    assert leftovers == []
