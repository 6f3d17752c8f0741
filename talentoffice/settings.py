"""TalentOffice settings, read from the environment.

Nothing set gives the embedded default that `make run` uses: a SQLite file, Celery on a
filesystem transport (no server), console email and DEBUG on. Production is switched on by
`DJANGO_ENV=production` and then refuses to start without the values it cannot guess.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "talentoffice",
    "partners",
    "assistants",
    "cases",
    "steering",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        conn_health_checks=True,
    )
}
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL when DJANGO_ENV=production")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Tests get a database of their own so that a developer's data is never touched.
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "talentoffice_test")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False  # see talentoffice.importing.escape_formulae
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"

IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Admin changelists above this many estimated rows show an estimate instead of an exact COUNT.
ESTIMATED_COUNT_THRESHOLD = env_int("ESTIMATED_COUNT_THRESHOLD", 10_000)

LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

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
# Largest photo or PDF kept with a visit; checked by content in cases.visits.
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

# --- Partner API (issue 6) ---

# --- Mobile pages for assistants (issue 5) ---

# --- Steering: dashboard and reports (issue 7) ---

# --- Roles, audit trail and personal data (issue 8) ---

# --- Production operation (issue 9) ---
