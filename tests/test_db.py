"""The database connection: Django's own PostgreSQL backend, a kept connection checked before each
request uses it, so a database restart between two requests costs neither of them an error."""

import time

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.postgresql_only(
    reason="a PostgreSQL connection ended from another one with pg_terminate_backend"
)


@pytest.fixture
def kept_connection(monkeypatch):
    """The default connection kept across requests with health checks, as production keeps it."""
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.ensure_connection()
    yield connection
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


def test_the_connection_is_djangos_own_postgresql_backend_with_health_checks():
    assert type(connections["default"]) is DatabaseWrapper
    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_is_reused_between_requests(kept_connection):
    serve_request()
    pid = connection.connection.info.backend_pid

    assert serve_request() == 2
    assert connection.connection.info.backend_pid == pid


@pytest.mark.django_db(transaction=True)
def test_a_dead_kept_connection_is_replaced_before_the_next_request_uses_it(kept_connection):
    serve_request()
    kill_backend()

    assert serve_request() == 2
