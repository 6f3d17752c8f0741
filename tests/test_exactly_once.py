"""What may repeat: the inbox is the notification row, written once per dedupe key; an e-mail
whose server accepted it but answered too late is sent again, with the same Message-ID so that
the receiving side can drop the repeat; a robot post carries its delivery's id in a header."""

import contextlib
import email
import email.policy
import http.server
import json
import socketserver
import threading

import pytest
from django.test import override_settings

from talentoffice import channels, notifications
from talentoffice.models import NotificationKind
from tests.factories.notify import make_user, make_webhook


class LateSmtpServer:
    """A real SMTP server on 127.0.0.1 that takes the first message it is given and answers its
    DATA only after `late` seconds, when the sender has given up waiting; later ones at once."""

    def __init__(self, late: float):
        self.late = late
        self.messages: list[email.message.EmailMessage] = []
        self.release = threading.Event()
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                with contextlib.suppress(OSError):  # the sender may have hung up
                    self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 127.0.0.1 test SMTP ready")
                while raw := self.rfile.readline():
                    verb = raw.decode()[:4].upper()
                    if verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(data[1:] if data.startswith(b"..") else data)
                        receiver.messages.append(
                            email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                        )
                        # Taken for delivery from here on; the answer that says so comes late.
                        if len(receiver.messages) == 1:
                            receiver.release.wait(receiver.late)
                        self.reply("250 OK queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def test_an_email_accepted_but_answered_late_is_sent_again_with_the_same_message_id(
    db, monkeypatch
):
    monkeypatch.setattr(channels, "EMAIL_TIMEOUT_SECONDS", 1)
    with (
        LateSmtpServer(late=3) as smtp,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp.port,
            PUBLIC_BASE_URL="https://talent.example.cn",
        ),
    ):
        bob = make_user(email="bob@example.com")
        notification = notifications.notify(
            recipient=bob,
            kind=NotificationKind.CASE_DIGEST,
            occasion="late:1",
            render=lambda: ("Hello", "Body"),
        )
        delivery = notification.deliveries.get(channel="email")

        first = notifications.deliver(delivery_id=delivery.pk)
        assert first.status == "retry"  # no answer in time: for all we know it was lost
        # The backoff has passed (as the retry or the requeue sweep would find it).
        type(delivery).objects.filter(pk=delivery.pk).update(not_before=None)
        assert notifications.deliver(delivery_id=delivery.pk).status == "sent"

    assert len(smtp.messages) == 2, "the server has the message twice"
    first_id, second_id = (message["Message-ID"] for message in smtp.messages)
    assert first_id == second_id == f"<delivery.{delivery.pk}.{notification.pk}@talent.example.cn>"
    assert [m["To"] for m in smtp.messages] == ["bob@example.com", "bob@example.com"]


def test_each_delivery_has_its_own_message_id_on_the_senders_domain(db, settings):
    settings.PUBLIC_BASE_URL = ""
    settings.DEFAULT_FROM_EMAIL = "Talent Office <noreply@talent.example.cn>"
    alice, bob = make_user(), make_user()
    ids = set()
    for n, user in enumerate([alice, bob]):
        notification = notifications.notify(
            recipient=user,
            kind=NotificationKind.CASE_DIGEST,
            occasion=f"id:{n}",
            render=lambda: ("Hi", "Body"),
        )
        delivery = notification.deliveries.get(channel="email")
        ids.add(channels.message_id(delivery))
        assert channels.message_id(delivery).endswith("@talent.example.cn>")
    assert len(ids) == 2


class HeaderRobot:
    """A group-chat robot on 127.0.0.1 that records each post's headers and answers errcode 0."""

    def __init__(self):
        self.headers: list[dict] = []
        robot = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                robot.headers.append(dict(self.headers))
                body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_a_robot_post_carries_its_delivery_id_in_a_header(db, kind):
    with HeaderRobot() as robot:
        port = robot.server.server_address[1]
        hook = make_webhook(kind=kind, url=f"http://127.0.0.1:{port}/robot")
        notification = notifications.notify(
            recipient=None,
            kind=NotificationKind.CASE_DIGEST,
            occasion=kind,
            render=lambda: ("Hi", "Body"),
            webhooks=[hook],
        )
        delivery = notification.deliveries.get(channel="webhook")
        assert notifications.deliver(delivery_id=delivery.pk).status == "sent"
    assert robot.headers[0]["Idempotency-Key"] == f"talentoffice-delivery-{delivery.pk}"
