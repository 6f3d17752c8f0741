"""Fixtures of the mobile pages: a frozen Tuesday, Bob's duty there, and strict templates."""

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests import factories
from tests.factories.shifts import dispatch_all, local, make_shift

NOW = local(date(2026, 3, 3), time(8, 50))  # Tuesday, ten minutes before Bob's duty


class UnknownTemplateVariable(str):
    """string_if_invalid that fails the test: a typo in a template must not render as ""."""

    def __mod__(self, name):
        raise AssertionError(f"unknown template variable: {name}")


@pytest.fixture(autouse=True)
def _strict_templates(settings):
    settings.TEMPLATES = [
        {
            **engine,
            "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": UnknownTemplateVariable("%s")},
        }
        for engine in settings.TEMPLATES
    ]


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded photos land in a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def point(db):
    """The district service window, with its coordinates (for the far check-in flag)."""
    return factories.make_service_point(
        name="台江区人才助理专窗",
        address="台江区工业路1号",
        latitude="26.063000",
        longitude="119.310000",
    )


@pytest.fixture
def dave(partner_a):
    """Dave, a second finance assistant of partner A, with a login."""
    user = get_user_model().objects.create_user("dave", password="dave-pass-123")
    return factories.make_assistant(partner=partner_a, name="戴维", user=user)


@pytest.fixture
def shift(point, assistant, dave):
    """Bob's duty at the service window today, 09:00–12:00; Bob and Dave serve there."""
    dispatch_all(point, assistant, dave)
    return make_shift(date=date(2026, 3, 3), service_point=point, assistant=assistant)


def english_client(user=None) -> Client:
    """A browser that asks for English pages, logged in as `user` when given."""
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def bob(assistant):
    """Bob's phone, logged in, reading English."""
    return english_client(assistant.user)


@pytest.fixture
def charlie(second_assistant):
    """Charlie's phone, logged in, reading English."""
    return english_client(second_assistant.user)


def json_post(client, url, data, **extra):
    """A POST as the page's JavaScript sends it."""
    return client.post(url, data, headers={"X-Requested-With": "XMLHttpRequest"}, **extra)
