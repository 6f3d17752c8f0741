"""A Content-Security-Policy on every kind of page, without 'unsafe-inline' on our own pages, and
the admin's few inline bits allowed by exact hash only (talentoffice.security)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from csp.constants import NONCE
from csp.constants import SELF as CSP_SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import reverse

from cases.public_views import point_token
from talentoffice.security import ContentSecurityPolicyMiddleware, csp_hash

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def policy(response) -> dict[str, list[str]]:
    """The response's policy as {directive: [source, ...]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_public_form_has_the_strict_policy(client, district):
    response = client.get(reverse("public:form", args=[point_token(district["east"])]))
    assert response.status_code == 200
    assert_strict(response)


def test_the_staff_pages_have_the_strict_policy(client, district):
    client.force_login(district.users["staff"])
    for name in ("rota:list", "rota:week", "rota:month"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_strict(response)
    poster = client.get(reverse("public:point_poster", args=[district["east"].pk]))
    assert_strict(poster)


def test_the_mobile_pages_have_the_strict_policy(client, district):
    assert_strict(client.get(reverse("mobile:login")))
    client.force_login(district.users["assistant"])
    for name in ("mobile:today", "mobile:shifts", "mobile:cases"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_strict(response)


def test_a_not_found_page_has_the_strict_policy(client, district):
    client.force_login(district.users["assistant"])
    response = client.get(reverse("mobile:shift_detail", args=[district["west shift"].pk]))
    assert response.status_code == 404
    assert_strict(response)


def test_the_admin_login_page_allows_nothing_inline_but_the_admins_hashes(client, db):
    response = client.get(reverse("admin:login"))
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy(response)["default-src"] == ["'self'"]


def test_the_admin_allows_its_inline_bits_by_hash_never_unsafe_inline(client, district):
    client.force_login(district.users["administrator"])
    response = client.get(reverse("admin:index"))
    directives = policy(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][:2] == ["'self'", "'unsafe-hashes'"]
    assert csp_hash("onSelectToggleChange(event)") in directives["script-src"]


def test_the_api_allows_inline_styles_only_and_never_inline_scripts(client, district):
    client.force_login(district.users["partner manager"])
    for accept in ("application/json", "text/html"):
        response = client.get(reverse("api:assistant-list"), HTTP_ACCEPT=accept)
        assert response.status_code == 200
        directives = policy(response)
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]


# --- django-csp's own per-view decorators and nonces on top of the exceptions ------------------


def served(view, request):
    return ContentSecurityPolicyMiddleware(view)(request)


def plain(request):
    return HttpResponse()


@pytest.mark.parametrize("path", ["/", "/m/today/", "/api/v1/shifts/", "/admin/"])
def test_a_page_gets_the_same_header_every_time(rf, path):
    assert (
        served(plain, rf.get(path))["Content-Security-Policy"]
        == served(plain, rf.get(path))["Content-Security-Policy"]
    )


def test_each_kind_of_page_has_its_own_header(rf):
    headers = {
        served(plain, rf.get(path))["Content-Security-Policy"]
        for path in ("/", "/api/v1/shifts/", "/admin/")
    }
    assert len(headers) == 3


def test_a_view_with_a_policy_of_its_own_gets_it_and_other_pages_do_not(rf):
    own = served(csp_update({"img-src": ["https://tiles.example.org"]})(plain), rf.get("/"))
    admin_own = served(
        csp_update({"img-src": ["https://tiles.example.org"]})(plain), rf.get("/admin/")
    )
    other = served(plain, rf.get("/"))

    assert "https://tiles.example.org" in policy(own)["img-src"]
    assert "https://tiles.example.org" in policy(admin_own)["img-src"]
    assert "'unsafe-hashes'" in policy(admin_own)["script-src"]
    assert "https://tiles.example.org" not in other["Content-Security-Policy"]


def test_an_exempt_view_has_no_header(rf):
    assert "Content-Security-Policy" not in served(csp_exempt()(plain), rf.get("/"))


def test_a_page_that_used_a_nonce_has_it_in_its_header(rf, settings):
    # Our policy names no nonce; one that does puts each page's own in its header.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [CSP_SELF, NONCE]}}
    request = rf.get("/")

    def view(request):
        request.used_nonce = str(request.csp_nonce)
        return HttpResponse()

    response = served(view, request)

    assert f"'nonce-{request.used_nonce}'" in policy(response)["script-src"]
    assert "nonce-" not in served(plain, rf.get("/"))["Content-Security-Policy"]


def test_a_nonce_asked_for_after_the_header_was_written_is_an_error(rf):
    request = rf.get("/")
    served(plain, request)

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_changed_policy_is_used_at_once(rf, settings):
    served(plain, rf.get("/"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    assert served(plain, rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"


# --- nothing inline in our templates; nothing unallowed inline in the admin --------------------

INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE
)


def test_our_templates_have_no_inline_script_style_or_event_handler():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in TEMPLATES.rglob("*.html")
        for match in INLINE.finditer(path.read_text())
        # JSON data blocks are not run; the policy does not need to allow them.
        if "application/json" not in match.group(0)
    ]
    assert offenders == []


class InlineCollector(HTMLParser):
    """Every inline script, style, style attribute and event handler of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.styles = [], []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.scripts.append(value or "")
            elif name == "style":
                self.styles.append(value or "")
        if tag == "style" or (
            tag == "script" and "src" not in attrs and attrs.get("type") != "application/json"
        ):
            self._open = (tag, [])

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if self._open is not None and self._open[0] == tag:
            kind, parts = self._open
            (self.styles if kind == "style" else self.scripts).append("".join(parts))
            self._open = None


def admin_pages(district):
    """Every admin changelist and add page, a change page, and the export page."""
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
    yield reverse("admin:cases_case_change", args=[district["east case"].pk])
    yield reverse("admin:assistants_assistant_change", args=[district["bob"].pk])
    yield reverse("admin:partners_partner_export")


def test_every_inline_bit_on_the_admin_pages_is_allowed_by_the_policy(client, district):
    client.force_login(district.users["administrator"])
    checked = 0
    for url in admin_pages(district):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        directives = policy(response)
        collector = InlineCollector()
        collector.feed(response.text)
        for source in collector.scripts:
            assert csp_hash(source) in directives["script-src"], (url, source)
        for source in collector.styles:
            assert csp_hash(source) in directives["style-src"], (url, source)
        checked += 1
    assert checked > 20


def test_the_api_reference_page_runs_no_inline_script(client, district):
    client.force_login(district.users["partner manager"])
    response = client.get(reverse("api:redoc"))
    assert response.status_code == 200
    collector = InlineCollector()
    collector.feed(response.text)
    assert collector.scripts == []
    assert policy(response)["script-src"] == ["'self'"]
    assert "fonts.googleapis.com" not in response.text
