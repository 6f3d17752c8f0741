"""Small defects met when the programme is tried as a new user would: each stays fixed."""

from datetime import date, time
from pathlib import Path

import pytest
from django.utils import translation

from assistants.forms import GenerateRotaForm
from cases import workflow
from cases.models import FollowUp
from tests import factories
from tests.factories.shifts import local
from tests.factories.visits import make_case_in_progress

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rota_form_gives_its_date_inputs_iso_values_in_every_language(language):
    form = GenerateRotaForm(initial={"starts_on": date(2027, 1, 1), "ends_on": date(2027, 1, 31)})
    with translation.override(language):
        html = str(form["starts_on"]) + str(form["ends_on"])
    assert 'value="2027-01-01"' in html
    assert 'value="2027-01-31"' in html
    assert 'type="date"' in html


def test_the_service_point_list_and_page_link_to_its_qr_poster_and_image(staff):
    point = factories.make_service_point(name="茶亭社区服务点")

    listing = staff.get("/admin/assistants/servicepoint/").content.decode()
    page = staff.get(f"/admin/assistants/servicepoint/{point.pk}/change/").content.decode()

    for html in (listing, page):
        assert f'href="/p/point/{point.pk}/poster/"' in html
        assert f'href="/p/point/{point.pk}/qr.svg"' in html


def test_the_api_root_answers_an_index_with_links_to_its_docs(client, db):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["docs"].endswith("/api/v1/docs/")
    assert body["endpoints"]["cases"].endswith("/api/v1/cases/")
    assert client.get(body["docs"]).status_code == 200


def test_there_is_a_favicon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith(".svg")


def test_the_readme_stands_alone_and_names_every_entry_page():
    text = README.read_text(encoding="utf-8")

    assert "../shared" not in text
    for entry in ("/staff/", "/m/", "/partner/", "/p/point/", "/api/v1/docs/", "make run PORT="):
        assert entry in text, entry


@pytest.mark.usefixtures("db")
def test_overdue_return_visits_on_the_phone_are_marked_overdue(client, assistant, time_machine):
    time_machine.move_to(local(date(2026, 3, 10), time(9)), tick=False)
    late = make_case_in_progress(lead=assistant, title="逾期回访")
    soon = make_case_in_progress(lead=assistant, title="本周回访")
    for case, due in ((late, date(2026, 3, 5)), (soon, date(2026, 3, 12))):
        workflow.resolve_case(case=case, outcome="resolved")
        FollowUp.objects.filter(case=case).update(due_on=due)
    client.force_login(assistant.user)
    client.cookies["django_language"] = "en"

    page = client.get("/m/").content.decode()

    section = page[page.index('data-testid="today-follow-ups"') :]
    assert section.count('data-testid="today-follow-up-overdue"') == 1
    late_row = section[section.index("逾期回访") :]
    assert "overdue" in late_row[: late_row.index("</li>")]
    soon_row = section[section.index("本周回访") :]
    assert "overdue" not in soon_row[: soon_row.index("</li>")]
