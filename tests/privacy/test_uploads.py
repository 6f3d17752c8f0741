"""Uploads: checked by size and content, kept under random names, served only to who may see."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import visits
from tests import factories
from tests.factories.visits import EXE, JPEG, PDF, an_hour_ago, upload


def fetch(client, url):
    """GET a file and read its body, which closes the file (the test client closes at the end)."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def log_with(assistant, *files):
    visit, _created = visits.log_visit(
        assistant=assistant,
        kind="consultation",
        occurred_at=an_hour_ago(),
        duration_minutes=30,
        service_point=factories.make_service_point(),
        attachments=files,
    )
    return visit


@pytest.fixture
def photo(assistant):
    visit = log_with(assistant, upload("王小明家门口.jpg", JPEG, "image/jpeg"))
    return visit.attachments.get()


def test_an_attachment_is_stored_under_a_random_name_with_its_real_extension(photo):
    stored = photo.file.name

    assert stored.startswith(f"visits/{photo.visit_id}/")
    assert "王小明" not in stored
    assert stored.endswith(".jpg")
    assert len(stored.rsplit("/", 1)[1]) == 32 + len(".jpg")
    assert str(photo) == "王小明家门口.jpg"


def test_an_oversized_or_disguised_upload_is_refused_and_nothing_is_kept(
    assistant, settings, media_root
):
    settings.VISIT_ATTACHMENT_MAX_BYTES = 100

    with pytest.raises(ValidationError) as too_big:
        log_with(assistant, upload("scan.pdf", PDF + b"0" * 200))
    with pytest.raises(ValidationError) as disguised:
        log_with(assistant, upload("photo.jpg", EXE))

    assert too_big.value.error_list[0].code == "too_large"
    assert disguised.value.error_list[0].code == "type_not_allowed"
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_the_assistant_who_logged_the_visit_downloads_its_photo(client, assistant, photo):
    client.force_login(assistant.user)

    response, body = fetch(client, photo.get_absolute_url())

    assert photo.get_absolute_url() == f"/files/visits/{photo.pk}/"
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert body == JPEG


def test_another_assistants_attachment_answers_404(client, second_assistant, photo):
    client.force_login(second_assistant.user)

    assert client.get(photo.get_absolute_url()).status_code == 404
    assert client.get(f"/media/{photo.file.name}").status_code == 404


def test_another_partners_manager_gets_404_and_the_own_partners_manager_gets_the_file(
    client, photo, partner_a_manager, partner_b_manager
):
    client.force_login(partner_b_manager)
    assert client.get(photo.get_absolute_url()).status_code == 404

    client.force_login(partner_a_manager)
    assert fetch(client, photo.get_absolute_url())[0].status_code == 200


def test_a_made_up_attachment_or_path_answers_404(staff_client, photo):
    missing = reverse("files:visit_attachment", args=[photo.pk + 1000])
    assert staff_client.get(missing).status_code == 404
    assert staff_client.get("/media/visits/1/../../settings.py").status_code == 404
    assert staff_client.get("/media/anything/else.jpg").status_code == 404


def test_nobody_signed_out_gets_a_file(client, photo):
    response = client.get(photo.get_absolute_url())

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_pdf_is_shown_inline_in_a_sandbox_and_staff_reach_it_by_its_storage_path(
    staff_client, assistant
):
    visit = log_with(assistant, upload("协议.pdf", PDF))
    attachment = visit.attachments.get()

    by_url, _body = fetch(staff_client, attachment.get_absolute_url())
    by_path, body = fetch(staff_client, f"/media/{attachment.file.name}")

    assert by_url.status_code == by_path.status_code == 200
    assert by_url["Content-Type"] == "application/pdf"
    assert "sandbox" in by_url["Content-Security-Policy"]
    assert body == PDF


def test_an_agreement_scan_is_checked_by_content_and_stored_under_a_random_name(staff_client):
    partner = factories.make_partner()
    url = reverse("admin:partners_agreement_add")
    fields = {
        "partner": partner.pk,
        "title": "战略合作协议",
        "signed_on": "2024-01-10",
        "starts_on": "2024-01-10",
        "ends_on": "2026-12-31",
    }

    refused = staff_client.post(
        url, {**fields, "document": SimpleUploadedFile("协议.pdf", EXE)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    accepted = staff_client.post(url, {**fields, "document": SimpleUploadedFile("协议.pdf", PDF)})

    assert refused.status_code == 200
    assert "must be a PDF" in refused.content.decode()
    assert accepted.status_code == 302
    agreement = partner.agreements.get()
    assert "协议" not in agreement.document.name
    assert agreement.document.name.endswith(".pdf")


def test_the_partners_own_manager_downloads_its_agreement_and_no_one_else_does(
    client, partner_a, partner_a_manager, partner_b_manager
):
    agreement = factories.make_agreement(
        partner=partner_a, document=SimpleUploadedFile("a.pdf", PDF)
    )
    path = f"/media/{agreement.document.name}"

    client.force_login(partner_b_manager)
    assert client.get(path).status_code == 404
    client.force_login(partner_a_manager)
    response, body = fetch(client, path)
    assert response.status_code == 200
    assert body == PDF


def test_uploads_inside_a_static_folder_are_refused_by_a_system_check(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "static" / "media"

    errors = [error.id for error in run_checks()]

    assert "cases.E001" in errors
