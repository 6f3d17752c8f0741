"""One login page sends each role home; a page of another role says where to go, in Chinese."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from talentoffice.access import home_url_for
from tests.portal.conftest import client_of

pytestmark = pytest.mark.django_db


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_sends_a_partner_manager_to_the_portal(client, partner_a_manager):
    response = log_in(client, "erin", "erin-pass-123")
    assert response.status_code == 302
    assert response["Location"] == "/partner/"
    assert client.get("/partner/").status_code == 200


def test_the_login_page_sends_an_assistant_to_the_phone_pages_by_phone_number(client, assistant):
    response = log_in(client, assistant.phone, "bob-pass-123")
    assert response["Location"] == "/m/"


def test_the_login_page_sends_staff_to_their_workspace(client, staff_user):
    response = log_in(client, "alice", "alice-pass-123")
    assert response["Location"] == home_url_for(staff_user)
    assert response["Location"] == reverse("steering:workspace")


def test_a_wrong_password_stays_on_the_login_page_with_a_chinese_message(client, assistant):
    response = client.post(
        reverse("login"),
        {"username": "bob", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "login-error" in response.content.decode()


def test_the_site_root_sends_each_role_home(assistant, partner_a_manager):
    assert client_of(None).get("/")["Location"] == "/login/"
    assert client_of(partner_a_manager).get("/")["Location"] == "/partner/"
    assert client_of(assistant.user).get("/")["Location"] == "/m/"


def test_the_phone_login_sends_a_partner_manager_to_the_portal_too(client, partner_a_manager):
    response = client.post(
        reverse("mobile:login"), {"username": "erin", "password": "erin-pass-123"}
    )
    assert response["Location"] == "/partner/"


def test_a_partner_manager_on_the_phone_pages_is_told_in_chinese_where_to_go(partner_a_manager):
    response = client_of(partner_a_manager).get("/m/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "此页面不属于您" in page
    assert 'href="/partner/"' in page
    assert "<header" in page


def test_an_assistant_on_the_portal_is_told_where_to_go(assistant):
    response = client_of(assistant.user).get("/partner/")
    assert response.status_code == 403
    assert 'href="/m/"' in response.content.decode()


def test_an_anonymous_visitor_of_the_portal_is_sent_to_the_one_login_page(client):
    response = client.get("/partner/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/partner/cases/"


def test_the_login_page_counts_failures_towards_the_lockout(client, partner_a_manager, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _attempt in range(2):
        log_in(client, "erin", "wrong")
    response = log_in(client, "erin", "erin-pass-123")
    assert response.status_code == 429
    assert not get_user_model().objects.get(username="erin").last_login
