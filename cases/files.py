"""Uploaded files, served only to people who may see the object they belong to.

Uploads live under MEDIA_ROOT, outside every static folder, with random names; no web server
publishes that folder. A file is reached through its object: a visit's attachment through the
visit (`Visit.objects.visible_to`), an agreement's scan through the agreement. Anyone else, and
a guessed or made-up path, gets a 404 that says nothing about whether the file exists.
"""

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from partners.models import Agreement

from .models import Visit, VisitAttachment

# Types a browser may show inline; anything else is offered as a download.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


def file_response(field_file, *, content_type: str, filename: str) -> FileResponse:
    """The file with its checked type, never sniffed by the browser and never cached publicly."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type not in INLINE_TYPES,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    # A PDF opened inline must not run anything of ours, nor be framed by another site.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def visible_attachments(user):
    """The attachments of the visits this user may see."""
    return VisitAttachment.objects.filter(visit__in=Visit.objects.visible_to(user))


@require_GET
@login_required
def visit_attachment(request, pk):
    """One attachment of a visit the user may see; 404 for anyone else."""
    attachment = get_object_or_404(visible_attachments(request.user), pk=pk)
    return file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name or os.path.basename(attachment.file.name),
    )


@require_GET
@login_required
def protected_media(request, path):
    """An upload by its storage path (the admin's file links), scoped like its object.

    Routed from the URL root under MEDIA_URL; any path that is not a known kind of upload
    answers 404.
    """
    if path.startswith("visits/"):
        attachment = get_object_or_404(visible_attachments(request.user), file=path)
        return visit_attachment(request, attachment.pk)
    if path.startswith("agreements/"):
        agreement = get_object_or_404(Agreement.objects.visible_to(request.user), document=path)
        extension = os.path.splitext(path)[1].lower()
        content_type = {
            ".pdf": "application/pdf",
            ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg",
            ".png": "image/png",
        }.get(extension, "application/octet-stream")
        return file_response(
            agreement.document, content_type=content_type, filename=os.path.basename(path)
        )
    raise Http404
