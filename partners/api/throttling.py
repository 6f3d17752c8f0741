"""Per-key rate limits, counted in the cache (Redis in production, shared by every process)."""

import time
import weakref

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from .authentication import ApiKeyPrincipal


class ApiKeyRateThrottle(BaseThrottle):
    """PARTNER_API_RATE requests per key per window; a manager's session counts per user.

    A fixed-window counter rather than DRF's list of timestamps: one atomic INCR per request on
    Redis, a few bytes per key, and concurrent web processes cannot overwrite each other's counts
    (DRF's read-modify-write of a pickled list lets the limit leak under load).
    """

    scope = "partner_api"

    def allow_request(self, request, view):
        limit, window = SimpleRateThrottle.parse_rate(None, settings.PARTNER_API_RATE)
        now = time.time()
        window_start = int(now // window) * window
        self.seconds_left = max(1, int(window_start + window - now))
        key = f"throttle:{self.scope}:{self.ident_of(request)}:{window_start}"
        return count_in_window(key, window) <= limit

    def wait(self):
        return self.seconds_left

    def ident_of(self, request):
        user = request.user
        if isinstance(user, ApiKeyPrincipal):
            return f"key:{user.api_key.pk}"
        if user.is_authenticated:
            return f"user:{user.pk}"
        return self.get_ident(request)


# One Redis client per cache backend: Django builds a new client object on every call (about
# 80 µs), while the connection pool behind it is shared anyway.
_write_clients = weakref.WeakKeyDictionary()


def _write_client(backend: RedisCache):
    client = _write_clients.get(backend)
    if client is None:
        # Writes always go to the first server, whatever the key (Django's RedisCacheClient).
        client = _write_clients[backend] = backend._cache.get_client(write=True)
    return client


def count_in_window(key: str, window: int, backend=None) -> int:
    """Add one to the window's counter and return it; the counter expires with its window."""
    # The backend itself, not django.core.cache.cache: that is a proxy, which isinstance()
    # cannot see through.
    cache = backend if backend is not None else caches["default"]
    if isinstance(cache, RedisCache):
        # One round trip: INCR creates the key at 1; EXPIRE NX sets the lifetime only once.
        client = _write_client(cache)
        full_key = cache.make_key(key)
        # No MULTI/EXEC: both commands go in one write and INCR is atomic on its own; EXPIRE NX
        # only ever sets the first lifetime, whatever runs between the two.
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, window + 1, nx=True)
        count, _expiry_set = pipeline.execute()
        return count
    # Other caches (process memory in development): add() is atomic, then incr().
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=window + 1)
        return 1
