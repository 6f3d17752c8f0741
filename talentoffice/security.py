"""Login and session hardening: lock-out, the client address, mobile session expiry, and the
Content-Security-Policy with its few written exceptions (docs/roles.md, "Hardening").
"""

import base64
import hashlib
import ipaddress
import time
from functools import cache

from axes.backends import AxesStandaloneBackend
from csp.constants import UNSAFE_HASHES, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import logout
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, first in AUTHENTICATION_BACKENDS, for every web sign-in.

    Every sign-in from the web passes its request to authenticate(): the admin and mobile login
    forms, DRF's authentication. Axes can only count attempts per user and per client with a
    request, and refuses to run without one; code that checks a password with no client at all
    (a management command, the shell, a test of a demo password) has nothing to lock out, so it
    falls through to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_client_ip(request) -> str | None:
    """The address lock-outs count by: REMOTE_ADDR, or the trusted proxy's X-Forwarded-For.

    Same rule as the public form's limits (cases.throttle.client_ip): the header is believed only
    behind our own proxy (TRUST_X_FORWARDED_FOR), which overwrites it; a forged header would
    otherwise give an attacker a fresh allowance with every guess. A whole address is kept here
    (not a /64 network), because axes stores it in an address column.
    """
    candidates = []
    if settings.TRUST_X_FORWARDED_FOR:
        candidates.append(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


# --- mobile sessions ---------------------------------------------------------------------------

MOBILE_PREFIX = "/m/"
# When the phone was last used, per session: "<session tag>:<unix time>", signed. A cookie rather
# than a session field, so that a page view on the phone costs no database write.
MOBILE_SEEN_COOKIE = "mobile_seen"
_MOBILE_SEEN_SALT = "talentoffice.security.mobile_seen"


def _session_tag(request) -> str:
    # Ties the cookie to one session: a cookie left from an earlier login never counts.
    return salted_hmac(_MOBILE_SEEN_SALT, request.session.session_key or "").hexdigest()[:20]


def _idle_too_long(request) -> bool:
    raw = request.COOKIES.get(MOBILE_SEEN_COOKIE)
    if not raw:
        return False
    try:
        tag, seen = signing.Signer(salt=_MOBILE_SEEN_SALT).unsign(raw).split(":")
        seen = int(seen)
    except (signing.BadSignature, ValueError):
        return False
    if not constant_time_compare(tag, _session_tag(request)):
        return False
    return time.time() - seen > settings.MOBILE_SESSION_IDLE_MINUTES * 60


class MobileSessionMiddleware:
    """A session used on the phone pages (/m/) is signed out after MOBILE_SESSION_IDLE_MINUTES
    without a page view there.

    Phones are lost and shared more than office computers, so a signed-in phone left alone
    signs itself out. Each /m/ answer to a signed-in user stamps the time in a signed cookie
    tied to the session; a request that comes later than the idle time after the last stamp is
    signed out before its view runs (the view then asks for the login). A missing or foreign
    stamp counts as a fresh start: someone holding the phone cannot remove it, and a stolen
    session cookie is bounded by SESSION_COOKIE_AGE on the server anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        on_mobile = request.path_info.startswith(MOBILE_PREFIX)
        if on_mobile and request.user.is_authenticated and _idle_too_long(request):
            logout(request)
        response = self.get_response(request)
        if not on_mobile:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            stamp = f"{_session_tag(request)}:{int(time.time())}"
            response.set_cookie(
                MOBILE_SEEN_COOKIE,
                signing.Signer(salt=_MOBILE_SEEN_SALT).sign(stamp),
                max_age=settings.SESSION_COOKIE_AGE,
                path=MOBILE_PREFIX,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif MOBILE_SEEN_COOKIE in request.COOKIES:
            response.delete_cookie(MOBILE_SEEN_COOKIE, path=MOBILE_PREFIX, samesite="Lax")
        return response


# --- Content-Security-Policy -----------------------------------------------------------------


def csp_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline script, style or attribute."""
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


# Our own templates carry no inline script, style or event handler at all (a test walks them).
# The Django admin and django-import-export pages, which we do not write, carry these few; each
# is allowed by its exact hash (with 'unsafe-hashes' for attributes), never by 'unsafe-inline'.
ADMIN_INLINE_SCRIPTS = (
    # import-export's export page: the "select all fields" checkbox.
    "onSelectToggleChange(event)",
)
ADMIN_INLINE_STYLES = (
    # django/contrib/admin/templates/admin/change_list.html, on lists without bulk actions.
    "\n      #changelist table thead th:first-child {width: inherit}\n    ",
    # import-export's export page.
    "padding: 0;",
    "font-weight: bold;",
    # cases.admin: overdue target dates and liaison visits in red.
    "color: var(--error-fg, #ba2121)",
)


@cache
def _admin_prefix() -> str:
    return reverse("admin:index")


# The partner API's versions live under it; their HTML pages are DRF's browsable API.
API_PREFIX = "/api/"


def policy_kind(path: str) -> str:
    """Which policy the page at this path has: "admin", "api" or "strict"."""
    if path.startswith(_admin_prefix()):
        return "admin"
    if path.startswith(API_PREFIX):
        return "api"
    return "strict"


def csp_exceptions(path: str) -> dict | None:
    """What the page at this path adds to the project's policy, or None for the strict policy."""
    kind = policy_kind(path)
    if kind == "admin":
        return {
            "script-src": [UNSAFE_HASHES, *map(csp_hash, ADMIN_INLINE_SCRIPTS)],
            "style-src": [UNSAFE_HASHES, *map(csp_hash, ADMIN_INLINE_STYLES)],
        }
    if kind == "api":
        # DRF's browsable API styles its Bootstrap layout with many style attributes and a
        # generated <style> for code highlighting. Styles only: its scripts are all files, and
        # script-src stays 'self'. JSON answers, which is what API clients read, are unaffected.
        return {"style-src": [UNSAFE_INLINE]}
    return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the exceptions above added for the admin and the API.

    Through `get_policy_parts`, the method django-csp offers for subclassing; a view's own
    `csp_update` / `csp_replace` / `csp_exempt` decorators still apply on top.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        extra = csp_exceptions(request.path_info)
        if extra:
            update = dict(parts.update or {})
            for directive, sources in extra.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
