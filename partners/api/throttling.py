"""Per-key rate limits, counted in the cache (Redis in production, shared by every process)."""

import time

from django.conf import settings
from django.core.cache import cache
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


def count_in_window(key: str, window: int) -> int:
    """Add one to the window's counter and return it; the counter expires with its window."""
    if isinstance(cache, RedisCache):
        # One round trip: INCR creates the key at 1; EXPIRE NX sets the lifetime only once.
        client = cache._cache.get_client(key, write=True)
        full_key = cache.make_key(key)
        pipeline = client.pipeline()
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
