"""Views that belong to the project as a whole."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET


@require_GET
@login_required
def protected_media(request, path):
    """An upload by its storage path, answered only to those who may see its object (issue 8).

    Each kind of upload is scoped like the object it belongs to (cases.files); any other path
    answers 404.
    """
    from cases.files import serve_media_path

    return serve_media_path(request, path)
