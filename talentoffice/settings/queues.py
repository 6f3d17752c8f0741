"""Celery: broker, queues, routes and the whole beat schedule.

Environment:
  CELERY_BROKER_URL         Redis in production; a filesystem transport when unset
  CELERY_TASK_ALWAYS_EAGER  run tasks inline (debugging only)
"""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from talentoffice.env import env_bool, env_str

from .base import BASE_DIR, PRODUCTION, TIME_ZONE
from .health import HEARTBEAT_SECONDS
from .steering import STEERING_SNAPSHOT_SECONDS

# With no broker named, a filesystem transport under var/ lets `make run` start a real worker
# and beat beside the web server without any server of its own.
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
# The worker logs through the same handlers (JSON, request IDs) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
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
# Beat's database scheduler writes when it last sent each task after every send (instead of
# every few minutes), so the health check can tell that beat is alive; a handful of writes a
# minute.
CELERY_BEAT_SYNC_EVERY = 1
# Everything beat queues, in one place. A sweep still waiting when the next one is due expires.
CELERY_BEAT_SCHEDULE = {
    # Beat queues a heartbeat that a worker records: the health check then knows both are alive.
    "heartbeat": {
        "task": "talentoffice.tasks.record_heartbeat",
        "schedule": float(HEARTBEAT_SECONDS),
        "args": ("beat",),
    },
    # Due shift reminders and alerts.
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
    # The same for partner webhooks.
    "requeue-stale-webhook-deliveries": {
        "task": "partners.tasks.requeue_stale_webhook_deliveries",
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
    # Residents past RESIDENT_RETENTION_DAYS, anonymized at night.
    "anonymize-residents": {
        "task": "cases.tasks.anonymize_expired_residents",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expire_seconds": 6 * 3600},
    },
    # Last month's figures to staff, and each partner's own to its managers, on the 1st.
    "steering-monthly-digest": {
        "task": "steering.tasks.send_monthly_digest",
        "schedule": crontab(day_of_month=1, hour=9, minute=0),
        "options": {"expire_seconds": 12 * 3600},
    },
    # The usual dashboard views, renewed before their snapshot grows stale.
    "steering-refresh-snapshots": {
        "task": "steering.tasks.refresh_dashboard_snapshots",
        "schedule": float(STEERING_SNAPSHOT_SECONDS * 2 // 3),
        "options": {"expire_seconds": STEERING_SNAPSHOT_SECONDS // 2},
    },
}
