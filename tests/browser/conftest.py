"""A real browser against the live server: Debian's Chromium, headless, at a phone's size.

Every test gets a fresh browser context (no cookies, no storage) shaped like a phone, a page
whose console errors, uncaught exceptions and failed requests to our own server fail the test,
and `shot("step")`, which saves a numbered full-page screenshot under
var/screenshots/<test name>/ for a person to look at (and fails the test if the page is wider
than the phone). A failing test also leaves a last screenshot of where it stopped.

No browser is ever downloaded: Chromium comes from the system package (CI installs it with
apt-get). If it is missing, the tests fail and say so; they never skip.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking switches Chromium tries Google's services at start-up, and the closed
# network of CI refuses it in ways that slow every launch down.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"

# An iPhone 14's viewport: the narrowest phone assistants are likely to carry.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
# District staff work in the admin at a desk.
DESKTOP = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
# Short enough that a broken page fails the test quickly, long enough for 2 busy cores.
TIMEOUT_MS = 10_000

# Browsers report each failed resource twice: as a request event (which names the URL, so it is
# what tests allow or refuse) and as this console line (which does not).
RESOURCE_FAILED = re.compile(r"^Failed to load resource")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so new_context knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the whole browser suite; a fresh context isolates each test."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium). They never download a browser and never skip.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
    # database calls from a thread with a running loop unless told the caller is synchronous
    # code that knows what it does; the test body and the database fixtures are exactly that.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class BrowserProblems:
    """What went wrong inside the browser: console errors, uncaught exceptions, failed requests.

    Only requests to our own server count; a test that expects some failures (going offline, an
    expired session) says which with `allow(pattern)`, a regular expression searched in the
    problem's description, e.g. "HTTP 403 POST .*/m/visits/".
    """

    def __init__(self, origin):
        self.origin = origin
        self.seen = []
        self.allowed = []

    def allow(self, pattern):
        self.allowed.append(re.compile(pattern))

    def unexpected(self):
        return [text for text in self.seen if not any(p.search(text) for p in self.allowed)]

    def on_console(self, message):
        if message.type == "error" and not RESOURCE_FAILED.search(message.text):
            self.seen.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_web_error(self, web_error):
        self.seen.append(f"uncaught exception: {web_error.error}")

    def on_request_failed(self, request):
        failure = request.failure or ""
        # ERR_ABORTED is the page itself cancelling a request, e.g. by navigating away.
        if request.url.startswith(self.origin) and "ERR_ABORTED" not in failure:
            self.seen.append(f"request failed: {failure} {request.method} {request.url}")

    def on_response(self, response):
        if response.url.startswith(self.origin) and response.status >= 400:
            method = response.request.method
            self.seen.append(f"HTTP {response.status} {method} {response.url}")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every test signs people in, and the real hasher takes a good part of a second per
    # password (users made by the fixtures, each login): the point in production, slowness here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded photos go to the test's own folder; the live server thread sees the setting."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def problems(live_server):
    """Everything that went wrong in the browser; the test fails on any problem not allowed."""
    return BrowserProblems(live_server.url)


@pytest.fixture
def screenshot_dir(request):
    """var/screenshots/<test name>/, emptied first so that every image comes from this run."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    folder = SCREENSHOTS / name
    shutil.rmtree(folder, ignore_errors=True)
    return folder


@pytest.fixture
def new_context(request, browser, live_server, media_root, problems, screenshot_dir):
    """new_context(**shape) opens a fresh browser context on the live server, watched for problems.

    When the test is over, a failed test leaves a screenshot of each open page, and a passed
    test fails on any problem the browser had that the test did not allow.
    """
    # Lock-outs and rate-limit counters live in the cache, which outlives each test's database.
    cache.clear()
    opened = []

    def open_context(**shape):
        context = browser.new_context(base_url=live_server.url, **shape)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("console", problems.on_console)
        context.on("weberror", problems.on_web_error)
        context.on("requestfailed", problems.on_request_failed)
        context.on("response", problems.on_response)
        opened.append(context)
        return context

    yield open_context
    call = getattr(request.node, "report_call", None)
    try:
        if call is not None and call.failed:
            screenshot_dir.mkdir(parents=True, exist_ok=True)
            pages = [page for context in opened for page in context.pages]
            for number, page in enumerate(pages, start=1):
                path = screenshot_dir / f"99-failure-{number}.png"
                # A crashed page cannot be photographed; the test's own failure still shows.
                with contextlib.suppress(Exception):
                    page.screenshot(path=path, full_page=True)
        elif call is not None:
            unexpected = problems.unexpected()
            assert not unexpected, "problems in the browser:\n" + "\n".join(unexpected)
    finally:
        for context in opened:
            context.close()
        cache.clear()


@pytest.fixture
def context(new_context):
    """The assistant's phone: a first visit, no cookies, no storage."""
    return new_context(**PHONE)


@pytest.fixture
def page(context):
    """The assistant's browser tab."""
    return context.new_page()


@pytest.fixture
def staff_page(new_context):
    """A staff member's desktop browser, beside the assistant's phone."""
    return new_context(**DESKTOP).new_page()


@pytest.fixture
def shot(request, screenshot_dir, problems):
    """shot("step") saves the whole phone page as NN-step.png, numbered in the order of the test.

    shot("step", on=staff_page) photographs another page in the same numbering. A page wider
    than its window (something a phone would make the user scroll sideways for) is a problem.
    """
    taken = []

    def take(step, *, on=None):
        target = on or request.getfixturevalue("page")
        wide, window = target.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if wide > window:
            problems.seen.append(
                f"page wider than the window ({wide} > {window} px) at {step}: {target.url}"
            )
        taken.append(step)
        slug = re.sub(r"[^\w-]+", "-", step).strip("-")
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = screenshot_dir / f"{len(taken):02d}-{slug}.png"
        # A window as tall as the page, rather than Playwright's full-page capture: that one
        # paints fixed and sticky bars (the tab bar, the header) wherever the page was scrolled,
        # on top of the content in the middle of the picture.
        viewport = target.viewport_size
        height = target.evaluate("document.documentElement.scrollHeight")
        target.set_viewport_size(
            {"width": viewport["width"], "height": max(height, viewport["height"])}
        )
        try:
            target.screenshot(path=path)
        finally:
            target.set_viewport_size(viewport)
        return path

    return take
