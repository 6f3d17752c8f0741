"""Logging a visit from the phone: one visit per key, clear refusals, photos made smaller."""

import io
import os
from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.models import Visit, VisitAttachment
from tests.factories.shifts import local
from tests.factories.visits import PDF, make_case_in_progress, make_liaison
from tests.mobile.conftest import english_client, json_post


def photo(name="现场.jpg", size=(3000, 2000), fmt="JPEG") -> SimpleUploadedFile:
    """A real photo as a phone camera sends it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def case(assistant):
    return make_case_in_progress(lead=assistant, title="楼道漏水纠纷")


def form(case, **overrides):
    return {
        "idempotency_key": "0f8c1d2e3b4a59687766554433221100",
        "target": f"case:{case.pk}",
        "kind": "mediation",
        "occurred_at": "2026-03-03T08:30",
        "duration_minutes": "40",
        "people_present": "3",
        "notes": "双方同意调解",
    } | overrides


def test_the_visit_form_carries_a_fresh_idempotency_key(bob, case):
    first = bob.get(f"/m/visits/new/?target=case:{case.pk}").content.decode()
    second = bob.get("/m/visits/new/").content.decode()
    assert 'data-testid="visit-idempotency-key"' in first
    key = first.split('name="idempotency_key" value="')[1][:32]
    assert key not in second
    assert f'value="case:{case.pk}" selected' in first
    assert 'capture="environment"' in first


def test_a_visit_is_logged_on_the_case_and_the_page_goes_back_to_it(bob, case, assistant):
    response = bob.post("/m/visits/new/", form(case))
    assert response["Location"] == f"/m/cases/{case.pk}/"
    visit = Visit.objects.get()
    assert (visit.assistant, visit.case, visit.resident) == (assistant, case, case.resident)
    assert visit.people_present == 3


def test_the_same_key_twice_saves_one_visit(bob, case):
    bob.post("/m/visits/new/", form(case))
    response = bob.post("/m/visits/new/", form(case))
    assert response["Location"] == f"/m/cases/{case.pk}/"
    assert Visit.objects.count() == 1


def test_a_retry_from_the_script_answers_with_the_first_visit(bob, case):
    first = json_post(bob, "/m/visits/new/", form(case))
    second = json_post(bob, "/m/visits/new/", form(case))
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["visit"] == second.json()["visit"]
    assert second.json()["created"] is False
    assert Visit.objects.count() == 1


def test_a_draft_sent_after_the_session_ended_is_kept_and_sent_after_login(case, assistant):
    phone = english_client()  # the session is gone
    refused = json_post(phone, "/m/visits/new/", form(case))
    assert refused.status_code == 401
    assert Visit.objects.count() == 0
    phone.post("/m/login/", {"username": assistant.phone, "password": "bob-pass-123"})
    sent = json_post(phone, "/m/visits/new/", form(case))
    assert sent.status_code == 201
    assert Visit.objects.count() == 1


def test_a_visit_dated_in_the_future_is_refused_with_the_field_named(bob, case):
    response = json_post(bob, "/m/visits/new/", form(case, occurred_at="2026-03-04T08:30"))
    assert response.status_code == 400
    assert response.json()["errors"]["occurred_at"] == ["The visit time cannot be in the future."]
    assert Visit.objects.count() == 0


def test_a_refused_visit_keeps_what_was_typed(bob, case):
    response = bob.post("/m/visits/new/", form(case, occurred_at="2026-03-04T08:30"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "双方同意调解" in page
    assert "0f8c1d2e3b4a59687766554433221100" in page


def test_a_photo_is_made_smaller_and_kept_as_jpeg(bob, case, media_root):
    response = bob.post(
        "/m/visits/new/", form(case) | {"photos": [photo(), photo("b.png", fmt="PNG")]}
    )
    assert response.status_code == 302
    attachments = list(VisitAttachment.objects.order_by("pk"))
    assert len(attachments) == 2
    for attachment in attachments:
        assert attachment.content_type == "image/jpeg"
        with Image.open(os.path.join(media_root, attachment.file.name)) as kept:
            assert max(kept.size) == 1600
    assert str(attachments[1]) == "b.jpg"
    page = bob.get(f"/m/cases/{case.pk}/").content.decode()
    assert "现场.jpg" in page


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(bob, case):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo at all", "image/jpeg")
    response = json_post(bob, "/m/visits/new/", form(case) | {"photos": [fake]})
    assert response.status_code == 400
    assert "is not a photo" in response.json()["errors"]["photos"][0]
    assert Visit.objects.count() == 0


def test_a_broken_photo_is_refused_with_a_clear_message(bob, case):
    broken = SimpleUploadedFile("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, "image/jpeg")
    response = json_post(bob, "/m/visits/new/", form(case) | {"photos": [broken]})
    assert response.status_code == 400
    assert "could not be read as a photo" in response.json()["errors"]["photos"][0]


def test_a_photo_too_big_to_upload_is_refused(bob, case, settings):
    settings.MOBILE_PHOTO_MAX_UPLOAD_BYTES = 1000
    response = bob.post("/m/visits/new/", form(case) | {"photos": [photo()]})
    assert response.status_code == 400
    assert "a photo may be at most" in response.content.decode()
    assert Visit.objects.count() == 0


def test_a_pdf_is_kept_as_it_is(bob, case):
    bob.post(
        "/m/visits/new/",
        form(case) | {"photos": [SimpleUploadedFile("协议.pdf", PDF, "application/pdf")]},
    )
    assert VisitAttachment.objects.get().content_type == "application/pdf"


def test_an_enterprise_i_liaise_with_is_visited_without_a_case(bob, assistant):
    link = make_liaison(assistant=assistant)
    response = bob.post(
        "/m/visits/new/",
        {
            "idempotency_key": "k-enterprise",
            "target": f"enterprise:{link.enterprise_id}",
            "kind": "enterprise_visit",
            "occurred_at": "2026-03-03T08:00",
            "duration_minutes": "60",
            "people_present": "2",
        },
    )
    visit = Visit.objects.get()
    assert response["Location"] == f"/m/visits/{visit.pk}/"
    assert visit.enterprise_id == link.enterprise_id
    assert bob.get(f"/m/visits/{visit.pk}/").status_code == 200


def test_search_finds_my_cases_and_requesters_only(bob, case, second_assistant):
    make_case_in_progress(lead=second_assistant, title="楼道别人的")
    results = bob.get("/m/search/?q=楼道", headers={"X-Requested-With": "XMLHttpRequest"}).json()
    assert results["results"] == [
        {"value": f"case:{case.pk}", "label": f"{case.number} · 楼道漏水纠纷"}
    ]


def test_every_mistake_of_a_visit_is_named_at_once_the_photo_with_the_date(bob, case):
    fake = SimpleUploadedFile("scan.jpg", b"MZ\x90\x00 not a photo at all", "image/jpeg")
    response = json_post(
        bob, "/m/visits/new/", form(case, occurred_at="2026-03-04T08:30") | {"photos": [fake]}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["occurred_at"] == ["The visit time cannot be in the future."]
    assert "is not a photo" in errors["photos"][0]


def test_a_photo_is_checked_even_when_a_field_is_missing(bob, case):
    fake = SimpleUploadedFile("scan.jpg", b"MZ\x90\x00 not a photo at all", "image/jpeg")
    response = json_post(
        bob, "/m/visits/new/", form(case, duration_minutes="") | {"photos": [fake]}
    )
    assert set(response.json()["errors"]) == {"duration_minutes", "photos"}
    assert Visit.objects.count() == 0


def test_a_visit_during_my_shift_records_its_service_point(bob, case, shift, time_machine):
    time_machine.move_to(local(date(2026, 3, 3), time(10, 0)), tick=False)
    bob.post("/m/visits/new/", form(case, occurred_at="2026-03-03T09:30"))
    assert Visit.objects.get().service_point == shift.service_point


def test_a_visit_on_a_day_without_a_shift_records_no_service_point(bob, case, shift):
    bob.post("/m/visits/new/", form(case, occurred_at="2026-03-02T15:00"))
    assert Visit.objects.get().service_point is None
