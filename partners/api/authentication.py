"""Who is calling the partner API: an API key, tied to exactly one partner.

A key authenticates as an `ApiKeyPrincipal`, which `talentoffice.access.partner_id_of` reads
through its `api_key_partner_id`, so every `visible_to(user)` queryset method serves keys and
partner managers' sessions alike; nothing in the API filters by partner on its own.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from partners.choices import PartnerStatus
from partners.models import API_KEY_SCHEME, ApiKey

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


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer tok_<prefix>_<secret>`; one indexed query per request."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None  # no key: the session (or nothing) decides
        if len(header) != 2:
            raise KeyFailed(_("Send the key as “Authorization: Bearer <key>”."), "key_invalid")
        raw_key = header[1]
        scheme, _sep, rest = raw_key.partition("_")
        prefix = rest.partition("_")[0]
        api_key = None
        if scheme == API_KEY_SCHEME and prefix:
            # order_by(): the prefix is unique, so skip the model's default sort.
            keys = ApiKey.objects.select_related("partner").filter(prefix=prefix).order_by()
            api_key = keys.first()
        if api_key is None or not api_key.matches(raw_key):
            raise KeyFailed(_("This API key is not valid."), "key_invalid")
        now = timezone.now()
        if api_key.is_revoked:
            raise KeyFailed(_("This API key was revoked."), "key_revoked")
        if api_key.is_expired(now):
            raise KeyFailed(_("This API key has expired."), "key_expired")
        if api_key.partner.status != PartnerStatus.ACTIVE:
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
