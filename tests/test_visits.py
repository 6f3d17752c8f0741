"""Logging visits: idempotent retries, the case timeline, and attachments checked by content.

Decision on names and content (documented in cases/visits.py): a photo named as any photo is
accepted and stored under its real format's extension (a PNG named .jpg becomes .png); a photo
named .pdf, a PDF named .jpg, and anything neither a photo nor a PDF are refused.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone, translation

from cases import visits
from cases.models import CaseEvent, Visit, VisitAttachment
from talentoffice import uploads
from tests import factories
from tests.factories.visits import (
    EXE,
    HEIC,
    JPEG,
    PDF,
    PNG,
    WEBP,
    an_hour_ago,
    make_case_in_progress,
    upload,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files land in a fresh folder per test, so leftovers can be counted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    """The messages below are matched in English; the catalogue says them in Chinese too."""
    with translation.override("en"):
        yield


def stored_files(media_root) -> list[Path]:
    root = Path(media_root)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def log(assistant, **overrides):
    fields = {
        "assistant": assistant,
        "kind": "consultation",
        "occurred_at": an_hour_ago(),
        "duration_minutes": 30,
        "service_point": factories.make_service_point(),
    } | overrides
    return visits.log_visit(**fields)


def test_a_visit_on_a_case_writes_a_visit_entry_in_the_case_timeline(assistant):
    case = make_case_in_progress(lead=assistant)
    visit, created = log(assistant, case=case, kind="mediation", notes="双方达成调解意向")
    assert created is True
    event = case.events.get(kind="visit")
    assert event.assistant == assistant
    assert event.actor == assistant.user
    assert "双方达成调解意向" in event.note
    assert visit.case == case


def test_a_routine_enterprise_visit_stands_alone_without_a_case(assistant):
    enterprise = factories.make_enterprise()
    visit, created = log(
        assistant, kind="enterprise_visit", service_point=None, enterprise=enterprise
    )
    assert created is True
    assert visit.case is None
    assert visit.enterprise == enterprise
    assert not CaseEvent.objects.filter(kind="visit").exists()


def test_a_retried_submission_with_the_same_key_returns_the_first_visit_and_creates_nothing(
    assistant,
):
    case = make_case_in_progress(lead=assistant)
    first, first_created = log(assistant, case=case, idempotency_key="c0ffee-1")
    again, again_created = log(
        assistant, case=case, idempotency_key="c0ffee-1", notes="a retry after a timeout"
    )
    assert (first_created, again_created) == (True, False)
    assert again.pk == first.pk
    assert again.notes == ""  # the first submission's content, not the retry's
    assert Visit.objects.count() == 1
    assert case.events.filter(kind="visit").count() == 1


def test_a_retry_racing_past_the_first_check_still_returns_the_first_visit(
    assistant, media_root, monkeypatch
):
    first, _created = log(assistant, idempotency_key="raced")
    # Both copies of the submission checked the key before either saved: the second one only
    # learns about the first from the unique index.
    real_key_seen = visits._key_seen
    checks = []

    def key_seen_too_late(key):
        checks.append(key)
        return len(checks) > 1 and real_key_seen(key)

    monkeypatch.setattr(visits, "_key_seen", key_seen_too_late)
    again, created = log(assistant, idempotency_key="raced", attachments=[upload("a.jpg", JPEG)])
    assert (again.pk, created) == (first.pk, False)
    assert len(checks) == 2  # the early check missed it; the unique index caught it
    assert Visit.objects.count() == 1
    assert stored_files(media_root) == []


def test_a_retry_does_not_write_its_attachments_a_second_time(assistant, media_root):
    log(assistant, attachments=[upload("a.jpg", JPEG)], idempotency_key="k-2")
    log(assistant, attachments=[upload("a.jpg", JPEG)], idempotency_key="k-2")
    assert VisitAttachment.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_a_key_already_used_by_another_assistant_is_refused(assistant, second_assistant):
    log(assistant, idempotency_key="shared-key")
    with pytest.raises(ValidationError, match="already used"):
        log(second_assistant, idempotency_key="shared-key")
    assert Visit.objects.count() == 1


def test_a_visit_without_a_place_is_refused(assistant):
    with pytest.raises(ValidationError) as error:
        log(assistant, service_point=None)
    assert "service_point" in error.value.message_dict
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_is_refused(assistant):
    with pytest.raises(ValidationError) as error:
        log(assistant, occurred_at=timezone.now() + timedelta(hours=2))
    assert "occurred_at" in error.value.message_dict


def test_a_duration_over_a_day_is_refused(assistant):
    with pytest.raises(ValidationError) as error:
        log(assistant, duration_minutes=24 * 60 + 1)
    assert "duration_minutes" in error.value.message_dict
    assert not Visit.objects.exists()


def test_only_the_lead_or_a_helper_logs_a_visit_on_a_case(assistant, second_assistant):
    case = make_case_in_progress(lead=assistant)
    with pytest.raises(ValidationError, match="lead assistant or a helper"):
        log(second_assistant, case=case)
    case.helpers.add(second_assistant)
    _visit, created = log(second_assistant, case=case)
    assert created is True


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_suffix"),
    [
        ("现场照片.jpg", JPEG, "image/jpeg", ".jpg"),
        ("photo.JPEG", JPEG, "image/jpeg", ".jpg"),
        ("screenshot.png", PNG, "image/png", ".png"),
        ("wechat.webp", WEBP, "image/webp", ".webp"),
        ("iphone.heic", HEIC, "image/heic", ".heic"),
        ("调解协议.pdf", PDF, "application/pdf", ".pdf"),
        # A photo named as another photo format: accepted, stored as what it really is.
        ("wechat-export.jpg", PNG, "image/png", ".png"),
        # No extension says nothing false; the content decides.
        ("IMG_0001", JPEG, "image/jpeg", ".jpg"),
    ],
)
def test_photos_and_pdfs_are_accepted_by_their_content(
    assistant, name, content, content_type, stored_suffix
):
    visit, _created = log(assistant, attachments=[upload(name, content, "text/plain")])
    attachment = visit.attachments.get()
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.file.name.startswith(f"visits/{visit.pk}/")
    assert attachment.file.name.endswith(stored_suffix)
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_a_heif_container_is_accepted_as_heif(assistant):
    content = b"\x00\x00\x00\x18ftypmif1" + b"\x00" * 32
    visit, _created = log(assistant, attachments=[upload("photo.heif", content)])
    assert visit.attachments.get().content_type == "image/heif"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.jpg", PDF, "named as a photo but its content is a PDF"),
        ("photo.pdf", PNG, "named as a PDF document but its content is a photo"),
        ("photo.jpg", EXE, "not a photo"),
        ("photo.jpg", b"just some random bytes, not an image at all", "not a photo"),
        ("setup.exe", JPEG, "not a photo's or a PDF's"),
        ("empty.jpg", b"", "is empty"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_saved(
    assistant, media_root, name, content, message
):
    with pytest.raises(ValidationError, match=message):
        log(assistant, attachments=[upload(name, content, "image/jpeg")])
    assert not Visit.objects.exists()
    assert not VisitAttachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused(assistant, settings, media_root):
    settings.VISIT_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=r"at most 1\.0"):
        log(assistant, attachments=[upload("big.jpg", JPEG + b"\x00" * 1024)])
    assert not Visit.objects.exists()
    assert stored_files(media_root) == []


def test_the_size_limit_is_ten_megabytes_unless_the_setting_says_otherwise():
    assert uploads.max_attachment_bytes() == 10 * 1024 * 1024


def test_one_bad_attachment_of_two_saves_neither_nor_the_visit(assistant, media_root):
    case = make_case_in_progress(lead=assistant)
    events_before = case.events.count()
    with pytest.raises(ValidationError) as error:
        log(
            assistant,
            case=case,
            attachments=[upload("good.jpg", JPEG), upload("bad.jpg", PDF)],
        )
    assert "bad.jpg" in " ".join(error.value.messages)
    assert not Visit.objects.exists()
    assert not VisitAttachment.objects.exists()
    assert case.events.count() == events_before
    assert stored_files(media_root) == []


def test_every_bad_attachment_is_named_in_one_refusal(assistant):
    with pytest.raises(ValidationError) as error:
        log(assistant, attachments=[upload("one.jpg", PDF), upload("two.jpg", EXE)])
    messages = " ".join(error.value.messages)
    assert "one.jpg" in messages
    assert "two.jpg" in messages


def test_files_written_before_a_database_error_are_deleted_again(
    assistant, media_root, monkeypatch
):
    real_save = VisitAttachment.save
    calls = []

    def fail_on_second(self, *args, **kwargs):
        calls.append(self.file.name)
        if len(calls) == 2:
            raise IntegrityError("simulated failure after the second file was written")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(VisitAttachment, "save", fail_on_second)
    with pytest.raises(IntegrityError):
        log(assistant, attachments=[upload("a.jpg", JPEG), upload("b.png", PNG)])
    assert len(calls) == 2  # both files reached the storage before the failure
    assert not Visit.objects.exists()
    assert stored_files(media_root) == []


def test_each_attachment_on_a_case_visit_is_a_timeline_entry(assistant):
    case = make_case_in_progress(lead=assistant)
    log(assistant, case=case, attachments=[upload("a.jpg", JPEG), upload("协议.pdf", PDF)])
    notes = sorted(case.events.filter(kind="attachment").values_list("note", flat=True))
    assert len(notes) == 2
    assert notes[0].endswith(".jpg")
    assert notes[1].endswith(".pdf")


def test_attachments_added_later_are_checked_the_same_way(assistant, media_root):
    visit, _created = log(assistant)
    with pytest.raises(ValidationError, match="content is a PDF"):
        visits.attach_files(visit=visit, files=[upload("ok.jpg", JPEG), upload("x.jpg", PDF)])
    assert not visit.attachments.exists()
    assert stored_files(media_root) == []
    visits.attach_files(visit=visit, files=[upload("ok.jpg", JPEG)])
    assert visit.attachments.get().content_type == "image/jpeg"
