"""An activity photo's content is checked when it is uploaded, and only then."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from steering.models import ActivityPhoto
from tests.steering.test_admin import make_activity


def photo(name="talk.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_new_upload_that_is_not_a_photo_is_refused(db, media):
    fake = ActivityPhoto(
        activity=make_activity(),
        file=SimpleUploadedFile("talk.png", b"not a picture at all", content_type="image/png"),
    )

    with pytest.raises(ValidationError):
        fake.full_clean()


def test_a_saved_photo_is_not_read_again_when_its_caption_changes(db, media, monkeypatch):
    saved = ActivityPhoto(activity=make_activity(), file=photo())
    saved.full_clean()
    saved.save()

    def refuse(upload):
        raise AssertionError("the stored file was checked again")

    monkeypatch.setattr("talentoffice.uploads.check_attachment", refuse)
    again = ActivityPhoto.objects.get(pk=saved.pk)
    again.caption = "宣讲现场"
    again.full_clean()


def test_a_replaced_photo_is_checked(db, media):
    saved = ActivityPhoto(activity=make_activity(), file=photo())
    saved.full_clean()
    saved.save()

    saved.file = SimpleUploadedFile("new.png", b"still not a picture", content_type="image/png")

    with pytest.raises(ValidationError):
        saved.full_clean()
