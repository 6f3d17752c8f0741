"""Fixtures for the audit trail and personal-data tests."""

import pytest
from django.utils import translation

from talentoffice.validators import id_number_check_digit

ID_NUMBER = "11010519491231002X"


def make_id_number(first17: str) -> str:
    """A valid resident ID number: the 17 digits given and their check digit."""
    return first17 + id_number_check_digit(first17)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads land in a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English; the catalogue says them in Chinese too."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
