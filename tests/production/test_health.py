"""The health endpoint and request IDs, in process: what a load balancer and a log reader see."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from talentoffice.models import Heartbeat
from talentoffice.request_id import JsonFormatter, RequestIdFilter, current_request_id


@pytest.fixture
def beat_sent(db):
    """Beat's database scheduler row for the heartbeat, as if beat had just sent it."""
    every = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)

    def sent(ago: timedelta):
        PeriodicTask.objects.update_or_create(
            name="heartbeat",
            defaults={
                "task": "talentoffice.tasks.record_heartbeat",
                "interval": every,
                "last_run_at": timezone.now() - ago,
            },
        )

    return sent


@pytest.fixture
def monitor(client, settings):
    """The monitoring system: it presents the token from the environment and sees the details."""
    settings.HEALTH_TOKEN = "monitoring-token"
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer monitoring-token"
    return client


def worker_ran(ago: timedelta):
    Heartbeat.objects.update_or_create(name="beat", defaults={"seen_at": timezone.now() - ago})


def test_health_answers_200_when_database_broker_beat_and_worker_are_all_seen(
    monitor, beat_sent, redis_broker
):
    beat_sent(timedelta(seconds=20))
    worker_ran(timedelta(seconds=19))

    response = monitor.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "beat", "worker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["broker"]["queued"] == 0
    assert 19 <= body["checks"]["worker"]["age_seconds"] < 30
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_answers_503_naming_the_worker_when_no_worker_ran_beats_heartbeat(
    monitor, beat_sent, redis_broker
):
    beat_sent(timedelta(seconds=5))
    worker_ran(timedelta(hours=1))

    response = monitor.get("/health/")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["beat"]["ok"] is True
    assert checks["worker"]["ok"] is False
    assert checks["database"]["ok"] and checks["broker"]["ok"]


def test_health_answers_503_when_beat_was_never_seen(monitor, db, redis_broker):
    response = monitor.get("/health/")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["beat"] | {"ms": 0} == {
        "ok": False,
        "last_seen": None,
        "age_seconds": None,
        "ms": 0,
    }
    assert checks["worker"]["ok"] is False


def test_health_answers_503_when_the_broker_does_not_answer(monitor, beat_sent, settings):
    from talentoffice.celery import app

    beat_sent(timedelta(seconds=1))
    worker_ran(timedelta(seconds=1))
    # A port where nothing listens: the broker check fails within its timeout, without a 500.
    with app.connection_for_read("redis://127.0.0.1:9/0") as dead:
        original = app.connection_for_read
        app.connection_for_read = lambda **kwargs: dead.clone(**kwargs)
        try:
            response = monitor.get("/health/")
        finally:
            app.connection_for_read = original

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False
    assert "Error" in broker["error"]


def test_every_response_carries_a_request_id_and_a_well_formed_one_from_outside_is_kept(client, db):
    own = client.get("/health/")
    kept = client.get("/health/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    forged = client.get("/health/", HTTP_X_REQUEST_ID='x" injected\nline')

    assert len(own["X-Request-ID"]) == 32
    assert kept["X-Request-ID"] == "lb-7f3a.42"
    assert forged["X-Request-ID"] != 'x" injected\nline'
    assert len(forged["X-Request-ID"]) == 32


def test_each_request_is_logged_once_with_its_id_status_and_duration(client, db, caplog):
    caplog.set_level(logging.INFO, logger="talentoffice.requests")

    client.get("/admin/", HTTP_X_REQUEST_ID="req-1")

    (record,) = [r for r in caplog.records if r.name == "talentoffice.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/admin/", 302)
    assert record.duration_ms >= 0
    line = json.loads(JsonFormatter().format(RequestIdFilter().filter(record) and record))
    assert line["request_id"] == "req-1"
    assert line["status"] == 302
    assert line["message"] == "GET /admin/ 302"
    assert current_request_id.get() == "-", "the ID must not leak into the next request"


def test_a_json_log_line_keeps_chinese_and_the_traceback():
    try:
        raise ValueError("坏了")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "出错 %s", ("了",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "出错 了"
    assert line["level"] == "ERROR"
    assert "ValueError: 坏了" in line["exception"]
    assert line["request_id"] == "-"
