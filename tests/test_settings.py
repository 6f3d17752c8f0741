"""Settings read from the environment: dev defaults, and production refusing to guess.

Each case starts Django in a fresh interpreter, because settings are read once per process.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every variable the settings read (talentoffice/settings/); removed so that each case sees only
# its own. A test below keeps this list and the settings in step.
SETTINGS_VARIABLES = (
    "DJANGO_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "TEST_DATABASE_NAME",
    "CACHE_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "SESSION_HOURS",
    "MOBILE_SESSION_IDLE_MINUTES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "TRUST_X_FORWARDED_FOR",
    "PERSONAL_DATA_KEYS",
    "PERSONAL_DATA_HASH_KEY",
    "PERSONAL_DATA_REVEAL_MINUTES",
    "RESIDENT_RETENTION_DAYS",
    "CASE_NUMBER_PREFIX",
    "CASE_ACCEPT_HOURS",
    "CASE_ACCEPT_WORKING_HOURS",
    "OFFICE_HOURS",
    "CASE_WARNING_WORKDAYS",
    "CASE_FOLLOW_UP_REMINDER_DAYS",
    "CASE_REMINDER_HOUR",
    "VISIT_ATTACHMENT_MAX_BYTES",
    "PUBLIC_FORM_LIMIT_PER_IP",
    "PUBLIC_FORM_LIMIT_PER_PHONE",
    "PUBLIC_BASE_URL",
    "ESTIMATED_COUNT_THRESHOLD",
    "PARTNER_API_RATE",
    "PARTNER_API_FAILED_KEY_RATE",
    "PARTNER_API_MAX_BODY_BYTES",
    "PARTNER_WEBHOOK_RETRY_SECONDS",
    "PARTNER_WEBHOOK_MAX_ATTEMPTS",
    "PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK",
    "CHECK_IN_FAR_METRES",
    "MOBILE_PHOTO_MAX_UPLOAD_BYTES",
    "MOBILE_PHOTO_MAX_SIDE",
    "STEERING_SNAPSHOT_SECONDS",
    "EMAIL_ENABLED",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "LOG_REQUESTS",
    "HEARTBEAT_SECONDS",
    "HEALTH_STALE_SECONDS",
    "HEALTH_BROKER_TIMEOUT_SECONDS",
    "CHANNEL_FAILING_AFTER",
    "HEALTH_TOKEN",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
)

PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
}))
"""

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-for-the-test-only",
    "ALLOWED_HOSTS": "talent.example.gov.cn",
    "DATABASE_URL": "postgres://talentoffice:secret@db.example.internal:5432/talentoffice",
    "CELERY_BROKER_URL": "redis://redis.example.internal:6379/0",
    "CACHE_URL": "redis://redis.example.internal:6379/1",
    "PERSONAL_DATA_KEYS": "dGVzdC1vbmx5LXBlcnNvbmFsLWRhdGEta2V5LTAwMDE=",
    "PERSONAL_DATA_HASH_KEY": "a-long-random-lookup-hash-key-for-the-test-only",
    "EMAIL_HOST": "smtp.example.gov.cn",
}


def run(args, **overrides):
    """Run a Python command in the project with a clean settings environment plus overrides."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "talentoffice.settings"
    env.update(overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def started_settings(**overrides) -> dict:
    result = run(["-c", PRINT_SETTINGS], **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refusal(**overrides) -> str:
    """Start Django expecting it to refuse; return what it said on stderr."""
    result = run(["-c", "import django; django.setup()"], **overrides)
    assert result.returncode != 0, result.stdout
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr, result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_nothing_set_gives_sqlite_debug_a_filesystem_broker_and_console_email():
    assert started_settings() == {
        "DEBUG": True,
        "ENGINE": "django.db.backends.sqlite3",
        "CELERY_BROKER_URL": "filesystem://",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "SESSION_COOKIE_SECURE": False,
    }


def test_manage_py_check_passes_with_nothing_set():
    result = run(["manage.py", "check"])
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_with_its_required_values_starts_with_debug_off():
    assert started_settings(**PRODUCTION) == {
        "DEBUG": False,
        "ENGINE": "django.db.backends.postgresql",
        "CELERY_BROKER_URL": "redis://redis.example.internal:6379/0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "ALLOWED_HOSTS": ["talent.example.gov.cn"],
        "SESSION_COOKIE_SECURE": True,
    }


def test_manage_py_check_passes_in_production_with_its_required_values():
    result = run(["manage.py", "check"], **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    settings = PRODUCTION | {"SECRET_KEY": ""}
    assert "SECRET_KEY" in refusal(**settings)


def test_production_without_allowed_hosts_refuses_to_start():
    settings = PRODUCTION | {"ALLOWED_HOSTS": " "}
    assert "ALLOWED_HOSTS" in refusal(**settings)


def test_production_with_debug_on_refuses_to_start():
    assert "DEBUG" in refusal(**PRODUCTION, DEBUG="true")


def test_production_without_a_database_url_refuses_to_fall_back_to_sqlite():
    settings = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
    assert "DATABASE_URL" in refusal(**settings)


def test_production_without_a_redis_broker_refuses_to_start():
    settings = {k: v for k, v in PRODUCTION.items() if k != "CELERY_BROKER_URL"}
    assert "CELERY_BROKER_URL" in refusal(**settings)


def test_manage_py_check_fails_clearly_in_production_without_a_secret_key():
    settings = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["manage.py", "check"], **settings)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr, result.stderr


def test_a_boolean_that_is_neither_yes_nor_no_is_refused_with_its_name_and_value():
    message = refusal(DEBUG="maybe")
    assert "DEBUG must be true or false, not 'maybe'" in message


def test_a_number_with_a_typo_is_refused_with_its_name():
    assert "EMAIL_PORT" in refusal(EMAIL_PORT="25x")


def test_an_unknown_environment_name_is_refused():
    assert "DJANGO_ENV" in refusal(DJANGO_ENV="prod")


def test_debug_can_be_switched_off_in_development():
    assert started_settings(DEBUG="off")["DEBUG"] is False


SQLITE_CONNECTION = """
import json
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    pragmas = {
        name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "busy_timeout")
    }
print(json.dumps(pragmas | {"transaction_mode": connection.transaction_mode}))
"""


def test_the_embedded_default_logs_ahead_and_makes_a_writer_wait_its_turn(tmp_path):
    result = run(["-c", SQLITE_CONNECTION], DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "busy_timeout": 20_000,
        "transaction_mode": "IMMEDIATE",
    }


SETTINGS_PACKAGE = PROJECT_ROOT / "talentoffice" / "settings"


def variables_read_by_topic() -> dict[str, list[str]]:
    """Each settings module's name, with the environment variables its env_* helpers read."""
    read = {}
    for path in sorted(SETTINGS_PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text())
        read[path.name] = [
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ]
    return read


def test_every_variable_the_settings_read_is_named_in_its_topic_and_cleared_by_these_tests():
    read = variables_read_by_topic()
    undocumented = {
        module: [
            name
            for name in names
            if name not in ast.get_docstring(ast.parse((SETTINGS_PACKAGE / module).read_text()))
        ]
        for module, names in read.items()
    }
    assert {module: names for module, names in undocumented.items() if names} == {}
    every_name = [name for names in read.values() for name in names]
    assert sorted(every_name) == sorted(SETTINGS_VARIABLES)


def assigned_names(node: ast.AST) -> list[str]:
    """The settings an assignment writes to, a whole name or one of its items alike."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = []
    for target in targets:
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        if isinstance(target, ast.Name):
            names.append(target.id)
    return names


def test_the_beat_schedule_is_written_in_one_place():
    assignments = [
        (path.name, node.lineno)
        for path in sorted(SETTINGS_PACKAGE.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
        and "CELERY_BEAT_SCHEDULE" in assigned_names(node)
    ]
    assert len(assignments) == 1, assignments


def test_a_sweep_still_waiting_when_the_next_is_due_expires():
    for name, entry in django_settings.CELERY_BEAT_SCHEDULE.items():
        expires = entry.get("options", {}).get("expire_seconds")
        if isinstance(entry["schedule"], float) and expires is not None:
            assert expires < entry["schedule"], name
