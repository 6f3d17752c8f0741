"""Django's PostgreSQL backend with two changes: timestamps parsed in C, and a connection that
served a request a moment ago trusted without a health check.

Timestamps. Django registers its own loader for `timestamptz` on every psycopg connection, a
subclass of psycopg's pure-Python loader (so that it can set the value's tzinfo), which passes
over psycopg's C loader: about 3 µs per timestamp, a fifth of a millisecond on a page of 50
shifts. PostgreSQL writes a timestamptz as ISO 8601 in the session's time zone (UTC here),
which Python's `datetime.fromisoformat` parses in C. Anything else (another offset, BC dates,
`infinity`, years past 9999, another DateStyle) goes to Django's loader as before, so values
and errors are the same as Django's; the tzinfo is set as Django sets it.

Health checks. With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every
request on a kept connection: a second round trip on a page that needs one, on every request.
A connection that finished a request less than HEALTH_CHECK_AFTER_IDLE seconds ago is trusted
instead; one idle for longer is checked as before. The price: if PostgreSQL restarts within that
second, the next request on the connection fails (a 500) and Django then closes the connection,
as it does with checks off. Under load every request is within the second; when it is quiet,
every request is checked.
"""

import time
from datetime import datetime
from functools import cache

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

# Seconds after a request ends during which its connection is trusted without `SELECT 1`.
HEALTH_CHECK_AFTER_IDLE = 1.0


class IsoTimestamptzLoader(BaseTzLoader):
    """Django's timestamptz loader with a fast path for ISO text."""

    def load(self, data, _parse=datetime.fromisoformat):
        text = bytes(data)
        # "+00": the session's zone is at UTC then, so the wall time is the one psycopg would
        # give in that zone, and Django's tzinfo goes on as it is. Other offsets (a session in
        # another zone) go the long way, which converts.
        if text.endswith(b"+00"):
            try:
                value = _parse(text.decode())
            except ValueError:
                pass
            else:
                # Parsed with `timezone.utc` itself, which is Django's tzinfo with USE_TZ.
                if value.tzinfo is self.timezone:
                    return value
                return value.replace(tzinfo=self.timezone)
        return super().load(data)


@cache
def loader_for(zone):
    """The fast loader for connections whose values Django gives this tzinfo."""

    class Loader(IsoTimestamptzLoader):
        # Django compares this with the connection's time zone before each cursor, and only
        # registers its own loader again when they differ.
        timezone = zone

    return Loader


class DatabaseWrapper(base.DatabaseWrapper):
    # When the connection last came through the check between two requests still open.
    sound_at = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("timestamptz", loader_for(self.timezone))
        return connection

    def close_if_unusable_or_obsolete(self):
        # Called at the start and at the end of every request (and Celery task).
        now = time.monotonic()
        trusted = self.sound_at is not None and now - self.sound_at < HEALTH_CHECK_AFTER_IDLE
        super().close_if_unusable_or_obsolete()
        if self.connection is None:
            self.sound_at = None
            return
        if trusted:
            self.health_check_done = True
        self.sound_at = now
