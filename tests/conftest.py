"""Shared fixtures: the usual people of the programme, and guards that keep tests honest."""

import logging

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import translation

from tests import factories


def pytest_collection_finish(session):
    """A PostgreSQL-only test says why, and a SQLite run leaves it out rather than fail it."""
    marked = [item for item in session.items if item.get_closest_marker("postgresql_only")]
    for item in marked:
        if not item.get_closest_marker("postgresql_only").kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: postgresql_only needs a reason=")
    if marked and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise pytest.UsageError(
            f"{len(marked)} selected tests need PostgreSQL (first: {marked[0].nodeid}); "
            "on SQLite run with -m 'not postgresql_only', as make test-sqlite does"
        )


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(caplog):
    """A test that logs an error fails, even when the code under test swallowed it."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, f"errors were logged: {[r.getMessage() for r in errors]}"


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A test that switched the language leaves no trace.

    Django's LocaleMiddleware activates the asker's language for the thread and leaves it there
    after the response (a test reads the response's lazy texts in it), so one request with
    `Accept-Language: en` (the partner API's test clients send it) would reach the next test.
    """
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def staff_user(db):
    """Alice runs the programme at the organization department: staff with every permission."""
    user = get_user_model().objects.create_user(
        "alice", password="alice-pass-123", is_staff=True, is_superuser=True
    )
    return user


@pytest.fixture
def limited_staff_user(db):
    """Dora is district staff who may only view partners (no add, no import)."""
    user = get_user_model().objects.create_user("dora", password="dora-pass-123", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_partner", "view_assistant"])
    )
    return user


@pytest.fixture
def partner_a(db):
    return factories.make_partner(name="福建海峡银行股份有限公司", short_name="海峡银行")


@pytest.fixture
def partner_b(db):
    return factories.make_partner(
        name="福建闽众律师事务所", short_name="闽众律所", sector="legal", kind="law_firm"
    )


@pytest.fixture
def assistant(partner_a):
    """Bob, a finance assistant seconded by partner A, with a login."""
    user = get_user_model().objects.create_user("bob", password="bob-pass-123")
    return factories.make_assistant(partner=partner_a, name="林博", user=user)


@pytest.fixture
def second_assistant(partner_b):
    """Charlie, a legal assistant seconded by partner B, with a login."""
    user = get_user_model().objects.create_user("charlie", password="charlie-pass-123")
    return factories.make_assistant(partner=partner_b, name="陈诚", user=user)


@pytest.fixture
def partner_a_manager(partner_a):
    user = get_user_model().objects.create_user("erin", password="erin-pass-123")
    factories.make_contact(partner=partner_a, name="郑艾", user=user)
    return user


@pytest.fixture
def partner_b_manager(partner_b):
    user = get_user_model().objects.create_user("frank", password="frank-pass-123")
    factories.make_contact(partner=partner_b, name="方富", user=user)
    return user
