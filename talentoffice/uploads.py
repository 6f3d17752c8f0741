"""Upload checks: a file is what its first bytes say, never what its name says.

A phone can name anything `.jpg`, and a file served back to staff's browsers must be what we
claim it is. Name and content must agree at the level that matters to a reader: a photo named
as a photo is accepted whatever its image format (phones save WebP or HEIC as `.jpg`); a PDF
must be named `.pdf`; a photo named `.pdf`, a PDF named `.jpg`, or anything that is neither a
photo nor a PDF is refused.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SNIFF_BYTES = 16

IMAGE = "image"
DOCUMENT = "document"

# Extensions a name may carry, and the kind of content each promises.
EXTENSION_KINDS = {
    ".jpg": IMAGE,
    ".jpeg": IMAGE,
    ".png": IMAGE,
    ".webp": IMAGE,
    ".heic": IMAGE,
    ".heif": IMAGE,
    ".pdf": DOCUMENT,
}


@dataclass(frozen=True)
class Sniffed:
    """What an attachment's first bytes say it is."""

    content_type: str
    extension: str
    kind: str


def sniff(head: bytes) -> Sniffed | None:
    """The type of a file from its first bytes (magic numbers), or None when not allowed."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", ".jpg", IMAGE)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", ".png", IMAGE)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", ".webp", IMAGE)
    if head[4:12] in (b"ftypheic", b"ftypheix"):
        return Sniffed("image/heic", ".heic", IMAGE)
    if head[4:12] == b"ftypmif1":
        return Sniffed("image/heif", ".heif", IMAGE)
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", ".pdf", DOCUMENT)
    return None


def max_attachment_bytes() -> int:
    """The largest attachment accepted, from settings.VISIT_ATTACHMENT_MAX_BYTES."""
    return settings.VISIT_ATTACHMENT_MAX_BYTES


def read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head or b""


def check_attachment(upload) -> Sniffed:
    """Check one uploaded file's size and content; raise ValidationError saying what is wrong."""
    name = os.path.basename(upload.name or "")
    size = upload.size
    limit = max_attachment_bytes()
    if not size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; an attachment may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    sniffed = sniff(read_head(upload))
    if sniffed is None:
        raise ValidationError(
            _("“%(name)s” is not a photo (JPEG, PNG, WebP, HEIC) or a PDF document.")
            % {"name": name},
            code="type_not_allowed",
        )
    extension = os.path.splitext(name)[1].lower()
    if extension:
        promised = EXTENSION_KINDS.get(extension)
        if promised is None:
            raise ValidationError(
                _("“%(name)s” has a name that is not a photo's or a PDF's.") % {"name": name},
                code="type_not_allowed",
            )
        if promised != sniffed.kind:
            # A name that lies about its content: "report.jpg" that is really a PDF, or the reverse.
            raise ValidationError(
                _("“%(name)s” is named as %(promised)s but its content is %(actual)s.")
                % {
                    "name": name,
                    "promised": _("a photo") if promised == IMAGE else _("a PDF document"),
                    "actual": _("a photo") if sniffed.kind == IMAGE else _("a PDF document"),
                },
                code="type_mismatch",
            )
    return sniffed


def check_attachments(uploads) -> list[Sniffed]:
    """Check every file before any is written; all problems are reported together."""
    results, errors = [], []
    for upload in uploads:
        try:
            results.append(check_attachment(upload))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return results


# What a signed agreement may be, told by its first bytes: a PDF, a scan, or a Word file.
DOCUMENT_SIGNATURES = {
    b"%PDF-": (".pdf",),
    b"\xff\xd8\xff": (".jpg", ".jpeg"),
    b"\x89PNG\r\n\x1a\n": (".png",),
    b"PK\x03\x04": (".docx",),
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": (".doc",),
}


def check_document(upload) -> str:
    """Check a signed agreement's size and first bytes; its extension, or ValidationError."""
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The document is %(size)s; it may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    head = read_head(upload)
    extension = os.path.splitext(upload.name or "")[1].lower()
    allowed = next(
        (names for magic, names in DOCUMENT_SIGNATURES.items() if head.startswith(magic)), ()
    )
    if extension not in allowed:
        raise ValidationError(
            _("The document must be a PDF, a JPEG or PNG scan or a Word file, named as such."),
            code="type_not_allowed",
        )
    return extension
