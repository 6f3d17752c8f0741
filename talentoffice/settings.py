"""TalentOffice settings, read from the environment.

Nothing set gives the embedded default that `make run` uses: a SQLite file, Celery on a
filesystem transport (no server), console email and DEBUG on. Production is switched on by
`DJANGO_ENV=production` and then refuses to start without the values it cannot guess.
"""

import base64
import hashlib
import os
from datetime import time, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """Return the variable as a stripped string, or the default when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; anything but a clear yes/no is a configuration error."""
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer, failing loudly on a typo."""
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    value = env_str(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-not-for-production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "import_export",
    "django_celery_beat",
    "axes",  # lock-out after failed logins
    "csp",  # Content-Security-Policy
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "talentoffice",
    "partners",
    "assistants",
    "cases",
    "partner_api",
    "mobile",
    "steering",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every page, with the admin's written exceptions.
    "talentoffice.security.ContentSecurityPolicyMiddleware",
    # A NUL in a path, query or form is refused before any view or query sees it; a search the
    # database cannot run (a broken __regex pattern) answers 400 rather than a server error.
    "talentoffice.bad_input.RefuseNulMiddleware",
    "talentoffice.bad_input.BadInputErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Phone sessions expire after MOBILE_SESSION_IDLE_MINUTES unused.
    "talentoffice.security.MobileSessionMiddleware",
    # Who and from where, for every audit entry written during the request.
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out login with the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "talentoffice.urls"
WSGI_APPLICATION = "talentoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# The embedded default is a SQLite file beside the code; production names PostgreSQL.
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Length over composition rules (NIST SP 800-63B); the similarity, common-password and
    # all-digits checks stay.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Outside production whitenoise looks files up per request, so no collectstatic is needed.
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded agreements are scans or PDFs; anything larger is refused at the edge.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "talentoffice@localhost")

# The cache holds rate-limit counters, so every web process must share it: Redis in production
# (CACHE_URL), process memory for the embedded default and tests.
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

# Celery: Redis in production; with no broker named, a filesystem transport under var/ lets
# `make run` start a real worker and beat beside the web server without any server of its own.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if PRODUCTION and not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must point at Redis when DJANGO_ENV=production")
CELERY_QUEUE_DIR = BASE_DIR / "var" / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_QUEUE_DIR / "out"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "out"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        # Without this the transport writes its broadcast exchange files to ./control.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The filesystem transport expects its folders to exist in every process that sends or reads.
    (CELERY_QUEUE_DIR / "out").mkdir(parents=True, exist_ok=True)
    (CELERY_QUEUE_DIR / "processed").mkdir(parents=True, exist_ok=True)
    (CELERY_QUEUE_DIR / "control").mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Two queues, so that beat's sweeps never wait behind a backlog of deliveries: a sweep finds due
# reminders while they still matter (a pre-shift reminder stops being due when the shift starts),
# and one sweep can queue thousands of deliveries. Production runs a worker of its own on
# `sweeps` (Procfile `sweeper`, deploy/systemd/talentoffice-sweeper.service): a worker reading
# both queues could have every pool process busy with deliveries when the sweep arrives, however
# fair its reading order. A worker started without -Q reads both, as the tests' workers do.
CELERY_TASK_QUEUES = (Queue("sweeps"), Queue("deliveries"))
# Every task has its queue here, in one place; tests.test_queues checks that none is missing.
CELERY_TASK_ROUTES = {
    "talentoffice.tasks.deliver_notification": {"queue": "deliveries"},
    "partners.tasks.deliver_webhook": {"queue": "deliveries"},
    # Whatever beat queues: each finds due work, writes rows and hands delivery off at once.
    "talentoffice.tasks.record_heartbeat": {"queue": "sweeps"},
    "talentoffice.tasks.requeue_stale_deliveries": {"queue": "sweeps"},
    "assistants.tasks.sweep_reminders": {"queue": "sweeps"},
    "cases.tasks.sweep_case_reminders": {"queue": "sweeps"},
    "cases.tasks.send_daily_digest": {"queue": "sweeps"},
    "cases.tasks.anonymize_expired_residents": {"queue": "sweeps"},
    "partners.tasks.requeue_stale_webhook_deliveries": {"queue": "sweeps"},
    "steering.tasks.send_monthly_digest": {"queue": "sweeps"},
    "steering.tasks.refresh_dashboard_snapshots": {"queue": "sweeps"},
}
# A task with no route would land in a queue no worker reads; the default is the scalable one.
CELERY_TASK_DEFAULT_QUEUE = "deliveries"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat queues a heartbeat that a worker records: the health check then knows both are alive.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "talentoffice.tasks.record_heartbeat",
        "schedule": 60.0,
        "args": ("beat",),
    },
    # Due reminders and alerts; a sweep still waiting after a minute is superseded by the next.
    "reminder-sweep": {
        "task": "assistants.tasks.sweep_reminders",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # Deliveries whose message was lost, held by quiet hours, or whose worker died.
    "requeue-stale-deliveries": {
        "task": "talentoffice.tasks.requeue_stale_deliveries",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # Case escalations, deadline warnings, return-visit and liaison reminders.
    "case-reminder-sweep": {
        "task": "cases.tasks.sweep_case_reminders",
        "schedule": 300.0,
        "options": {"expire_seconds": 290},
    },
    # One digest of overdue cases and return visits per staff member, each morning.
    "case-daily-digest": {
        "task": "cases.tasks.send_daily_digest",
        "schedule": crontab(hour=8, minute=30),
        "options": {"expire_seconds": 6 * 3600},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False  # see talentoffice.exporting.inert
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"

IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Admin changelists above this many estimated rows show an estimate instead of an exact COUNT.
ESTIMATED_COUNT_THRESHOLD = env_int("ESTIMATED_COUNT_THRESHOLD", 10_000)

LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    "talentoffice.security.LockoutBackend",  # first: refuses locked-out users and clients
    "django.contrib.auth.backends.ModelBackend",
    "mobile.backends.PhoneBackend",  # assistants sign in on /m/ with their phone too
]

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Cases: the prefix of readable numbers (TJ-2026-000123) and how long a lead has to accept.
CASE_NUMBER_PREFIX = env_str("CASE_NUMBER_PREFIX", "TJ")
CASE_ACCEPT_HOURS = env_int("CASE_ACCEPT_HOURS", 24)
# Count that window in office hours on working days, as 12345 offices do (a case assigned on
# Friday evening waits for Monday), instead of round-the-clock hours.
CASE_ACCEPT_WORKING_HOURS = env_bool("CASE_ACCEPT_WORKING_HOURS", False)


def _office_hours(value: str) -> tuple[time, time]:
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ImproperlyConfigured(
            f"OFFICE_HOURS must look like 09:00-17:00, not {value!r}"
        ) from None
    if opens >= closes:
        raise ImproperlyConfigured("OFFICE_HOURS must open before it closes")
    return opens, closes


# The office day the working-hours window counts, in local time.
OFFICE_HOURS = _office_hours(env_str("OFFICE_HOURS", "09:00-17:00"))
# Largest photo or PDF kept with a visit; checked by content in talentoffice.uploads.
# The public QR form. Behind our own reverse proxy, which overwrites X-Forwarded-For with the
# address it saw, the client is that header's first hop; anywhere else the header is forged.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
PUBLIC_FORM_LIMIT_PER_IP = env_int("PUBLIC_FORM_LIMIT_PER_IP", 5)  # per hour
PUBLIC_FORM_LIMIT_PER_PHONE = env_int("PUBLIC_FORM_LIMIT_PER_PHONE", 3)  # per day
# The host printed in QR codes when staff work on another one (e.g. https://talent.example.cn).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL")

# Case reminders (cases.sweeps): warn the lead this many working days before the target date,
# remind the lead this many days before a return visit, send day-based reminders from this hour.
CASE_WARNING_WORKDAYS = env_int("CASE_WARNING_WORKDAYS", 2)
CASE_FOLLOW_UP_REMINDER_DAYS = env_int("CASE_FOLLOW_UP_REMINDER_DAYS", 1)
CASE_REMINDER_HOUR = env_int("CASE_REMINDER_HOUR", 8)
VISIT_ATTACHMENT_MAX_BYTES = env_int("VISIT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# --- Partner API ---
# Keys first (their WWW-Authenticate header makes a missing key a 401); a partner manager's
# session serves the browsable API. Every answer, errors included, is partner_api.errors' shape.
REST_FRAMEWORK |= {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partner_api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partner_api.permissions.IsPartner"],
    "DEFAULT_RENDERER_CLASSES": [
        "partner_api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON nested deeper than a request can need is refused before it is parsed.
    "DEFAULT_PARSER_CLASSES": [
        "partner_api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["partner_api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "partner_api.pagination.NewestFirstCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "partner_api.schema.PartnerAutoSchema",
    "EXCEPTION_HANDLER": "partner_api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests one key (or one partner manager) may make per minute, counted in the cache.
PARTNER_API_RATE = env_str("PARTNER_API_RATE", "600/min")
# Wrong or garbled API keys one client address may send per period before it is answered 429,
# so that secrets cannot be guessed at the speed of the network.
PARTNER_API_FAILED_KEY_RATE = env_str("PARTNER_API_FAILED_KEY_RATE", "30/min")
# The largest request body the API reads; anything larger answers 413 without being parsed.
PARTNER_API_MAX_BODY_BYTES = env_int("PARTNER_API_MAX_BODY_BYTES", 64 * 1024)
# Webhooks: the first retry waits this long, each next one twice as long; given up after this
# many tries. Plain http:// callbacks to 127.0.0.1 are for tests and development only.
PARTNER_WEBHOOK_RETRY_SECONDS = env_int("PARTNER_WEBHOOK_RETRY_SECONDS", 30)
PARTNER_WEBHOOK_MAX_ATTEMPTS = env_int("PARTNER_WEBHOOK_MAX_ATTEMPTS", 8)
PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool(
    "PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK", not PRODUCTION
)
if PRODUCTION and PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK:
    raise ImproperlyConfigured("PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK must be off in production")
CELERY_BEAT_SCHEDULE["requeue-stale-webhook-deliveries"] = {
    "task": "partners.tasks.requeue_stale_webhook_deliveries",
    "schedule": 60.0,
    "options": {"expire_seconds": 55},
}
# The OpenAPI contract at /api/v1/schema/; Swagger UI and Redoc from the sidecar's static files.
SPECTACULAR_SETTINGS = {
    "TITLE": "TalentOffice partner API",
    "DESCRIPTION": (
        "For partner institutions: their assistants, shifts, cases (personal data masked), "
        "visits, scorecard and signed webhooks. Authenticate with `Authorization: Bearer <key>`. "
        "Field descriptions are given in English and Chinese. / 合作机构接口：人员、值班、诉求"
        "（个人信息已脱敏）、走访、绩效与签名回调。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PartnerStatusEnum": "partners.choices.PartnerStatus",
        "AssistantStatusEnum": "assistants.choices.AssistantStatus",
        "ShiftStatusEnum": "assistants.choices.ShiftStatus",
        "ProposalStatusEnum": "partners.choices.ProposalStatus",
        "WebhookDeliveryStatusEnum": "partners.choices.WebhookDeliveryStatus",
        "WebhookEventEnum": "partners.choices.WebhookEvent",
        "SpecialtyEnum": "assistants.choices.Specialty",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partner_api.schema.bilingual_descriptions",
    ],
}

# --- Mobile pages for assistants ---
# A check-in sent from farther than this from the service point is kept but flagged for staff.
CHECK_IN_FAR_METRES = env_int("CHECK_IN_FAR_METRES", 500)
# Photos from a phone's camera may arrive this large; they are shrunk before being kept.
MOBILE_PHOTO_MAX_UPLOAD_BYTES = env_int("MOBILE_PHOTO_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Longest side of a kept photo, in pixels: enough to read a document, small on a weak signal.
MOBILE_PHOTO_MAX_SIDE = env_int("MOBILE_PHOTO_MAX_SIDE", 1600)

# --- Steering: dashboard and reports ---
# Last month's figures to staff, and each partner's own to its managers, on the 1st at 09:00.
CELERY_BEAT_SCHEDULE["steering-monthly-digest"] = {
    "task": "steering.tasks.send_monthly_digest",
    "schedule": crontab(day_of_month=1, hour=9, minute=0),
    "options": {"expire_seconds": 12 * 3600},
}
# The dashboard shows a snapshot younger than this; beat renews the usual views before then.
STEERING_SNAPSHOT_SECONDS = env_int("STEERING_SNAPSHOT_SECONDS", 15 * 60)
CELERY_BEAT_SCHEDULE["steering-refresh-snapshots"] = {
    "task": "steering.tasks.refresh_dashboard_snapshots",
    "schedule": float(STEERING_SNAPSHOT_SECONDS * 2 // 3),
    "options": {"expire_seconds": STEERING_SNAPSHOT_SECONDS // 2},
}

# --- Roles, audit trail and personal data ---
# roles and hardening (docs/roles.md)
# Lock-out (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one username, or from one
# client address, further attempts are refused for LOGIN_LOCKOUT_MINUTES. The two counts are
# separate: guessing many users' passwords from one address locks the address; guessing one
# user's password from many addresses locks the user. Counts live in the database, shared by
# every web process; administrators see and clear them in the admin (Access attempts).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "talentoffice.security.login_client_ip"
AXES_USERNAME_CALLABLE = "mobile.backends.login_username"
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
# A later success does not wipe earlier failures: an attacker holding one good password must not
# be able to reset the count for the address they guess from.
AXES_RESET_ON_SUCCESS = False
# Its "BEGIN version" line on every start is noise; lock-outs are still logged as warnings.
LOGGING.setdefault("loggers", {})["axes.apps"] = {"level": "WARNING"}
# Sessions: a working day on the staff pages; an hour unused on the phone pages (/m/).
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
MOBILE_SESSION_IDLE_MINUTES = env_int("MOBILE_SESSION_IDLE_MINUTES", 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy: nothing inline, nothing from another host. The admin's few inline
# bits are allowed by exact hash in talentoffice.security.csp_exceptions (documented there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
# audit and personal data
# The audit trail: django-auditlog, models registered in talentoffice.audit, the actor and
# address taken by its middleware; the correlation ID is the request's ID.
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_CID_GETTER = "talentoffice.audit.current_cid"
# Resident ID numbers are stored encrypted (Fernet). PERSONAL_DATA_KEYS is a comma-separated list
# of Fernet keys: the first encrypts, all decrypt, so a new key is put first and the old one kept
# until `manage.py reencrypt_residents` ran. PERSONAL_DATA_HASH_KEY keys the hash used for exact
# lookups; it never changes once data exists. Development derives both from SECRET_KEY.
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS")
PERSONAL_DATA_HASH_KEY = env_str("PERSONAL_DATA_HASH_KEY")
if PRODUCTION and not (PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY):
    raise ImproperlyConfigured(
        "PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be set when DJANGO_ENV=production"
    )
if not PERSONAL_DATA_KEYS:
    PERSONAL_DATA_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"fernet:{SECRET_KEY}".encode()).digest()).decode()
    ]
PERSONAL_DATA_HASH_KEY = (
    PERSONAL_DATA_HASH_KEY or hashlib.sha256(f"lookup:{SECRET_KEY}".encode()).hexdigest()
)
# Minutes a "show in full" on a resident's page lasts before the values are masked again.
PERSONAL_DATA_REVEAL_MINUTES = env_int("PERSONAL_DATA_REVEAL_MINUTES", 10)
# A resident's name, phone, address and ID number are anonymized this many days after their
# last case closed (the cases stay, for the programme's figures).
RESIDENT_RETENTION_DAYS = env_int("RESIDENT_RETENTION_DAYS", 3 * 365)
CELERY_BEAT_SCHEDULE["anonymize-residents"] = {
    "task": "cases.tasks.anonymize_expired_residents",
    "schedule": crontab(hour=3, minute=15),
    "options": {"expire_seconds": 6 * 3600},
}
# Uploads are served only by views that check who may see the object (cases.files); a system
# check (cases.checks) refuses a MEDIA_ROOT inside what collectstatic or whitenoise publish.

# --- Production operation ---
# Every request gets an ID (X-Request-ID from the proxy, or a new one) that every log line of that
# request, and of the tasks it queued, carries. First, so that even SecurityMiddleware's answers
# (the SSL redirect) are named and logged.
MIDDLEWARE.insert(0, "talentoffice.request_id.RequestIdMiddleware")
# Logs: one JSON object per line in production (LOG_FORMAT=json|plain overrides), for a log
# collector to index by request_id; plain lines with the ID for a developer's terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING.setdefault("filters", {})["request_id"] = {"()": "talentoffice.request_id.RequestIdFilter"}
LOGGING["formatters"]["plain"]["format"] = (
    "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
)
LOGGING["formatters"]["json"] = {"()": "talentoffice.request_id.JsonFormatter"}
LOGGING["handlers"]["console"] |= {"formatter": LOG_FORMAT, "filters": ["request_id"]}
# One line per request from RequestIdMiddleware; LOG_REQUESTS=false leaves it to the proxy.
LOGGING.setdefault("loggers", {})["talentoffice.requests"] = {
    "level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"
}
# The health check's 503 is an answer to a probe, logged as a warning by the check itself.
LOGGING["filters"]["health_answers"] = {"()": "talentoffice.request_id.HealthAnswersAreNotErrors"}
LOGGING["loggers"]["django.request"] = {"filters": ["health_answers"]}
# The worker logs through the same handlers (JSON, request IDs) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Static files (collectstatic's target) may live outside the code, e.g. on a read-only install.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(STATIC_ROOT)))
# The health check (talentoffice.health). Beat queues its heartbeat this often; the beat and the
# worker are unhealthy when not seen for HEALTH_STALE_SECONDS (three missed heartbeats by default).
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 60)
CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"] = float(HEARTBEAT_SECONDS)
HEALTH_STALE_SECONDS = env_int("HEALTH_STALE_SECONDS", 3 * HEARTBEAT_SECONDS + 30)
HEALTH_BROKER_TIMEOUT_SECONDS = env_int("HEALTH_BROKER_TIMEOUT_SECONDS", 2)
# Beat's database scheduler writes when it last sent each task after every send (instead of every
# three minutes), so the health check can tell that beat is alive; a handful of writes a minute.
CELERY_BEAT_SYNC_EVERY = 1
# A load balancer probes /health/ over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
