"""Request IDs in every log line: a middleware that names each request, a filter that stamps it
on log records, a JSON formatter for production, and Celery hooks that carry the ID into tasks.

A reverse proxy (or a partner's client) may send `X-Request-ID`; a well-formed one is kept, so
one request can be followed from the proxy through gunicorn to the worker that ran its tasks.
"""

import json
import logging
import re
import time
import traceback
import uuid
from contextvars import ContextVar

from celery import signals

logger = logging.getLogger("talentoffice.requests")

HEADER = "X-Request-ID"
# Anything else from outside (spaces, quotes, newlines, 200 characters) could forge or break a
# log line, so it is replaced by an ID of our own.
WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# The Celery message header that carries the ID from the web process into the task.
TASK_HEADER = "request_id"

current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def new_request_id() -> str:
    """A fresh random ID (32 hex digits)."""
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The caller's ID when it is well formed, else a new one."""
    if value and WELL_FORMED.match(value):
        return value
    return new_request_id()


class RequestIdMiddleware:
    """Names the request (X-Request-ID in, or a new one), answers with the name, logs one line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META rather than request.headers, which would copy every header of the request first.
        request_id = accepted_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps the current request's (or task's) ID on every record as `request_id`."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and is data.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class HealthAnswersAreNotErrors(logging.Filter):
    """Keeps the health check's 503 out of `django.request`'s error log.

    A 503 there is the answer, not a crash: without this Django logs an ERROR for every probe of
    the load balancer while, say, the beat is being restarted; the check itself logs a warning
    that says what failed.
    """

    def filter(self, record):
        match = getattr(getattr(record, "request", None), "resolver_match", None)
        health = match is not None and match.url_name == "health"
        return not (health and getattr(record, "status_code", None) == 503)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and any `extra` data."""

    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
            + f".{int(record.msecs):03d}"
            + time.strftime("%z", time.localtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


@signals.before_task_publish.connect
def _send_request_id_with_task(headers=None, **kwargs):
    """A task queued while serving a request carries that request's ID."""
    request_id = current_request_id.get()
    if headers is not None and request_id != "-":
        headers.setdefault(TASK_HEADER, request_id)


@signals.task_prerun.connect
def _take_request_id_of_task(task=None, **kwargs):
    """The worker logs a task under the ID of the request that queued it, or the task's own."""
    request = getattr(task, "request", None)
    request_id = getattr(request, TASK_HEADER, None) or getattr(request, "id", None) or "-"
    current_request_id.set(str(request_id))


@signals.task_postrun.connect
def _forget_request_id_of_task(**kwargs):
    current_request_id.set("-")
