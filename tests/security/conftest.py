"""Fixtures of the security tests: the two-street district, and fast password hashing."""

import pytest

from tests.factories.roles import build_district


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The lock-out tests fail many logins on purpose; the real hasher takes a good part of a
    # second per try, which is the point in production and only slowness here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db):
    return build_district()
