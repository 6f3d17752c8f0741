"""One shape for every error the partner API answers, with a machine-readable code.

    {"error": {"code": "invalid", "message": "…",
               "fields": {"phone": [{"code": "…", "message": "…"}]}}}

`code` is stable (clients branch on it), `message` follows Accept-Language (zh-hans or en),
`fields` appears for validation errors only. Codes: see ERROR_CODES.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

# Every top-level code the API answers with, for the schema and the docs.
ERROR_CODES = {
    "invalid": "400: a field or the request is wrong; see fields",
    "malformed_request": "400: the body is not valid JSON or cannot be read",
    "not_authenticated": "401: no API key or session",
    "key_invalid": "401: the key is unknown or garbled",
    "key_revoked": "401: the key was revoked",
    "key_expired": "401: the key has expired",
    "partner_suspended": "401: the key's partner is suspended",
    "ip_not_allowed": "403: the key's IP allowlist refuses this address",
    "not_a_partner": "403: the session is not a partner manager's",
    "permission_denied": "403: not allowed",
    "not_found": "404: no such object for this partner (another partner's objects included)",
    "method_not_allowed": "405",
    "not_acceptable": "406",
    "idempotency_conflict": "409: the Idempotency-Key was used with another body",
    "conflict": "409: the object's state does not allow this",
    "body_too_large": "413: the body is larger than the API accepts",
    "unsupported_media_type": "415: send application/json",
    "throttled": "429: too many requests for this key; retry after Retry-After seconds",
    "server_error": "500",
}


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This cannot be done in the object's current state.")
    default_code = "conflict"


class IdempotencyConflict(Conflict):
    default_detail = _("This Idempotency-Key was already used with a different request body.")
    default_code = "idempotency_conflict"


# DRF's own codes, renamed where ours are clearer.
_RENAMED = {
    "parse_error": "malformed_request",
    "authentication_failed": "key_invalid",
    "error": "invalid",
}


def _field_errors(detail) -> dict:
    """{"field": [{"code", "message"}]} from a DRF ValidationError's detail (nested: dotted)."""
    fields = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not isinstance(value[0], str):
            for index, inner in enumerate(value):
                if isinstance(inner, dict | list):
                    walk(f"{prefix}.{index}" if prefix else str(index), inner)
                else:
                    fields.setdefault(prefix or "non_field_errors", []).append(
                        {"code": getattr(inner, "code", "invalid"), "message": str(inner)}
                    )
        else:
            for item in value if isinstance(value, list) else [value]:
                fields.setdefault(prefix or "non_field_errors", []).append(
                    {"code": getattr(item, "code", "invalid"), "message": str(item)}
                )

    walk("", detail)
    return fields


def error_body(*, code: str, message, fields: dict | None = None) -> dict:
    """The JSON body of an error answer."""
    error = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = fields
    return {"error": error}


def exception_handler(exc, context):
    """DRF's exception handler, answering in the one documented shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # A workflow rule refused (cases.workflow, assistants.shifts): same as a field error.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 page, logged

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        non_field = fields.get("non_field_errors")
        message = non_field[0]["message"] if non_field else _("Some fields are not valid.")
        body = error_body(code="invalid", message=message, fields=fields)
    else:
        detail = exc.detail
        code = getattr(exc, "error_code", None) or getattr(detail, "code", None)
        code = _RENAMED.get(code, code) or exc.default_code
        if isinstance(exc, exceptions.NotAuthenticated):
            code = "not_authenticated"
        body = error_body(code=code, message=detail)
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
