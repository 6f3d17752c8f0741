"""Per-key rate limits, counted in the cache (Redis in production, shared by every process)."""

import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiKeyPrincipal


class ApiKeyRateThrottle(SimpleRateThrottle):
    """PARTNER_API_RATE requests per key per fixed window; a manager's session counts per user.

    DRF's own throttle reads a list of request times, appends to it and writes it back whole, so
    two web processes serving one key at the same moment each write over the other's request and
    the limit leaks under load. Here a key has one counter per window in the cache, raised with
    the cache's atomic `incr` (INCRBY on Redis): every process adds to the same number. Only
    requests that passed authentication and permissions get here, so a wrong secret or an
    address the key may not use spends none of the key's allowance.
    """

    scope = "partner_api"

    def get_rate(self):
        # One setting for the API's limit, read when the request is served.
        return settings.PARTNER_API_RATE

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiKeyPrincipal):
            ident = f"key:{user.api_key.pk}"
        elif user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        now = self.timer()
        start = int(now // self.duration) * self.duration
        self.seconds_left = max(1, math.ceil(start + self.duration - now))
        counter = f"{self.get_cache_key(request, view)}:{start}"
        # The counter is named by its window, so it may outlive it: it expires a whole window
        # after its window ends, never while a request of that window can still raise it.
        lifetime = 2 * self.duration
        self.cache.add(counter, 0, timeout=lifetime)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # gone between the two calls: this request starts it again
            self.cache.add(counter, 1, timeout=lifetime)
            count = 1
        return count <= self.num_requests

    def wait(self):
        return self.seconds_left
