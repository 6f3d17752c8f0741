"""The channels a notification travels by: e-mail and group-chat robots.

The inbox travels by none: it is the `Notification` row itself. Each sender takes a `Delivery`
(with its notification and robot loaded) and either returns the HTTP status it got (None where
there is none) or raises the outbox's `TemporaryError` (worth trying again later: a timeout, a
refused connection, a 5xx, a rate limit) or `PermanentError` (trying again cannot help: a 4xx, a
robot that answers with an error code, a refused address). The outbox decides what to do with
each; senders never touch the database.
"""

import http.client
import json
import smtplib
import urllib.error
import urllib.request
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .outbox import PermanentError, TemporaryError, http_error

# Group-chat robots answer within a second when healthy; a slow one must not hold a worker.
WEBHOOK_TIMEOUT_SECONDS = 5
# An SMTP relay that does not answer within this is treated like a timeout, to try later.
EMAIL_TIMEOUT_SECONDS = 10
# Robots reject longer texts (WeCom: 2,048 bytes of UTF-8; DingTalk allows far more).
WEBHOOK_CONTENT_LIMIT_BYTES = {"wecom": 2048, "dingtalk": 20000}
# Error codes meaning "too many messages just now" (WeCom 45009, DingTalk 130101): wait and retry.
WEBHOOK_RATE_LIMIT_ERRCODES = {45009, 130101}


def message_text(notification) -> str:
    """The plain text of a notification: subject, body and link, one per paragraph."""
    parts = [notification.subject, notification.body, notification.link]
    return "\n\n".join(part for part in parts if part)


def send_inbox(delivery) -> None:
    """Nothing travels: an inbox delivery written before the inbox became the row itself."""
    return None


def message_id(delivery) -> str:
    """The e-mail's Message-ID: the same on every try of one delivery, and unique to it."""
    # A try whose answer was lost after the server accepted the message is sent again; with the
    # same Message-ID, a receiving server or the reader's mail program can drop the repeat.
    domain = urlsplit(settings.PUBLIC_BASE_URL).hostname or (
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    )
    return f"<delivery.{delivery.pk}.{delivery.notification_id}@{domain}>"


def send_email(delivery) -> None:
    """Send the notification as a plain-text e-mail to the address in the delivery's target."""
    address = delivery.target.removeprefix("email:")
    notification = delivery.notification
    body = "\n\n".join(part for part in [notification.body, notification.link] if part)
    connection = get_connection(timeout=EMAIL_TIMEOUT_SECONDS)
    message = EmailMessage(
        subject=notification.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
        headers={"Message-ID": message_id(delivery)},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _reason in exc.recipients.values()]
        error = f"recipient refused: {exc.recipients}"
        if codes and all(code >= 500 for code in codes):
            raise PermanentError(error) from exc
        raise TemporaryError(error) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx replies are the server's final word; 4xx ones ask us to come back later.
        error = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        if exc.smtp_code >= 500:
            raise PermanentError(error) from exc
        raise TemporaryError(error) from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Disconnects, refused connections and timeouts (TimeoutError is an OSError).
        raise TemporaryError(f"{type(exc).__name__}: {exc}") from exc


def webhook_payload(kind: str, content: str) -> dict:
    """The JSON a WeCom or DingTalk group robot takes for a text message."""
    limit = WEBHOOK_CONTENT_LIMIT_BYTES.get(kind, 2048)
    encoded = content.encode()
    if len(encoded) > limit:
        # Cut on a byte boundary, then drop a character split in half.
        content = encoded[: limit - 3].decode(errors="ignore") + "..."
    return {"msgtype": "text", "text": {"content": content}}


def send_webhook(delivery) -> int:
    """Post the notification to a group-chat robot; returns the HTTP status of the answer."""
    webhook = delivery.webhook
    if webhook is None or not webhook.active:
        raise PermanentError("the group-chat robot was removed or switched off")
    payload = webhook_payload(webhook.kind, message_text(delivery.notification))
    request = urllib.request.Request(
        webhook.url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        # WeCom and DingTalk robots take no idempotency key and ignore this header: a repeat can
        # reach the group (docs/notifications.md); a gateway in between may use it to drop one.
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": f"talentoffice-delivery-{delivery.pk}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise http_error(exc.code, exc.reason) from exc
    except urllib.error.URLError as exc:
        # Refused connections, DNS failures, and timeouts while connecting.
        raise TemporaryError(f"cannot reach the robot: {exc.reason}") from exc
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        # A timeout, a reset or a garbled answer while reading it.
        raise TemporaryError(f"{type(exc).__name__}: {exc}") from exc
    # Robots answer 200 even when they refuse a message; the verdict is in the JSON body.
    try:
        answer = json.loads(raw)
        errcode = int(answer.get("errcode", -1))
    except (ValueError, TypeError, AttributeError) as exc:
        raise PermanentError(
            f"unexpected answer from the robot: {raw[:200]!r}", http_status=status
        ) from exc
    if errcode == 0:
        return status
    error = f"robot refused the message: errcode {errcode} {answer.get('errmsg', '')}".strip()
    if errcode in WEBHOOK_RATE_LIMIT_ERRCODES:
        raise TemporaryError(error, http_status=status)
    raise PermanentError(error, http_status=status)


SENDERS = {"inbox": send_inbox, "email": send_email, "webhook": send_webhook}


def send(delivery) -> int | None:
    """Send one delivery through its channel; raises TemporaryError or PermanentError."""
    return SENDERS[delivery.channel](delivery)
