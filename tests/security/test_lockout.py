"""Lock-out after repeated failed logins, by user and by client address (django-axes), on the
admin and the mobile login alike."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.urls import reverse
from django.utils import timezone, translation

PASSWORD = "a-long-enough-pass-123"


@pytest.fixture
def grace(db):
    """Grace is district staff with a password; the lock-out guards her login."""
    return get_user_model().objects.create_user("grace", password=PASSWORD, is_staff=True)


@pytest.fixture
def henry(db):
    """Henry is another staff member, signing in from the same office as an attacker."""
    return get_user_model().objects.create_user("henry", password=PASSWORD, is_staff=True)


def admin_login(client, username, password, address="192.0.2.10"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, address="192.0.2.10"):
    for _ in range(times):
        response = admin_login(client, username, "wrong-guess", address)
        assert response.status_code in {200, 429}
        assert not signed_in(client)


def test_the_limit_is_five_failures_for_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_four_failures_still_let_the_right_password_in(client, grace):
    fail(client, "grace", 4)
    response = admin_login(client, "grace", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_five_failures_lock_the_user_out_even_with_the_right_password(client, grace):
    fail(client, "grace", 5)
    with translation.override("en"):
        response = admin_login(client, "grace", PASSWORD, address="192.0.2.10")
    assert response.status_code == 429
    assert not signed_in(client)
    assert "Too many failed logins" in response.text
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_a_locked_user_stays_locked_from_another_address(client, grace):
    for n in range(5):
        fail(client, "grace", 1, address=f"198.51.100.{n + 1}")
    response = admin_login(client, "grace", PASSWORD, address="203.0.113.77")
    assert response.status_code == 429
    assert not signed_in(client)


def test_an_address_that_guessed_many_users_is_locked_for_every_user(client, grace, henry):
    for username in ("ann", "ben", "cat", "dan", "eve"):
        fail(client, username, 1, address="192.0.2.66")
    response = admin_login(client, "henry", PASSWORD, address="192.0.2.66")
    assert response.status_code == 429
    assert not signed_in(client)
    # Henry from his own address is not concerned.
    assert admin_login(client, "henry", PASSWORD, address="192.0.2.67").status_code == 302
    assert signed_in(client)


def test_the_lock_out_ends_after_thirty_minutes(client, grace):
    fail(client, "grace", 5)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = admin_login(client, "grace", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_forged_forwarded_for_header_does_not_give_a_fresh_allowance(client, grace, settings):
    settings.TRUST_X_FORWARDED_FOR = False
    for n in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "ann", "password": "wrong-guess"},
            REMOTE_ADDR="192.0.2.99",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n + 1}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.99"}
    response = admin_login(client, "grace", PASSWORD, address="192.0.2.99")
    assert response.status_code == 429


def test_the_mobile_login_is_locked_out_too(client, district, settings):
    bob = district.users["assistant"]
    bob.set_password(PASSWORD)
    bob.save()
    url = reverse("mobile:login")
    for _ in range(5):
        response = client.post(url, {"username": "bob", "password": "wrong-guess"})
        assert not signed_in(client)
    response = client.post(url, {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_by_phone_and_by_username_count_against_the_same_login(client, district):
    bob = district.users["assistant"]
    bob.set_password(PASSWORD)
    bob.save()
    phone = district["bob"].phone
    url = reverse("mobile:login")
    for n, typed in enumerate(["bob", phone, "bob", phone, phone]):
        # Each guess from its own address, so that only the count per login can lock.
        client.post(url, {"username": typed, "password": "wrong-guess"}, REMOTE_ADDR=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"bob"}
    for typed in ["bob", phone]:
        response = client.post(
            url, {"username": typed, "password": PASSWORD}, REMOTE_ADDR="192.0.2.200"
        )
        assert response.status_code == 429
        assert not signed_in(client)


def test_a_username_that_is_also_a_phone_number_counts_as_that_username(client, district):
    # Someone's login happens to be Bob's mobile number: a username wins over a phone number.
    phone = district["bob"].phone
    get_user_model().objects.create_user(phone, password=PASSWORD, is_staff=True)
    for n in range(2):
        admin_login(client, phone, "wrong-guess", address=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {phone}


def test_a_password_checked_without_a_web_request_is_not_counted(grace):
    # Management commands and the shell have no client to lock out (LockoutBackend).
    assert authenticate(username="grace", password=PASSWORD) == grace
    assert not AccessAttempt.objects.exists()
