"""The database connections: timestamps read by the fast loader exactly as Django reads them,
and the health check skipped only for a connection that just served a request."""

import time
from datetime import UTC, datetime

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection, connections
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.utils import timezone
from psycopg.postgres import types
from psycopg.pq import Format

from talentoffice.postgresql import base as db

pytestmark = pytest.mark.postgresql_only(
    reason="the project's PostgreSQL backend: psycopg's loaders and a connection ended by "
    "pg_terminate_backend"
)

TIMESTAMPTZ = types["timestamptz"].oid
# As PostgreSQL writes a timestamptz in a UTC session (and one in a session elsewhere).
TEXTS = [
    b"2026-12-07 05:30:01.123456+00",
    b"2026-12-07 05:30:01+00",
    b"2000-02-29 00:00:00.5+00",
    b"0001-01-01 00:00:00+00",
    b"9999-12-31 23:59:59.999999+00",
    b"2026-12-07 13:30:01+08",
]
# Texts the fast path does not read; Django's loader gives its own answer or error for them.
OTHER_TEXTS = [b"0044-03-15 00:00:00+00 BC", b"infinity", b"12026-01-01 00:00:00+00"]


def loaders():
    class Django(BaseTzLoader):
        timezone = UTC

    class Fast(db.IsoTimestamptzLoader):
        timezone = UTC

    return Django(TIMESTAMPTZ, connection.connection), Fast(TIMESTAMPTZ, connection.connection)


def outcome(loader, text):
    try:
        value = loader.load(text)
    except Exception as error:  # the error's kind and message are the outcome
        return type(error), str(error)
    return value, value.tzinfo


@pytest.mark.django_db
@pytest.mark.parametrize("text", TEXTS + OTHER_TEXTS)
def test_the_fast_loader_reads_every_timestamp_as_djangos_does(text):
    connection.ensure_connection()
    django_loader, fast_loader = loaders()

    assert outcome(fast_loader, text) == outcome(django_loader, text)


@pytest.mark.django_db
def test_every_connection_reads_timestamps_with_the_fast_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, now()", [datetime(2026, 12, 7, 13, 30, tzinfo=UTC)])
        stored, now = cursor.fetchone()

    assert issubclass(loader, db.IsoTimestamptzLoader)
    assert loader.timezone is connection.timezone
    assert stored == datetime(2026, 12, 7, 13, 30, tzinfo=UTC) and stored.tzinfo is UTC
    assert abs(now - timezone.now()).total_seconds() < 60


# --- health checks -------------------------------------------------------------------------


@pytest.fixture
def kept_connection(monkeypatch):
    """The default connection kept across requests, as production keeps it, with health checks;
    `checks` lists each SELECT 1 Django sends."""
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.ensure_connection()
    checks = []
    wrapper_class = type(connections["default"])
    assert wrapper_class is db.DatabaseWrapper
    original = wrapper_class.is_usable

    def is_usable(self):
        checks.append(self.alias)
        return original(self)

    monkeypatch.setattr(wrapper_class, "is_usable", is_usable)
    yield checks
    connection.close()


def serve_request():
    """What a server does around one request that reads the database."""
    request_started.send(sender=None)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 + 1")
            return cursor.fetchone()[0]
    finally:
        request_finished.send(sender=None)


def kill_backend():
    """End the connection's server process from another connection (a database restart)."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params = {k: v for k, v in params.items() if k not in ("cursor_factory", "context")}
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        # pg_terminate_backend only signals: wait until the process is gone.
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.01)


@pytest.fixture
def slow_machine(monkeypatch):
    """Makes "a moment ago" an hour, so that a loaded CI machine cannot miss it."""
    monkeypatch.setattr(db, "HEALTH_CHECK_AFTER_IDLE", 3600.0)


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_just_served_a_request_is_not_checked_again(
    kept_connection, slow_machine
):
    serve_request()
    kept_connection.clear()

    assert serve_request() == 2
    assert serve_request() == 2
    assert kept_connection == []


@pytest.mark.django_db(transaction=True)
def test_an_idle_connection_is_checked_and_a_dead_one_replaced(kept_connection, monkeypatch):
    serve_request()
    kept_connection.clear()
    monkeypatch.setattr(db, "HEALTH_CHECK_AFTER_IDLE", 0.0)
    kill_backend()

    assert serve_request() == 2
    assert kept_connection == ["default"]


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_within_the_trusted_second_fails_one_request_only(
    kept_connection, slow_machine
):
    serve_request()
    kill_backend()

    with pytest.raises(OperationalError, match="terminating connection"):
        serve_request()
    # Django closed the broken connection at the end of that request; the next one reconnects.
    assert serve_request() == 2
