"""Who learns what from /health/: the status for anyone, the checks for staff and the monitor."""

from datetime import timedelta

import pytest
from celery import signals
from django.utils import timezone

from talentoffice.health import BEAT_STARTED, WORKER_STARTED, check_beat, check_worker
from talentoffice.models import Heartbeat
from tests.factories.notify import make_user
from tests.integration.conftest import redis_broker  # noqa: F401  (the real Redis, emptied)

TOKEN = "monitoring-token-0123456789"


@pytest.fixture
def broken_database_check(monkeypatch):
    """A failing check whose message names a host, a port and a role, as a real one would."""

    def fail():
        raise OSError('connection to server at "db.internal" (10.0.0.5), port 5432 failed: role')

    monkeypatch.setattr("talentoffice.health.check_database", fail)


@pytest.fixture
def token(settings):
    settings.HEALTH_TOKEN = TOKEN
    return TOKEN


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_stranger_gets_only_the_status_of_a_failure(
    client, db, token, method, broken_database_check
):
    response = getattr(client, method)("/health/")

    assert response.status_code == 503
    if method == "get":
        assert response.json() == {"status": "fail"}
    assert b"db.internal" not in response.content
    assert b"5432" not in response.content


def test_a_stranger_gets_only_ok_when_all_is_well(client, db, token):
    now = timezone.now()
    for name in (WORKER_STARTED, BEAT_STARTED):
        Heartbeat.objects.create(name=name, seen_at=now)

    response = client.get("/health/")

    # The broker may or may not answer in a unit run; the body is one key either way.
    assert list(response.json()) == ["status"]
    assert response.json()["status"] in {"ok", "fail"}


def test_district_staff_see_every_check(client, staff_user, broken_database_check):
    client.force_login(staff_user)

    body = client.get("/health/").json()

    assert body["status"] == "fail"
    assert set(body["checks"]) == {"database", "broker", "beat", "worker"}
    assert "db.internal" in body["checks"]["database"]["error"]


def test_a_logged_in_user_who_is_not_district_staff_sees_no_details(
    client, db, broken_database_check
):
    client.force_login(make_user())

    assert client.get("/health/").json() == {"status": "fail"}


def test_the_monitor_token_shows_the_checks_and_a_wrong_one_does_not(
    client, db, token, broken_database_check
):
    right = client.get("/health/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    wrong = client.get("/health/", HTTP_AUTHORIZATION=f"Bearer {TOKEN[:-1]}x").json()
    no_scheme = client.get("/health/", HTTP_AUTHORIZATION=TOKEN).json()

    assert "checks" in right
    assert wrong == no_scheme == {"status": "fail"}


def test_with_no_token_configured_an_empty_bearer_sees_nothing(client, db, settings):
    settings.HEALTH_TOKEN = ""

    assert set(client.get("/health/", HTTP_AUTHORIZATION="Bearer ").json()) == {"status"}


@pytest.mark.usefixtures("redis_broker")
def test_a_started_worker_and_beat_count_as_seen_at_once(db):
    now = timezone.now()
    assert check_worker(now)["ok"] is False
    assert check_beat(now)["ok"] is False

    signals.worker_ready.send(sender=None)
    signals.beat_init.send(sender=None)

    now = timezone.now()
    assert check_worker(now)["ok"] is True
    assert check_beat(now)["ok"] is True


def test_a_dead_worker_shows_within_two_heartbeat_intervals(db, settings):
    interval = timedelta(seconds=settings.HEARTBEAT_SECONDS)
    last = timezone.now() - interval
    Heartbeat.objects.create(name="beat", seen_at=last)

    assert check_worker(last + 2 * interval - timedelta(seconds=1))["ok"] is True
    assert check_worker(last + 2 * interval + timedelta(seconds=1))["ok"] is False


def test_a_stale_worker_start_does_not_hide_a_dead_worker(db, settings):
    long_ago = timezone.now() - timedelta(hours=1)
    Heartbeat.objects.create(name=WORKER_STARTED, seen_at=long_ago)

    assert check_worker(timezone.now())["ok"] is False


def attempts(channel, outcomes):
    """Tries at deliveries of one channel, oldest first, one second apart."""
    from talentoffice.models import Delivery, DeliveryAttempt, Notification

    start = timezone.now() - timedelta(hours=1)
    user = make_user()
    for number, succeeded in enumerate(outcomes):
        notification = Notification.objects.create(
            recipient=user,
            kind=Notification._meta.get_field("kind").choices[0][0],
            occasion=f"{channel}{number}",
            subject=f"通知{number}",
        )
        delivery = Delivery.objects.create(
            notification=notification, channel=channel, target=f"{channel}:{number}"
        )
        at = start + timedelta(seconds=number)
        DeliveryAttempt.objects.create(
            delivery=delivery, started_at=at, finished_at=at, succeeded=succeeded
        )


def test_staff_see_a_channel_whose_last_tries_all_failed(client, staff_user, settings):
    settings.CHANNEL_FAILING_AFTER = 3
    attempts("email", [True, False, False, False])
    attempts("webhook", [False, False, True])
    client.force_login(staff_user)

    assert client.get("/health/").json()["failing_channels"] == ["email"]
    client.logout()
    assert "failing_channels" not in client.get("/health/").json()


def test_one_success_among_the_last_tries_is_not_failing(client, staff_user, settings):
    settings.CHANNEL_FAILING_AFTER = 3
    attempts("email", [False, False, True, False, False])
    client.force_login(staff_user)

    assert client.get("/health/").json()["failing_channels"] == []
