"""Per-key rate limits, counted in the cache (Redis in production, shared by every process)."""

import logging
import time
import weakref
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from partners.models import hash_api_key

from .authentication import ApiKeyPrincipal, bearer_words, key_prefix

logger = logging.getLogger(__name__)

SCOPE = "partner_api"


@dataclass(frozen=True)
class Window:
    """The fixed window a request falls in, under PARTNER_API_RATE."""

    limit: int
    seconds: int
    start: int
    seconds_left: int

    @classmethod
    def now(cls) -> "Window":
        limit, seconds = SimpleRateThrottle.parse_rate(None, settings.PARTNER_API_RATE)
        now = time.time()
        start = int(now // seconds) * seconds
        return cls(limit, seconds, start, max(1, int(start + seconds - now)))

    def counter_key(self, ident: str) -> str:
        return f"throttle:{SCOPE}:{ident}:{self.start}"


def key_ident(key_hash: str) -> str:
    """Who a key's counter belongs to: its hash, known from the raw key before any lookup.

    Not the prefix: a caller who knows a key's prefix but not its secret must not be able to
    spend that key's requests.
    """
    return f"key:{key_hash[:32]}"


class ApiKeyRateThrottle(BaseThrottle):
    """PARTNER_API_RATE requests per key per window; a manager's session counts per user.

    A fixed-window counter rather than DRF's list of timestamps: one atomic INCR per request on
    Redis, a few bytes per key, and concurrent web processes cannot overwrite each other's counts
    (DRF's read-modify-write of a pickled list lets the limit leak under load).
    """

    scope = SCOPE

    def allow_request(self, request, view):
        ident = self.ident_of(request)
        ahead = getattr(request, "counted_ahead", None)
        if ahead is not None and ahead.ident == ident:
            window = ahead.window
            count = ahead.count()
        else:
            window = Window.now()
            count = count_in_window(window.counter_key(ident), window.seconds)
        self.seconds_left = window.seconds_left
        return count <= window.limit

    def wait(self):
        return self.seconds_left

    def ident_of(self, request):
        user = request.user
        if isinstance(user, ApiKeyPrincipal):
            return key_ident(user.api_key.key_hash)
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


def _redis_cache() -> RedisCache | None:
    # The backend itself, not django.core.cache.cache: that is a proxy, which isinstance()
    # cannot see through.
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


def counting_commands(full_key: str, window: int) -> list[tuple]:
    """Add one to a counter of Redis that expires with its window: INCR, then EXPIRE NX.

    INCR creates the key at 1; EXPIRE NX sets the lifetime only once. They go in one write
    without MULTI/EXEC: INCR is atomic on its own, and EXPIRE NX only ever sets the first
    lifetime, whatever runs between the two. The first reply is the count.
    """
    return [("INCR", full_key), ("EXPIRE", full_key, window + 1, "NX")]


def count_in_window(key: str, window: int, backend=None) -> int:
    """Add one to the window's counter and return it; the counter expires with its window."""
    cache = backend if backend is not None else caches["default"]
    if isinstance(cache, RedisCache):
        pipeline = _write_client(cache).pipeline(transaction=False)
        for command in counting_commands(cache.make_key(key), window):
            pipeline.execute_command(*command)
        count, _expiry_set = pipeline.execute()
        return count
    # Other caches (process memory in development): add() is atomic, then incr().
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=window + 1)
        return 1


# Takes back a count that was sent ahead for a request the throttle never saw; a counter that
# drops to zero or below (a key nobody has, or a window that ended meanwhile) is deleted, so
# that tokens made up by a caller leave nothing behind in Redis.
TAKE_BACK = """
local count = redis.call('DECR', KEYS[1])
if count <= 0 then redis.call('DEL', KEYS[1]) end
return count
"""


class CountedAhead:
    """A key's count, sent to Redis before the key is looked up and read when the throttle asks.

    The same `counting_commands` as `count_in_window`, split in two: they go out on a
    connection of the pool's before authentication, PostgreSQL looks the key up while Redis
    counts, and the throttle reads the reply afterwards, instead of a round trip of its own
    after the lookup (0.08–0.09 ms less on a one-row page, measured in bench/README.md).

    What is counted is what was counted before; how, in detail:
    - `settle()` takes the count back (DECR) when the request never reached the throttle (a
      wrong secret, a revoked key, an address the key may not use), as such requests were never
      counted; until then, for a millisecond or so, it is in the key's count, so a request of
      the key's arriving in that moment at its very last allowed one may be refused (429).
      Only a caller with the key's secret can cause that.
    - The counter is named by the hash of the key that was sent, so only the secret reaches a
      key's counter, and a made-up token's count is deleted when it is taken back.
    - Only a token of the shape `create_api_key` makes is counted ahead; anything else is
      refused by the authentication without a word to Redis.
    - If Redis cannot be reached here, nothing is counted ahead: the authentication answers as
      it would (401 for a bad key), and the throttle counts as it always did (and fails as it
      always did while Redis is down).

    Not safe with redis-py's client-side caching (`cache_config`), whose connections read
    pending replies of other connections: the cache here does not use it.
    """

    def __init__(self, cache: RedisCache, ident: str, window: Window):
        self.ident = ident
        self.window = window
        self._full_key = cache.make_key(window.counter_key(ident))
        self._client = _write_client(cache)
        self._pool = self._client.connection_pool
        self._connection = self._pool.get_connection()
        self._count = None
        try:
            self._connection.send_packed_command(
                self._connection.pack_commands(counting_commands(self._full_key, window.seconds))
            )
        except BaseException:
            self._release(broken=True)
            raise

    @classmethod
    def start(cls, request) -> "CountedAhead | None":
        """Count a request that carries a key, if the counters are in Redis; else None."""
        cache = _redis_cache()
        if cache is None:
            return None
        words = bearer_words(request)
        if words is None or len(words) != 2 or key_prefix(words[1]) is None:
            return None  # not a key of ours: the authentication says why, Redis is not asked
        try:
            return cls(cache, key_ident(hash_api_key(words[1])), Window.now())
        except RedisError:
            logger.warning("the API key's count could not be sent ahead", exc_info=True)
            return None

    def count(self) -> int:
        """The key's count in its window, this request included."""
        if self._count is None:
            self._count = self._read()
        return self._count

    def settle(self):
        """Read what is still unread and give the connection back; uncount an unused count.

        Never raises a Redis error of its own: the request's own answer (a 401, say) stands.
        """
        if self._connection is None:
            return
        try:
            self._read()
            # This request never reached the throttle: it was not one of the key's requests.
            self._client.eval(TAKE_BACK, 1, self._full_key)
        except RedisError:
            logger.warning("the API key's count could not be taken back", exc_info=True)

    def _read(self) -> int:
        try:
            count = self._connection.read_response()
            self._connection.read_response()  # EXPIRE NX: whether it set the lifetime
        except BaseException:
            self._release(broken=True)
            raise
        self._release()
        return count

    def _release(self, broken=False):
        if broken:
            self._connection.disconnect()  # a reply may be left on it
        self._pool.release(self._connection)
        self._connection = None
