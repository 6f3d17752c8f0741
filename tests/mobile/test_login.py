"""Logging in on /m/ with a username or a phone number; assistants never land on the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.mobile.conftest import english_client, json_post

LOGIN = "/m/login/"


def log_in(client, username, password, next_url=None):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_an_assistant_logs_in_with_the_phone_number_and_lands_on_today(assistant):
    client = english_client()
    response = log_in(client, f"+86 {assistant.phone[:3]} {assistant.phone[3:]}", "bob-pass-123")
    assert response.status_code == 302
    assert response["Location"] == "/m/"
    assert client.get("/m/").status_code == 200


def test_an_assistant_logs_in_with_the_username_too(assistant):
    response = log_in(english_client(), "bob", "bob-pass-123")
    assert response["Location"] == "/m/"


def test_an_assistant_is_never_sent_to_the_admin_even_when_asked(assistant):
    response = log_in(english_client(), "bob", "bob-pass-123", next_url="/admin/")
    assert response["Location"] == "/m/"


def test_an_assistant_goes_back_to_the_mobile_page_they_came_from(assistant):
    response = log_in(english_client(), "bob", "bob-pass-123", next_url="/m/visits/new/")
    assert response["Location"] == "/m/visits/new/"


def test_staff_logging_in_on_the_mobile_page_are_sent_to_the_admin(staff_user):
    response = log_in(english_client(), "alice", "alice-pass-123")
    assert response["Location"] == reverse("admin:index")


def test_a_wrong_password_is_refused_with_a_clear_message(assistant):
    client = english_client()
    response = log_in(client, assistant.phone, "wrong-password")
    assert response.status_code == 200
    assert b'data-testid="login-error"' in response.content
    assert "_auth_user_id" not in client.session


def test_a_phone_number_of_nobody_on_file_is_refused(db):
    assert log_in(english_client(), "13900000000", "whatever-123").status_code == 200


def test_the_login_page_is_chinese_by_default(db):
    response = english_client().get(LOGIN, headers={"Accept-Language": ""})
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_mobile_login(db):
    response = english_client().get("/m/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/m/login/?next=/m/cases/"


def test_the_pages_script_is_told_with_json_when_the_session_is_gone(db):
    response = json_post(english_client(), "/m/visits/new/", {"notes": "x"})
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "login_required"
    assert body["login_url"] == "/m/login/?next=%2Fm%2Fvisits%2Fnew%2F"
    assert "kept on this phone" in body["message"]


def test_staff_without_an_assistant_record_are_sent_to_the_admin(staff_user):
    response = english_client(staff_user).get("/m/")
    assert response["Location"] == reverse("admin:index")


def test_a_partner_manager_is_refused_the_assistants_pages(partner_a_manager):
    assert english_client(partner_a_manager).get("/m/").status_code == 403


def test_logging_out_goes_back_to_the_login(bob):
    response = bob.post("/m/logout/")
    assert response["Location"] == LOGIN
    assert bob.get("/m/").status_code == 302


@pytest.mark.parametrize("method", ["get"])
def test_logging_out_needs_a_post(bob, method):
    assert getattr(bob, method)("/m/logout/").status_code == 405


def test_an_assistant_changes_the_password(bob, assistant):
    response = bob.post(
        "/m/password/",
        {
            "old_password": "bob-pass-123",
            "new_password1": "a-longer-new-secret-42",
            "new_password2": "a-longer-new-secret-42",
        },
    )
    assert response["Location"] == "/m/password/done/"
    assert bob.get("/m/password/done/").status_code == 200
    user = get_user_model().objects.get(pk=assistant.user_id)
    assert user.check_password("a-longer-new-secret-42")
