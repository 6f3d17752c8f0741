"""Per-key rate limits, counted in the cache (Redis in production, shared by every process)."""

import logging
import math

import redis
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

# A module, not its names: the key authentication uses FailedKeyThrottle from here in turn.
from . import authentication

logger = logging.getLogger(__name__)


class WindowCounterThrottle(SimpleRateThrottle):
    """A throttle counting in one cache counter per fixed window, raised atomically.

    DRF's own throttle reads a list of request times, appends to it and writes it back whole, so
    two web processes serving one client at the same moment each write over the other's request
    and the limit leaks under load. Here a client has one counter per window in the cache,
    raised with the cache's atomic `incr` (INCRBY on Redis): every process adds to the same number.
    """

    def _counter(self, request, view) -> str:
        now = self.timer()
        start = int(now // self.duration) * self.duration
        self.seconds_left = max(1, math.ceil(start + self.duration - now))
        return f"{self.get_cache_key(request, view)}:{start}"

    def add_one(self, request, view) -> int:
        """Count one more in this client's window; the window's count so far."""
        counter = self._counter(request, view)
        # The counter is named by its window, so it may outlive it: it expires a whole window
        # after its window ends, never while a request of that window can still raise it.
        lifetime = 2 * self.duration
        self.cache.add(counter, 0, timeout=lifetime)
        try:
            return self.cache.incr(counter)
        except ValueError:  # gone between the two calls: this request starts it again
            self.cache.add(counter, 1, timeout=lifetime)
            return 1

    def count(self, request, view) -> int:
        """This client's count in the current window, unchanged."""
        return self.cache.get(self._counter(request, view), 0)

    def wait(self):
        return self.seconds_left


class ApiKeyRateThrottle(WindowCounterThrottle):
    """PARTNER_API_RATE requests per key per fixed window; a manager's session counts per user.

    Only requests that passed authentication and permissions get here, so a wrong secret or an
    address the key may not use spends none of the key's allowance (FailedKeyThrottle counts those).
    """

    scope = "partner_api"

    def get_rate(self):
        # One setting for the API's limit, read when the request is served.
        return settings.PARTNER_API_RATE

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, authentication.ApiKeyPrincipal):
            ident = f"key:{user.api_key.pk}"
        elif user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        return self.add_one(request, view) <= self.num_requests


class FailedKeyThrottle(WindowCounterThrottle):
    """PARTNER_API_FAILED_KEY_RATE wrong or garbled keys per client address per fixed window.

    Used by the key authentication itself, before any key is looked up: past the limit an
    address is answered 429 whatever key it sends, until the window ends, so guessing a secret
    costs a window per few dozen tries and every web process counts in the same place.
    """

    scope = "partner_api_failed_key"

    def get_rate(self):
        return settings.PARTNER_API_FAILED_KEY_RATE

    def get_cache_key(self, request, view):
        ident = authentication.client_address(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        try:
            return self.count(request, view) < self.num_requests
        except redis.ConnectionError:
            # Without the shared counter no key is served anyway (ApiKeyRateThrottle cannot
            # count either); a wrong key still gets its 401 rather than a server error.
            logger.warning("Failed API keys cannot be counted: the cache is unreachable")
            return True

    def record_failure(self, request) -> None:
        try:
            self.add_one(request, None)
        except redis.ConnectionError:
            logger.warning("Failed API keys cannot be counted: the cache is unreachable")
