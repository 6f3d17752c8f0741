"""WSGI entry point for gunicorn."""

import io
import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

application = get_wsgi_application()

# gunicorn runs no system checks of its own: refuse to serve with keys that do not fit the
# database (a 500 on every resident page) or with e-mail that would fail in silence.
from django.core.management import CommandError, call_command  # noqa: E402

try:
    call_command("check", tags=["personal_data", "mail"], stdout=io.StringIO())
except CommandError as refusal:
    sys.exit(str(refusal))
