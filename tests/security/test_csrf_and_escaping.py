"""A forged or missing CSRF token is refused on every kind of form, and nothing is saved; script
typed into a text field is shown as text on every kind of page."""

import pytest
from django.test import Client
from django.urls import reverse

from assistants.models import Rota, ServicePoint, Shift
from cases.models import Case
from cases.public_views import point_token

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
FORGED = "f" * 64


@pytest.fixture
def csrf_client():
    """A client that, like a browser, must show a CSRF token with every form it posts."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("token", [None, FORGED], ids=["missing", "forged"])
def test_an_admin_change_without_a_valid_token_is_refused(csrf_client, district, token):
    csrf_client.force_login(district.users["staff"])
    point = district["east"]
    data = {"name": "改名服务点", "kind": "community_point", "street": point.street_id}
    if token:
        data["csrfmiddlewaretoken"] = token
        csrf_client.cookies["csrftoken"] = "e" * 32
    url = reverse("admin:assistants_servicepoint_change", args=[point.pk])
    response = csrf_client.post(url, data)
    assert response.status_code == 403
    assert ServicePoint.objects.get(pk=point.pk).name == "东街服务点"


def test_a_staff_page_form_without_a_token_is_refused(csrf_client, district):
    csrf_client.force_login(district.users["staff"])
    response = csrf_client.post(
        reverse("rota:generate"), {"starts_on": "2026-12-01", "ends_on": "2026-12-31"}
    )
    assert response.status_code == 403
    assert not Rota.objects.exists()


@pytest.mark.parametrize("token", [None, FORGED], ids=["missing", "forged"])
def test_a_public_form_without_a_valid_token_is_refused(csrf_client, district, token):
    cases = Case.objects.count()
    data = {"name": "王小明", "phone": "13812345678", "description": "咨询"}
    if token:
        data["csrfmiddlewaretoken"] = token
    url = reverse("public:form", args=[point_token(district["east"])])
    response = csrf_client.post(url, data)
    assert response.status_code == 403
    assert Case.objects.count() == cases


def test_a_mobile_check_in_without_a_token_is_refused(csrf_client, district):
    csrf_client.force_login(district.users["assistant"])
    shift = district["east shift"]
    response = csrf_client.post(reverse("mobile:check_in", args=[shift.pk]))
    assert response.status_code == 403
    assert Shift.objects.get(pk=shift.pk).checked_in_at is None


def test_an_api_write_on_a_session_without_a_token_is_refused(csrf_client, district):
    csrf_client.force_login(district.users["partner manager"])
    response = csrf_client.post(
        reverse("api:webhook-endpoint-list"),
        {"url": "https://hooks.example.com/x", "events": ["case.resolved"]},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403


# --- script in text fields ------------------------------------------------------------------


@pytest.fixture
def scripted(district):
    """Script typed by staff, a partner or a resident into names and titles."""
    bob = district["bob"]
    bob.name = SCRIPT
    bob.save(update_fields=["name"])
    point = district["east"]
    point.name = SCRIPT
    point.address = SCRIPT
    point.save(update_fields=["name", "address"])
    case = district["east case"]
    Case.objects.filter(pk=case.pk).update(title=SCRIPT, description=SCRIPT)
    return district


def assert_escaped(response):
    assert response.status_code == 200
    assert SCRIPT not in response.text
    assert ESCAPED in response.text


def test_script_is_text_in_the_admin(client, scripted):
    client.force_login(scripted.users["administrator"])
    for url in (
        reverse("admin:assistants_assistant_changelist"),
        reverse("admin:assistants_servicepoint_changelist"),
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[scripted["east case"].pk]),
        reverse("admin:assistants_assistant_change", args=[scripted["bob"].pk]),
    ):
        assert_escaped(client.get(url))


def test_script_is_text_on_the_staff_pages(client, scripted):
    client.force_login(scripted.users["staff"])
    assert_escaped(client.get(reverse("rota:week"), {"start": "2026-03-02"}))
    assert_escaped(client.get(reverse("public:point_poster", args=[scripted["east"].pk])))


def test_script_is_text_on_the_public_form(client, scripted):
    assert_escaped(client.get(reverse("public:form", args=[point_token(scripted["east"])])))


def test_script_is_text_on_the_mobile_pages(client, scripted):
    client.force_login(scripted.users["assistant"])
    assert_escaped(client.get(reverse("mobile:case_detail", args=[scripted["east case"].pk])))
    assert_escaped(client.get(reverse("mobile:cases")))


def test_script_is_text_on_the_browsable_api_and_data_in_its_json(client, scripted):
    client.force_login(scripted.users["partner manager"])
    page = client.get(reverse("api:assistant-list"), HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert SCRIPT not in page.text
    data = client.get(reverse("api:assistant-list"), HTTP_ACCEPT="application/json")
    assert data["Content-Type"].startswith("application/json")
    assert SCRIPT in {row["name"] for row in data.json()["results"]}
