"""Static files and uploads.

Environment:
  STATIC_ROOT  where collectstatic writes what whitenoise serves (may be outside the code)
  MEDIA_ROOT   where uploads are kept under random names
"""

from pathlib import Path

from talentoffice.env import env_str

from .base import BASE_DIR, PRODUCTION

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
# Uploads are served only by views that check who may see the object (cases.files); a system
# check (cases.checks) refuses a MEDIA_ROOT inside what collectstatic or whitenoise publish.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Outside production whitenoise looks files up per request, so no collectstatic is needed.
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded agreements are scans or PDFs; anything larger is refused at the edge.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
