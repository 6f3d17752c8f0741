"""The keys that wrote the database must be the keys the process starts with, or it refuses."""

import base64
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from talentoffice import keychecks
from talentoffice.keychecks import check_personal_data_keys
from talentoffice.models import KeyCanary
from tests.integration.conftest import PROJECT_ROOT, database_url_of_test_database

OTHER_KEY = Fernet.generate_key().decode()


def ids(errors):
    return [error.id for error in errors]


@pytest.fixture
def canary(db):
    KeyCanary.objects.all().delete()
    assert check_personal_data_keys(databases=["default"]) == []  # the first check writes it
    return KeyCanary.objects.get()


def test_the_first_check_writes_the_canary_with_the_current_keys(canary):
    assert canary.lookup_hash
    assert keychecks.opens_with_first_key(canary.token)
    assert check_personal_data_keys(databases=["default"]) == []
    assert KeyCanary.objects.count() == 1


def test_a_different_encryption_key_is_refused_naming_the_encryption_keys(canary, settings):
    settings.PERSONAL_DATA_KEYS = [OTHER_KEY]

    errors = check_personal_data_keys(databases=["default"])

    assert ids(errors) == ["talentoffice.E102"]
    assert "PERSONAL_DATA_KEYS" in errors[0].msg
    assert "reencrypt_residents" in errors[0].hint


def test_a_different_hash_key_is_refused_naming_the_hash_key(canary, settings):
    settings.PERSONAL_DATA_HASH_KEY = "another-hash-key"

    errors = check_personal_data_keys(databases=["default"])

    assert ids(errors) == ["talentoffice.E103"]
    assert "PERSONAL_DATA_HASH_KEY" in errors[0].msg


def test_a_rotation_passes_and_the_canary_follows_the_new_key(canary, settings):
    old = list(settings.PERSONAL_DATA_KEYS)
    settings.PERSONAL_DATA_KEYS = [OTHER_KEY, *old]
    assert check_personal_data_keys(databases=["default"]) == []

    settings.PERSONAL_DATA_KEYS = [OTHER_KEY]  # the old key dropped after reencrypt_residents
    assert check_personal_data_keys(databases=["default"]) == []


def test_a_malformed_key_is_refused_by_position_without_showing_it(canary, settings):
    settings.PERSONAL_DATA_KEYS = [settings.PERSONAL_DATA_KEYS[0], "change-me"]

    errors = check_personal_data_keys(databases=["default"])

    assert ids(errors) == ["talentoffice.E101"]
    assert "entry 2" in errors[0].msg
    assert "change-me" not in errors[0].msg + errors[0].hint


def test_manage_py_check_refuses_the_wrong_keys(canary, settings):
    settings.PERSONAL_DATA_KEYS = [OTHER_KEY]

    with pytest.raises(CommandError, match="PERSONAL_DATA_KEYS do not decrypt"):
        call_command("check", tags=[keychecks.TAG], databases=["default"])


def start_env(**overrides):
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url_of_test_database(),
        "DJANGO_SETTINGS_MODULE": "talentoffice.settings",
    }
    return env | overrides


@pytest.mark.postgresql_only(reason="the child process reads the test database over the network")
@pytest.mark.django_db(transaction=True)
def test_the_release_step_refuses_wrong_keys_with_a_message_not_a_traceback(settings):
    KeyCanary.objects.all().delete()
    check_personal_data_keys(databases=["default"])
    wrong = base64.urlsafe_b64encode(b"a key from another installation!").decode()

    started = subprocess.run(
        # `make serve-production` and the deploy's release step run migrate, whose system checks
        # stop the start before any process serves.
        [sys.executable, "manage.py", "check", "--database", "default"],
        cwd=PROJECT_ROOT,
        env=start_env(PERSONAL_DATA_KEYS=wrong),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert started.returncode == 1
    assert "PERSONAL_DATA_KEYS do not decrypt" in started.stderr
    assert "Traceback" not in started.stderr


@pytest.mark.postgresql_only(reason="the child process reads the test database over the network")
@pytest.mark.django_db(transaction=True)
def test_a_malformed_key_in_the_environment_stops_check_with_a_clear_message():
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default"],
        cwd=PROJECT_ROOT,
        env=start_env(PERSONAL_DATA_KEYS="change-me"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert checked.returncode == 1
    assert "entry 1 is not a Fernet key" in checked.stderr
    assert "Traceback" not in checked.stderr
