"""`Idempotency-Key` on every POST of the partner API.

A partner's system that loses the answer to a POST (a timeout, a dropped connection) sends the
same request again with the same key; the second answer is the first one's object and nothing
new is made. The same key with another body, or on another endpoint, is a client bug: 409.
Visits keep their own copy of this in VisitViewSet.create (their key also travels with the visit
row itself); every other POST goes through `run_once`.
"""

import hashlib

import orjson
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.response import Response

from partners.models import ApiIdempotencyKey

from .errors import IdempotencyConflict

HEADER = "Idempotency-Key"
MAX_LENGTH = 48


def idempotency_key(request) -> str:
    """The request's key, or "" without one; a key longer than MAX_LENGTH is a 400."""
    key = (request.headers.get(HEADER) or "").strip()
    if len(key) > MAX_LENGTH:
        raise serializers.ValidationError({HEADER: [_("Use at most 48 characters.")]})
    return key


def request_hash(request) -> str:
    """SHA-256 of the endpoint and the parsed body, keys sorted (spacing does not matter)."""
    body = request.data if isinstance(request.data, dict) else {}
    what = {"path": request.path, "body": dict(body)}
    return hashlib.sha256(orjson.dumps(what, option=orjson.OPT_SORT_KEYS)).hexdigest()


def replayed(data) -> Response:
    """The answer to a retry: the first request's object, 200, marked as a replay."""
    response = Response(data, status=status.HTTP_200_OK)
    response["Idempotent-Replayed"] = "true"
    return response


def run_once(request, *, partner_id, perform, load, render, status_code) -> Response:
    """Answer a POST once per Idempotency-Key.

    `perform()` does the work and returns the object made or acted on; `load(pk)` finds it again
    (None when it is gone); `render(obj)` is the answer's body.
    """
    key = idempotency_key(request)
    if not key:
        return Response(render(perform()), status=status_code)
    digest = request_hash(request)
    with transaction.atomic():
        # The key's row is inserted first: a concurrent retry's insert waits on the unique
        # index until this transaction ends, then finds the row and answers its object, so six
        # retries at once make one object and six identical answers.
        record, created = ApiIdempotencyKey.objects.get_or_create(
            partner_id=partner_id, key=key, defaults={"request_hash": digest}
        )
        if not created:
            if record.request_hash != digest:
                raise IdempotencyConflict()
            found = load(record.object_id) if record.object_id is not None else None
            if found is None:
                raise Http404
            return replayed(render(found))
        obj = perform()
        record.object_id = obj.pk
        record.save(update_fields=["object_id"])
    return Response(render(obj), status=status_code)
