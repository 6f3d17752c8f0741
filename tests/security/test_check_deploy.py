"""`manage.py check --deploy` is clean with production settings, and production sends cookies
only over HTTPS, asks for HSTS and redirects to HTTPS.

Each run starts Django in a fresh interpreter with only the production variables of README's
"Running in production" (plus the personal-data keys), because settings are read once per
process. Nothing is silenced: SILENCED_SYSTEM_CHECKS must stay empty.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_HSTS_PRELOAD": settings.SECURE_HSTS_PRELOAD,
    "SILENCED_SYSTEM_CHECKS": settings.SILENCED_SYSTEM_CHECKS,
    "DEBUG": settings.DEBUG,
}))
"""


def production_env() -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_", "TEST_DATABASE", "DATABASE_URL"))
        and key not in {"DEBUG", "SECRET_KEY", "CACHE_URL", "ALLOWED_HOSTS"}
    }
    return env | {
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "talentoffice.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "talent.example.gov.cn",
        "DATABASE_URL": "postgres://talentoffice:secret@db.example.internal:5432/talentoffice",
        "CELERY_BROKER_URL": "redis://redis.example.internal:6379/0",
        "CACHE_URL": "redis://redis.example.internal:6379/1",
        "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
        "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
        "EMAIL_HOST": "smtp.example.gov.cn",
    }


def run(*args):
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_finds_nothing_with_production_settings():
    # --fail-level WARNING: a deployment warning fails the run like an error would.
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on():
    result = run("-c", PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SILENCED_SYSTEM_CHECKS": [],
        "DEBUG": False,
    }
