"""Database and cache.

Environment:
  DATABASE_URL        a SQLite file beside the code by default; PostgreSQL in production
  DB_CONN_MAX_AGE     seconds a connection is kept (60 in production, else 0)
  TEST_DATABASE_NAME  the database the test suite creates on PostgreSQL
  CACHE_URL  Redis, required in production; process memory when unset
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from talentoffice.env import env_int, env_str

from .base import BASE_DIR, PRODUCTION

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        # A kept connection is checked with SELECT 1 before a request uses it, so a database
        # restart costs no request an error.
        conn_health_checks=True,
    )
}
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL when DJANGO_ENV=production")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Tests get a database of their own so that a developer's data is never touched.
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "talentoffice_test")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat of `make run` share one file. Write-ahead logging lets
    # them read while one writes; each transaction takes the write lock when it begins, so two
    # of them never both read and then deadlock on upgrading to write (which SQLite answers at
    # once with "database is locked", whatever the timeout); a writer waits its turn instead.
    # A writer waits as long as a reminder sweep may hold the lock writing its notifications.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # NORMAL syncs at each checkpoint rather than each commit: with WAL a power cut can lose
        # the last commits but never corrupts the file, and writes are much faster.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    # A file rather than memory, so that the tests' threads and processes meet the same locks
    # as `make run`'s processes do.
    if DATABASES["default"]["NAME"] not in {"", ":memory:"}:
        database_file = Path(DATABASES["default"]["NAME"])
        DATABASES["default"]["TEST"] = {
            "NAME": str(database_file.with_name(f"test_{database_file.name}"))
        }

# The cache holds rate-limit counters, so every web process must share it.
CACHE_URL = env_str("CACHE_URL")
if PRODUCTION and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CACHE_URL must point at Redis when DJANGO_ENV=production")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
