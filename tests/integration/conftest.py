"""Fixtures that start real background processes against the real PostgreSQL and Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_database() -> str:
    """The URL of the database this test runs in, for a child process to use the same one."""
    assert connection.vendor == "postgresql", (
        "integration tests need the real PostgreSQL: set DATABASE_URL (make test does)"
    )
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def redis_broker():
    """The real Redis the tests' Celery app talks to, emptied before and after the test."""
    url = settings.CELERY_BROKER_URL
    assert url.startswith("redis://"), (
        f"tests about tasks need the real Redis: set CELERY_BROKER_URL (make test does), not {url}"
    )
    client = redis.Redis.from_url(url)
    client.ping()  # fails the test, never skips it, when Redis is down
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def celery_worker_process(transactional_db, redis_broker, tmp_path):
    """A real `celery worker` process on the test database and the test Redis database."""
    env = os.environ | {
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "talentoffice.settings",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "talentoffice",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, timeout=30.0, interval=0.2):
    """Poll until the condition holds; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
