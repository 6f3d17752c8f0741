"""Builders for notification and reminder tests: users, rotas, shifts and group-chat robots."""

import email
import email.policy
import http.server
import json
import socketserver
import threading
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from assistants.models import Rota, Shift
from talentoffice.models import ChatWebhook, Notification, NotificationPreference
from talentoffice.notifications import occasion_text
from tests.factories import make_service_point, next_number


def make_user(**overrides):
    """A login with an e-mail address; `preference` overrides create a NotificationPreference."""
    preference = overrides.pop("preference", None)
    number = next_number()
    fields = {"username": f"user{number}", "email": f"user{number}@example.com"} | overrides
    user = get_user_model().objects.create_user(**fields)
    if preference is not None:
        NotificationPreference.objects.create(user=user, **preference)
    return user


def make_rota(**overrides) -> Rota:
    fields = {
        "name": f"值班表{next_number()}",
        "starts_on": datetime(2026, 1, 1).date(),
        "ends_on": datetime(2026, 12, 31).date(),
        "status": "published",
    } | overrides
    if fields["status"] == "published":
        fields.setdefault("published_at", timezone.now())
    return Rota.objects.create(**fields)


def make_shift(*, starts_at: datetime, hours: int = 3, **overrides) -> Shift:
    """A shift starting at an aware datetime; assistant and specialty follow each other."""
    assistant = overrides.get("assistant")
    fields = {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        "date": timezone.localtime(starts_at).date(),
        "specialty": assistant.specialty if assistant is not None else "finance",
    } | overrides
    if "service_point" not in fields:
        fields["service_point"] = make_service_point()
    return Shift.objects.create(**fields)


def make_webhook(**overrides) -> ChatWebhook:
    fields = {
        "name": f"机器人{next_number()}",
        "kind": "wecom",
        "url": "http://127.0.0.1:9/robot",
    } | overrides
    # A robot's owner is a service point (by default) or a partner.
    owner = fields.pop("service_point", None) or fields.pop("partner", None)
    fields.setdefault("owner", owner or make_service_point())
    return ChatWebhook.objects.create(**fields)


def local(*args) -> datetime:
    """An aware Asia/Shanghai datetime: local(2026, 3, 10, 9, 0)."""
    return timezone.make_aware(datetime(*args))


class RobotServer:
    """A real HTTP server on 127.0.0.1 standing in for WeCom / DingTalk group robots.

    The URL path picks the robot's behaviour: /ok answers {"errcode": 0}; /fail500 answers 500;
    /hang never answers until the server stops (the client times out); /hang-once hangs on the
    first request only and answers like /ok afterwards; /bad answers 400;
    /errcode answers 200 with a non-zero errcode; /busy answers 200 with the rate-limit errcode.
    Every request's JSON body is recorded in `received` as (path, payload).
    """

    def __init__(self):
        self.received: list[tuple[str, dict]] = []
        self.release = threading.Event()
        robot = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length))
                robot.received.append((self.path, payload))
                first_time = robot.paths().count(self.path) == 1
                if self.path == "/hang" or (self.path == "/hang-once" and first_time):
                    robot.release.wait(30)
                    return
                status, answer = {
                    "/ok": (200, {"errcode": 0, "errmsg": "ok"}),
                    "/hang-once": (200, {"errcode": 0, "errmsg": "ok"}),
                    "/fail500": (500, {"errcode": -1, "errmsg": "system busy"}),
                    "/bad": (400, {"errcode": 40001, "errmsg": "bad request"}),
                    "/errcode": (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
                    "/busy": (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
                }[self.path]
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass  # keep the test output clean

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def paths(self) -> list[str]:
        return [path for path, _payload in self.received]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class SmtpServer:
    """A minimal real SMTP receiver on 127.0.0.1 that keeps every message it accepts.

    RCPT TO an address starting with "refuse" answers 550 (a permanent refusal); one starting
    with "later" answers 451 (try again later). Enough SMTP for Django's SMTP backend.
    """

    def __init__(self):
        self.messages: list[dict] = []
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 127.0.0.1 test SMTP ready")
                sender, recipients = None, []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode().rstrip("\r\n")
                    verb = line[:4].upper()
                    if verb in {"EHLO", "HELO"}:
                        self.reply("250 127.0.0.1")
                    elif verb == "MAIL":
                        sender, recipients = line.split(":", 1)[1].strip(" <>"), []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        address = line.split(":", 1)[1].strip(" <>")
                        if address.startswith("refuse"):
                            self.reply("550 no such mailbox")
                        elif address.startswith("later"):
                            self.reply("451 mailbox busy, try later")
                        else:
                            recipients.append(address)
                            self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(data[1:] if data.startswith(b"..") else data)
                        message = email.message_from_bytes(
                            b"".join(lines), policy=email.policy.default
                        )
                        receiver.messages.append(
                            {"from": sender, "to": recipients, "message": message}
                        )
                        self.reply("250 OK queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # RSET, NOOP and the rest
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def key_of(notification) -> tuple:
    """What makes a notification once-only: kind, what it is about, occasion and recipient."""
    return (
        notification.kind,
        notification.target_id,
        notification.occasion,
        notification.recipient_id,
    )


def key_for(kind: str, target=None, occasion="", recipient=None) -> tuple:
    """The key_of() of a notification of this kind about `target` to `recipient` (or a pk) has."""
    return (
        kind,
        getattr(target, "pk", target),
        occasion_text(occasion),
        getattr(recipient, "pk", recipient),
    )


def notification_keys() -> set[tuple]:
    """The key_of() every notification written so far."""
    return {key_of(notification) for notification in Notification.objects.all()}
