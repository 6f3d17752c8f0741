"""End to end: a case assigned to a partner's assistant reaches the partner's receiver on
127.0.0.1, signed, through a real Celery worker on real Redis; a 500 is retried after the
backoff, once, and nothing more arrives after the receiver said 200; a replay arrives again."""

import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.test import override_settings

from cases import workflow
from partners.models import WebhookDelivery
from partners.services import create_api_key
from tests import factories
from tests.api.conftest import client_with_key
from tests.factories.assign import make_case
from tests.integration.conftest import PROJECT_ROOT, database_url_of_test_database, wait_for

RETRY_SECONDS = 2


class Receiver:
    """A partner's webhook receiver: answers 500 to the first request, 200 afterwards, and
    keeps every request with whether its signature held."""

    def __init__(self):
        self.requests: list[dict] = []
        self.secret = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                timestamp = self.headers.get("X-TalentOffice-Timestamp", "")
                expected = hmac.new(
                    receiver.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                receiver.requests.append(
                    {
                        "at": time.monotonic(),
                        "payload": json.loads(body),
                        "event": self.headers.get("X-TalentOffice-Event"),
                        "signed": hmac.compare_digest(
                            self.headers.get("X-TalentOffice-Signature", ""), f"sha256={expected}"
                        ),
                        "fresh": abs(time.time() - int(timestamp or 0)) < 300,
                    }
                )
                self.send_response(500 if len(receiver.requests) == 1 else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/talent-hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def webhook_worker(transactional_db, redis_broker, tmp_path):
    """A real `celery worker` (as conftest's) whose webhook retries wait RETRY_SECONDS."""
    env = os.environ | {
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "talentoffice.settings",
        "PARTNER_WEBHOOK_RETRY_SECONDS": str(RETRY_SECONDS),
        "PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "talentoffice",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@override_settings(PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK=True)
def test_a_signed_webhook_is_retried_after_a_500_then_delivered_once_and_replayable(
    webhook_worker, receiver
):
    partner = factories.make_partner()
    assistant = factories.make_assistant(partner=partner)
    api = client_with_key(create_api_key(partner=partner, name="HR")[1])
    created = api.post(
        "/api/v1/webhook-endpoints/",
        {"url": receiver.url, "events": ["case.assigned"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    receiver.secret = created.json()["secret"]
    case = make_case(service_item=factories.make_service_item(specialty=assistant.specialty))

    workflow.assign_case(case=case, lead=assistant, by=None)  # commits, then queues the task

    delivery = WebhookDelivery.objects.get()
    assert wait_for(
        lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered", timeout=60
    ), webhook_worker.log_path.read_text()
    time.sleep(RETRY_SECONDS * 2)  # long enough for a storm to show

    first, second = receiver.requests  # exactly two: the 500 and its one retry
    assert all(request["signed"] and request["fresh"] for request in receiver.requests)
    assert first["payload"] == second["payload"]
    assert first["payload"]["data"]["case"]["number"] == case.number
    assert first["event"] == "case.assigned"
    assert second["at"] - first["at"] >= RETRY_SECONDS - 0.5  # waited for the backoff

    shown = api.get(f"/api/v1/webhook-deliveries/{delivery.pk}/").json()
    assert shown["status"] == "delivered"
    assert shown["attempts"] == 2
    assert [a["http_status"] for a in shown["attempt_log"]] == [500, 200]
    assert [a["succeeded"] for a in shown["attempt_log"]] == [False, True]

    replay = api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")

    assert replay.status_code == 202
    assert wait_for(lambda: len(receiver.requests) == 3, timeout=30)
    third = receiver.requests[2]
    assert third["signed"]
    assert third["payload"]["id"] == first["payload"]["id"]  # same event: receivers dedupe
    assert wait_for(
        lambda: WebhookDelivery.objects.get(pk=replay.json()["id"]).status == "delivered"
    )
