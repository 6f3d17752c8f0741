"""Production refuses e-mail that could only print or fail, unless e-mail is turned off."""

import pytest
from django.core.management import CommandError, call_command

from talentoffice.mailchecks import CONSOLE, SMTP, check_email_in_production


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    return settings


def ids(errors):
    return [error.id for error in errors]


def test_a_named_smtp_server_passes(production):
    assert check_email_in_production() == []


def test_the_console_backend_is_refused_in_production(production):
    production.EMAIL_BACKEND = CONSOLE

    errors = check_email_in_production()

    assert ids(errors) == ["talentoffice.E201"]
    assert "EMAIL_ENABLED=false" in errors[0].hint


def test_smtp_without_email_host_is_refused_in_production(production):
    production.EMAIL_HOST = ""

    with pytest.raises(CommandError, match="EMAIL_HOST is not set"):
        call_command("check", tags=["mail"])


def test_email_turned_off_explicitly_passes(production):
    production.EMAIL_HOST = ""
    production.EMAIL_ENABLED = False

    assert check_email_in_production() == []


def test_outside_production_the_console_is_fine(production):
    production.PRODUCTION = False
    production.EMAIL_BACKEND = CONSOLE

    assert check_email_in_production() == []
