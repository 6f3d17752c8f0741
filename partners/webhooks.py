"""Signed webhooks to partners' systems: rows first, sent by Celery after commit, every try logged.

`emit()` writes one `WebhookDelivery` per subscribed endpoint in the caller's transaction, so the
event and the promise to tell the partner commit (or roll back) together; a `deliver_webhook`
task is queued on commit. `WebhookDelivery` is a row of the one outbox (`talentoffice.outbox`),
like the notifications' `Delivery`: claimed by one worker, each try a `WebhookAttempt`, failures
worth retrying (timeouts, refused connections, 5xx, 408/425/429) back with exponential backoff,
others failed for good. What is its own: the payload is a structured JSON event (not a rendered
message to a person), it belongs to the partner (who lists and replays it through the API), and
it is signed with the endpoint's secret. A replay is a new delivery of the same event.

Signature: `X-TalentOffice-Signature: sha256=<hex>` where hex is HMAC-SHA256 with the endpoint's
secret over `<timestamp>.<body>`, and `X-TalentOffice-Timestamp` is that Unix timestamp (the
time of the try, so a receiver can refuse old or replayed messages: five minutes is usual).
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentoffice import outbox
from talentoffice.outbox import DeliveryResult, PermanentError, TemporaryError, http_error

from .choices import TEST_EVENT
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# A receiver should answer at once and do its work later; a slow one must not hold a worker.
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-TalentOffice-Signature"
TIMESTAMP_HEADER = "X-TalentOffice-Timestamp"
EVENT_HEADER = "X-TalentOffice-Event"
DELIVERY_HEADER = "X-TalentOffice-Delivery"


# ---------------------------------------------------------------------------------------------
# Callback URLs


def validate_callback_url(url: str) -> None:
    """HTTPS only; plain HTTP to this machine only where settings allow it (tests, development)."""
    parts = urllib.parse.urlsplit(url or "")
    host = (parts.hostname or "").lower()
    loopback = host == "localhost" or _is_loopback(host)
    if parts.scheme == "http" and loopback and settings.PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return
    if parts.scheme != "https" or not host:
        raise ValidationError(
            _("The callback URL must start with https://."), code="https_required"
        )
    if loopback or _is_private(host):
        raise ValidationError(
            _("The callback URL must point at a public address."), code="private_address"
        )


def _address(host):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_loopback(host) -> bool:
    address = _address(host)
    return address is not None and address.is_loopback


def _is_private(host) -> bool:
    address = _address(host)
    return address is not None and (
        address.is_private or address.is_link_local or address.is_reserved
    )


# ---------------------------------------------------------------------------------------------
# Emitting events


def emit(*, event: str, partner_ids, data: dict) -> list[WebhookDelivery]:
    """Record one delivery of the event per endpoint of these partners that subscribed to it.

    Runs inside the caller's transaction; one query when nobody listens. The task that sends
    each delivery is queued when that transaction commits.
    """
    return emit_many(event=event, items=[(partner_id, data) for partner_id in set(partner_ids)])


def emit_many(*, event: str, items) -> list[WebhookDelivery]:
    """Like emit() for several (partner_id, data) pairs: one read of the endpoints, one insert."""
    items = [(partner_id, data) for partner_id, data in items if partner_id is not None]
    if not items:
        return []
    listening: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in (
        WebhookEndpoint.objects.filter(
            partner_id__in={partner_id for partner_id, _data in items}, active=True
        )
        .order_by("pk")
        .only("pk", "partner_id", "events")
    ):
        if event in endpoint.events:
            listening.setdefault(endpoint.partner_id, []).append(endpoint)
    if not listening:
        return []
    now = timezone.now()
    deliveries = []
    for partner_id, data in items:
        for endpoint in listening.get(partner_id, []):
            delivery = WebhookDelivery(
                partner_id=partner_id,
                endpoint_id=endpoint.pk,
                event=event,
                created_at=now,
                claimed_until=outbox.queued_mark(WebhookDelivery, now),
            )
            delivery.payload = {
                "id": str(delivery.event_id),
                "event": event,
                "created_at": now.isoformat(),
                "data": data,
            }
            deliveries.append(delivery)
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    _queue(deliveries)
    return deliveries


def _queue(deliveries) -> None:
    outbox.queue(deliveries)


def shift_data(shift, *, assistant_id, change="") -> dict:
    """The payload of a shift event: the shift, the assistant it is about, what changed."""
    data = {
        "shift": {
            "id": shift.pk,
            "date": shift.date.isoformat(),
            "starts_at": shift.starts_at.isoformat(),
            "ends_at": shift.ends_at.isoformat(),
            "service_point": shift.service_point_id,
            "specialty": shift.specialty,
            "status": shift.status,
        },
        "assistant": assistant_id,
    }
    if change:
        data["change"] = change
    return data


def case_data(case, *, assistant_id) -> dict:
    """The payload of a case event: no resident or enterprise, only the case's own fields."""
    return {
        "case": {
            "id": case.pk,
            "number": case.number,
            "state": case.state,
            "outcome": case.outcome,
        },
        "assistant": assistant_id,
    }


@transaction.atomic
def send_test_event(*, endpoint) -> WebhookDelivery:
    """Send a test event to one endpoint through the outbox, whatever events it listens to."""
    now = timezone.now()
    delivery = WebhookDelivery(
        partner_id=endpoint.partner_id,
        endpoint_id=endpoint.pk,
        event=TEST_EVENT,
        created_at=now,
        claimed_until=outbox.queued_mark(WebhookDelivery, now),
    )
    delivery.payload = {
        "id": str(delivery.event_id),
        "event": TEST_EVENT,
        "created_at": now.isoformat(),
        "data": {"endpoint": endpoint.pk},
    }
    delivery.save()
    _queue([delivery])
    return delivery


# ---------------------------------------------------------------------------------------------
# Replaying


@transaction.atomic
def replay(*, delivery) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery to the same endpoint (same event id)."""
    now = timezone.now()
    again = WebhookDelivery.objects.create(
        partner_id=delivery.partner_id,
        endpoint_id=delivery.endpoint_id,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        replay_of=delivery,
        created_at=now,
        claimed_until=outbox.queued_mark(WebhookDelivery, now),
    )
    _queue([again])
    return again


# ---------------------------------------------------------------------------------------------
# Sending


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header: HMAC-SHA256 over `<timestamp>.<body>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def post(*, delivery, endpoint) -> int:
    """Post one signed delivery; returns the HTTP status or raises Temporary/PermanentError."""
    if not endpoint.active:
        raise PermanentError("the endpoint is switched off")
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "TalentOffice-Webhooks/1",
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.pk),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret=endpoint.secret, timestamp=timestamp, body=body),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(4096)
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        raise http_error(exc.code, exc.reason) from exc
    except urllib.error.URLError as exc:
        raise TemporaryError(f"cannot reach the endpoint: {exc.reason}") from exc
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        raise TemporaryError(f"{type(exc).__name__}: {exc}") from exc


def deliver(*, delivery_id: int) -> DeliveryResult:
    """Try one delivery once through the outbox."""
    return outbox.deliver(WebhookDelivery, delivery_id)


def requeue_stale_deliveries(*, now: datetime | None = None) -> list[int]:
    """Queue deliveries whose task message is overdue or lost, or whose worker died."""
    return outbox.requeue_stale(WebhookDelivery, now=now)
