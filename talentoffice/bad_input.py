"""Input no page can use, refused with a 400 before it reaches a view or the database.

A NUL character has no place in a search, a filter or a typed form: PostgreSQL cannot store or
even compare it, so letting one through turns a curious user's `%00` into a server error. And an
admin `__regex` filter with a broken pattern fails inside the database; that is the user's typing,
not an outage, and says so with a 400 too. Every other database error stays a 500, so a database
that is really down is still noticed.
"""

import logging
import sqlite3

from django.db import DataError, OperationalError
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
API_PREFIX = "/api/"

NUL_MESSAGE = _("The request contains a NUL character, which no page of this site accepts.")
PATTERN_MESSAGE = _("This search or filter could not be understood; please check what you typed.")

# PostgreSQL's SQLSTATE for "invalid regular expression".
INVALID_REGULAR_EXPRESSION = "2201B"


def _has_nul(values) -> bool:
    return any(NUL in key or any(NUL in value for value in items) for key, items in values.lists())


def request_has_nul(request) -> bool:
    """Whether the path, the query string or a form-typed body carries a NUL character."""
    if NUL in request.path or _has_nul(request.GET):
        return True
    if request.method != "POST" or request.path.startswith(API_PREFIX):
        # The API reads JSON only, and its serializers refuse NUL in every text field.
        return False
    if request.content_type not in FORM_TYPES:
        return False
    return _has_nul(request.POST)


def bad_request(request, message):
    """A 400 in the site's layout (JSON for the API), in the language the visitor asked for."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path.startswith(API_PREFIX):
            # The partner API's one error shape (partner_api.errors), so clients branch on code.
            return JsonResponse({"error": {"code": "invalid", "message": str(message)}}, status=400)
        response = TemplateResponse(
            request, "errors/bad_request.html", {"message": message}, status=400
        )
        response.render()
    return response


class RefuseNulMiddleware:
    """Answer 400 to any request with a NUL character in its path, query string or form body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            logger.info("Refused a request with a NUL character: %s", request.path.replace(NUL, ""))
            return bad_request(request, NUL_MESSAGE)
        return self.get_response(request)


def is_bad_input_error(error: Exception) -> bool:
    """Whether a database error is the user's broken pattern or NUL, never an outage."""
    if isinstance(error, DataError):
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) == INVALID_REGULAR_EXPRESSION:
            return True
        # psycopg refuses a NUL before sending it, with this wording and no SQLSTATE.
        return getattr(cause, "sqlstate", None) is None and "NUL (0x00)" in str(error)
    if isinstance(error, OperationalError) and isinstance(error.__cause__, sqlite3.Error):
        # SQLite runs Django's REGEXP as a Python function; a pattern Python's re cannot
        # compile surfaces as this error, which a locked or missing database never raises.
        return "user-defined function raised exception" in str(error)
    return False


class BadInputErrorMiddleware:
    """Turn a database error caused by a broken regular expression or a NUL into a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_bad_input_error(exception):
            return None
        logger.info("Refused a search the database could not run: %s", exception)
        return bad_request(request, PATTERN_MESSAGE)
