"""Phone sessions end after an hour unused, staff ones after a working day; passwords are long."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone


def test_the_phone_idle_time_is_an_hour(settings):
    assert settings.MOBILE_SESSION_IDLE_MINUTES == 60


def test_a_phone_left_unused_for_an_hour_is_signed_out(client, district):
    client.force_login(district.users["assistant"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get(reverse("mobile:today")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.get(reverse("mobile:today"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mobile:login"))
    assert "_auth_user_id" not in client.session


def test_a_phone_in_use_stays_signed_in_past_the_hour(client, district):
    client.force_login(district.users["assistant"])
    start = timezone.now()
    for minutes in (0, 40, 80, 120):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            response = client.get(reverse("mobile:today"))
            assert response.status_code == 200, minutes


def test_signing_in_again_after_the_idle_sign_out_works(client, district):
    client.force_login(district.users["assistant"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("mobile:today"))
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        client.get(reverse("mobile:today"))
        # The old stamp belongs to the old session: a new login is not signed out by it.
        client.force_login(district.users["assistant"])
        assert client.get(reverse("mobile:today")).status_code == 200


def test_a_page_view_on_the_phone_writes_nothing_to_the_database(client, district):
    client.force_login(district.users["assistant"])
    client.get(reverse("mobile:today"))
    # The stamp is a cookie: the second view reads the session and the user like the first
    # and writes nothing (no UPDATE of the session row).
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("mobile:today")).status_code == 200
    assert not [q for q in queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]


def test_a_staff_session_keeps_the_working_day_expiry(client, district, settings):
    client.force_login(district.users["staff"])
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 12 * 3600


@pytest.mark.parametrize(
    "password",
    ["short-pw-1", "123456789012345", "password1234", "stella.harbourside1"],
    ids=["under-12", "all-digits", "common", "like-the-username"],
)
def test_a_weak_password_is_refused(password):
    user = get_user_model()(username="stella.harbourside")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_a_long_unusual_password_is_accepted():
    user = get_user_model()(username="stella.harbourside")
    validate_password("violet-47-lanterns-at-dusk", user=user)
