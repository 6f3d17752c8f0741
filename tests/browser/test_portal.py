"""The partner portal in a real browser, on a desk and on a Pixel 7: log in at the one login
page, read the overview, make a key and call the API with it, make a webhook endpoint and send
it a test event that a receiver on 127.0.0.1 gets, signed."""

import hashlib
import hmac
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from playwright.sync_api import expect

from partners import webhooks
from partners.models import WebhookDelivery, WebhookEndpoint
from tests.browser.conftest import DESKTOP

# A Pixel 7's viewport: 412 px wide, the width the portal must work at.
PIXEL_7 = {
    "viewport": {"width": 412, "height": 915},
    "device_scale_factor": 2.625,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


@pytest.fixture
def receiver():
    """An HTTP server on 127.0.0.1 that keeps what it was posted."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("shape", [DESKTOP, PIXEL_7], ids=["desktop", "pixel-7"])
def test_a_partner_manager_manages_keys_and_webhooks_in_the_portal(
    new_context, shot, live_server, partner_a_manager, assistant, receiver, settings, shape
):
    settings.PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    hook_url, received = receiver
    page = new_context(**shape).new_page()

    # The live server's first answer loads templates and catalogues: on a busy machine it may
    # take longer than the harness's usual wait.
    page.goto("/partner/", timeout=60_000)
    expect(page).to_have_url("/login/?next=/partner/")
    page.locator("#id_username").fill("erin")
    page.locator("#id_password").fill("erin-pass-123")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url("/partner/")
    expect(page.get_by_test_id("portal-home")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("福建海峡银行")
    shot("home", on=page)

    page.goto("/partner/assistants/")
    expect(page.get_by_test_id("assistant-list")).to_contain_text(assistant.name)
    shot("assistants", on=page)

    page.goto("/partner/keys/")
    page.locator("#id_name").fill("人事系统")
    page.get_by_test_id("create-key").click()
    secret = page.get_by_test_id("new-key-secret").inner_text().strip()
    assert secret.startswith("tok_")
    shot("key-made", on=page)
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/assistants/", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        names = [row["name"] for row in json.load(response)["results"]]
    assert names == [assistant.name]

    page.goto("/partner/webhooks/")
    page.locator("#id_url").fill(hook_url)
    page.locator("input[name=events][value='case.resolved']").check()
    page.get_by_test_id("create-endpoint").click()
    signing_secret = page.get_by_test_id("new-endpoint-secret").inner_text().strip()
    shot("endpoint-made", on=page)
    page.get_by_test_id("test-endpoint").click()
    expect(page).to_have_url("/partner/deliveries/")
    expect(page.get_by_test_id("delivery-list")).to_contain_text("ping")
    shot("deliveries", on=page)

    # What a Celery worker does with the queued delivery.
    endpoint = WebhookEndpoint.objects.get(url=hook_url)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event="ping")
    webhooks.deliver(delivery_id=delivery.pk)
    [(headers, body)] = received
    expected = hmac.new(
        signing_secret.encode(),
        f"{headers[webhooks.TIMESTAMP_HEADER.lower()]}.".encode() + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers[webhooks.SIGNATURE_HEADER.lower()] == f"sha256={expected}"
    assert json.loads(body)["event"] == "ping"


def test_an_assistant_who_opens_the_portal_gets_the_page_that_says_where_to_go(
    new_context, problems, shot, assistant
):
    page = new_context(**PIXEL_7).new_page()
    page.goto("/login/")
    page.locator("#id_username").fill(assistant.phone)
    page.locator("#id_password").fill("bob-pass-123")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url("/m/")
    problems.allow(r"HTTP 403 GET .*/partner/$")
    page.goto("/partner/")
    expect(page.get_by_test_id("wrong-role")).to_contain_text("此页面不属于您的角色")
    shot("wrong-role", on=page)
    page.get_by_test_id("go-home").click()
    expect(page).to_have_url("/m/")
