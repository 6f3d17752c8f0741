"""Who is calling the partner API: an API key, tied to exactly one partner.

A key authenticates as an `ApiKeyPrincipal`, which `talentoffice.access.partner_id_of` reads
through its `api_key_partner_id`, so every `visible_to(user)` queryset method serves keys and
partner managers' sessions alike; nothing in the API filters by partner on its own.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from partners.choices import PartnerStatus
from partners.models import API_KEY_SCHEME, ApiKey

from .throttling import FailedKeyThrottle

# last_used_at is written at most this often per key, so a busy client does not turn every
# read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyPrincipal(AnonymousUser):
    """The caller behind an API key: authenticated, never staff, acting for one partner.

    Built on AnonymousUser so that anything asking a user for groups or permissions gets none.
    """

    is_active = True

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.api_key_partner_id = api_key.partner_id

    def __str__(self):
        return f"api-key:{self.api_key.prefix}"

    def __eq__(self, other):
        return isinstance(other, ApiKeyPrincipal) and other.api_key.pk == self.api_key.pk

    def __hash__(self):
        return hash(("api-key", self.api_key.pk))

    @property
    def is_anonymous(self):
        return False

    @property
    def is_authenticated(self):
        return True


class KeyFailed(exceptions.AuthenticationFailed):
    """A key that was sent but cannot be used; the code says why."""

    def __init__(self, detail, code):
        super().__init__(detail, code)
        self.error_code = code


def client_address(request) -> str:
    """The caller's IP: REMOTE_ADDR, or the first X-Forwarded-For hop behind our own proxy."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


# What a request needs of its key; the rest (name, who made it) stays unread.
KEY_FIELDS = (
    "id",
    "partner_id",
    "prefix",
    "key_hash",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "allowed_ips",
)


def find_key(prefix: str) -> tuple[ApiKey, str] | None:
    """The key with this prefix and its partner's status (one indexed query), or None."""
    keys = (
        ApiKey.objects.filter(prefix=prefix)
        # The prefix is unique: the model's default order would only add a sort.
        .order_by()
        .only(*KEY_FIELDS)
        .annotate(partner_status=F("partner__status"))
    )
    for key in keys[:1]:
        return key, key.partner_status
    return None


KEYWORD = "Bearer"
# What create_api_key makes: "tok_", 8 hex digits, "_", the secret.
KEY_SHAPE = re.compile(rf"{API_KEY_SCHEME}_([0-9a-f]{{8}})_[A-Za-z0-9_-]+")


def bearer_words(request) -> list[str] | None:
    """The words of an `Authorization: Bearer …` header, or None for any other header or none."""
    words = authentication.get_authorization_header(request).decode("latin-1").split()
    if not words or words[0].lower() != KEYWORD.lower():
        return None
    return words


def key_prefix(raw_key: str) -> str | None:
    """The prefix of a key of the shape `create_api_key` makes, else None (nothing to look up)."""
    shape = KEY_SHAPE.fullmatch(raw_key)
    return shape[1] if shape else None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer tok_<prefix>_<secret>`; one indexed query per request."""

    keyword = KEYWORD

    def authenticate(self, request):
        words = bearer_words(request)
        if words is None:
            return None  # no key: the session (or nothing) decides
        # An address that sent too many wrong keys is refused before its key is even read.
        failures = FailedKeyThrottle()
        if not failures.allow_request(request, None):
            raise exceptions.Throttled(
                failures.wait(),
                # DRF joins this with its own "available in n seconds": a str, not lazy.
                str(_("Too many wrong API keys from this address; try again later.")),
            )
        if len(words) != 2:
            failures.record_failure(request)
            raise KeyFailed(_("Send the key as “Authorization: Bearer <key>”."), "key_invalid")
        raw_key = words[1]
        prefix = key_prefix(raw_key)
        found = find_key(prefix) if prefix else None
        if found is None or not found[0].matches(raw_key):
            failures.record_failure(request)
            raise KeyFailed(_("This API key is not valid."), "key_invalid")
        api_key, partner_status = found
        now = timezone.now()
        if api_key.is_revoked:
            raise KeyFailed(_("This API key was revoked."), "key_revoked")
        if api_key.is_expired(now):
            raise KeyFailed(_("This API key has expired."), "key_expired")
        if partner_status != PartnerStatus.ACTIVE:
            raise KeyFailed(_("The partner of this API key is suspended."), "partner_suspended")
        if not api_key.allows_ip(client_address(request)):
            raise exceptions.PermissionDenied(
                _("This API key may not be used from this address."), "ip_not_allowed"
            )
        if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
