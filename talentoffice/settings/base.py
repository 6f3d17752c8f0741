"""Environment and the site.

Environment:
  DJANGO_ENV            development (the default) or production
  SECRET_KEY            required in production
  DEBUG                 on outside production; refused in production
  ALLOWED_HOSTS         comma-separated host names; required in production
  CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://talent.example.gov.cn
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from talentoffice.env import env_bool, env_list, env_str

# The project folder: talentoffice/settings/ is two folders below it.
BASE_DIR = Path(__file__).resolve().parent.parent.parent

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
    # Every request gets an ID (X-Request-ID from the proxy, or a new one) that every log line of
    # that request, and of the tasks it queued, carries. First, so that even SecurityMiddleware's
    # answers (the SSL redirect) are named and logged.
    "talentoffice.request_id.RequestIdMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
