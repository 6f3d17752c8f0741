"""`make run`'s embedded default: migrations and the demo load on a SQLite file, no servers."""

import os
import subprocess
import sys

from tests.integration.conftest import PROJECT_ROOT

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
