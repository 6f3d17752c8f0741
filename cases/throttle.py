"""Rate limits for the public QR form: per client address and per phone number.

Counters live in the Django cache, which is Redis in production, so that every web process
counts together; in tests and the embedded default it is process memory. Each counter is a
fixed window: the first submission creates the key with the window as its expiry (cache.add),
later ones increment it (cache.incr is atomic in Redis and in the local-memory cache).
"""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

HOUR = 60 * 60
DAY = 24 * HOUR


@dataclass(frozen=True)
class Limit:
    """At most `count` submissions in `seconds` for one key."""

    scope: str
    count: int
    seconds: int


def ip_limit() -> Limit:
    """Submissions one client address may make per hour (setting PUBLIC_FORM_LIMIT_PER_IP)."""
    return Limit("ip", settings.PUBLIC_FORM_LIMIT_PER_IP, HOUR)


def phone_limit() -> Limit:
    """Submissions for one phone number per day (setting PUBLIC_FORM_LIMIT_PER_PHONE)."""
    return Limit("phone", settings.PUBLIC_FORM_LIMIT_PER_PHONE, DAY)


class RateLimited(Exception):
    """Too many submissions from this client or for this phone number."""


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when it is trusted.

    The header is only believed behind our own reverse proxy (TRUST_X_FORWARDED_FOR), which must
    overwrite it with the address it saw (nginx: proxy_set_header X-Forwarded-For $remote_addr);
    otherwise a client could write any first hop and get a fresh allowance with every request.
    """
    candidates = []
    if settings.TRUST_X_FORWARDED_FOR:
        candidates.append(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if address.version == 6:
            # One household or phone usually holds a whole /64 and can pick any address in it.
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)
    # No usable address (a test client, a misconfigured proxy): all such requests share one.
    return "unknown"


def _key(limit: Limit, value: str) -> str:
    # Hashed, so the cache never holds a phone number in clear text.
    digest = salted_hmac("cases.throttle", value, algorithm="sha256").hexdigest()[:32]
    return f"public-form:{limit.scope}:{digest}"


def _count(limit: Limit, value: str) -> int:
    """Add one to the window's counter and return the new count."""
    key = _key(limit, value)
    cache.add(key, 0, timeout=limit.seconds)
    try:
        return cache.incr(key)
    except ValueError:
        # The window expired between add and incr: this submission opens the next one.
        if cache.add(key, 1, timeout=limit.seconds):
            return 1
        return cache.incr(key)


def ip_is_blocked(ip: str) -> bool:
    """True when this address has used up its allowance (checked before reading the form)."""
    return cache.get(_key(ip_limit(), ip), 0) >= ip_limit().count


def register_submission(*, ip: str, phone: str) -> None:
    """Count a valid submission against both limits; raise RateLimited if either is exceeded.

    Each limit is judged on the count its own increment returned, never on an earlier read, so
    two submissions arriving together cannot both slip in under the limit.
    """
    over_ip = _count(ip_limit(), ip) > ip_limit().count
    over_phone = _count(phone_limit(), phone) > phone_limit().count
    if over_ip or over_phone:
        raise RateLimited
