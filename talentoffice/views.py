"""Views that belong to the project as a whole."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.views.static import serve


@staff_member_required
def protected_media(request, path):
    """Uploaded files (signed agreements, later visit photos) are for signed-in staff only."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
