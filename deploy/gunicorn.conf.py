"""gunicorn settings for TalentOffice: `gunicorn -c deploy/gunicorn.conf.py talentoffice.wsgi`.

Every value can be overridden from the environment (the names below), so one file serves a
small district machine and a big city one. Static files are served by whitenoise inside the
app, so gunicorn needs nothing for them.
"""

import multiprocessing
import os

# Behind the reverse proxy on the same machine; GUNICORN_BIND=0.0.0.0:8000 when it is elsewhere.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the pages are short database-bound requests. Two per core plus one is
# gunicorn's usual start; measure (bench/run) before going higher.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# A request taking longer than this is killed and its worker replaced (exports are the longest).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Replace each worker after this many requests (plus jitter, so they do not all restart
# together): a slow leak in any library then never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# The app writes one JSON line per request (with its request ID), so gunicorn's access log
# would say it twice; GUNICORN_ACCESS_LOG=- turns it on anyway.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the proxy on this machine may set X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER trusts it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Worker temporary files in memory: a slow disk must not stall the heartbeat of workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "talentoffice-web"

# gunicorn's own lines (start, stop, a worker timed out) as JSON too, like the app's, when the
# app logs JSON (LOG_FORMAT, default json in production).
_django_env = os.environ.get("DJANGO_ENV", "development")
if os.environ.get("LOG_FORMAT", "json" if _django_env == "production" else "plain") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "talentoffice.request_id.JsonFormatter"}},
        # The names of gunicorn's own default handlers, which its default root logger uses.
        "handlers": {
            name: {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
            for name in ("console", "error_console")
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
