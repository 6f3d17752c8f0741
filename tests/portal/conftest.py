"""Fixtures of the partner portal's tests: two partners' worlds, a viewer, a client per person."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from talentoffice import roles
from tests import factories
from tests.api.conftest import build_world


@pytest.fixture
def world_a(partner_a, assistant):
    return build_world(partner_a, assistant, resident_name="王小明", resident_phone="13812345678")


@pytest.fixture
def world_b(partner_b, second_assistant):
    return build_world(
        partner_b, second_assistant, resident_name="李大华", resident_phone="13987654321"
    )


@pytest.fixture
def partner_a_viewer(partner_a):
    """Gina reads partner A's portal but keeps no keys or webhooks."""
    user = get_user_model().objects.create_user("gina", password="gina-pass-123")
    factories.make_contact(partner=partner_a, name="葛娜", user=user)
    return roles.grant_role(user, roles.PARTNER_VIEWER)


def client_of(user, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client
