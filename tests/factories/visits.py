"""Builders for cases, visits, attachments, council meetings and liaisons (visits area)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import workflow
from cases.models import Case, EnterpriseLiaison
from tests import factories

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """An uploaded file as a browser would send it; the declared type is never trusted."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_case(**overrides) -> Case:
    """A new case for a resident, created through the workflow like every case."""
    fields = {"title": f"诉求{factories.next_number()}", "source": "service_window"} | overrides
    if "service_item" not in fields:
        fields["service_item"] = factories.make_service_item()
    if "resident" not in fields and "enterprise" not in fields:
        fields["resident"] = factories.make_resident()
    return workflow.create_case(**fields)


def make_assigned_case(*, lead, by=None, **overrides) -> Case:
    return workflow.assign_case(case=make_case(**overrides), lead=lead, by=by)


def make_case_in_progress(*, lead, by=None, **overrides) -> Case:
    case = make_assigned_case(lead=lead, by=by, **overrides)
    return workflow.accept_case(case=case, assistant=lead)


def make_liaison(**overrides) -> EnterpriseLiaison:
    fields = {"visit_interval_days": 30} | overrides
    if "enterprise" not in fields:
        fields["enterprise"] = factories.make_enterprise()
    if "assistant" not in fields:
        fields["assistant"] = factories.make_assistant()
    return EnterpriseLiaison.objects.create(**fields)


def an_hour_ago():
    return timezone.now() - timedelta(hours=1)
