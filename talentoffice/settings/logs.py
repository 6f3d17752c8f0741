"""Logging.

Environment:
  LOG_LEVEL     the root log level
  LOG_FORMAT    json (production's default) or plain; both carry the request ID
  LOG_REQUESTS  one line per request; false leaves it to the proxy
"""

from django.core.exceptions import ImproperlyConfigured

from talentoffice.env import env_bool, env_str

from .base import PRODUCTION

# One JSON object per line in production, for a log collector to index by request_id; plain
# lines with the ID for a developer's terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "talentoffice.request_id.RequestIdFilter"},
        # The health check's 503 is an answer to a probe, logged as a warning by the check.
        "health_answers": {"()": "talentoffice.request_id.HealthAnswersAreNotErrors"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "talentoffice.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Its "BEGIN version" line on every start is noise; lock-outs are still logged.
        "axes.apps": {"level": "WARNING"},
        # One line per request, written by RequestIdMiddleware.
        "talentoffice.requests": {"level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"},
        "django.request": {"filters": ["health_answers"]},
    },
}
