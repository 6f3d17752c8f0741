"""The health endpoint a load balancer or monitor polls: /health/ answers 200 when the database and
the broker answer and the beat and a worker have been seen recently, 503 otherwise, with details.

How the background processes are seen: beat sends `record_heartbeat("beat")` every
HEARTBEAT_SECONDS and its database scheduler writes each send's time to the periodic task's row
(CELERY_BEAT_SYNC_EVERY = 1), so that row says when beat last sent; a worker running that task
writes the `Heartbeat` row named "beat", so that row says when a worker last ran beat's task.
When beat is down both go stale; when only the workers are, the queue grows behind them.
Each process also records itself the moment it starts (talentoffice.celery), so a fresh start is
healthy at once instead of after the first interval.

Who sees what: anyone gets the status code and {"status": "ok"|"fail"}; the checks, with their
ages, queue depths and error messages (which may name hosts and roles), go only to district
staff and to a monitor presenting HEALTH_TOKEN as `Authorization: Bearer <token>`.
"""

import hmac
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .access import is_district_staff
from .celery import app as celery_app
from .models import Delivery, DeliveryAttempt, Heartbeat

logger = logging.getLogger(__name__)

# The Heartbeat rows each process writes as it starts (see talentoffice.celery).
WORKER_STARTED = "worker-started"
BEAT_STARTED = "beat-started"


def check_database() -> dict:
    """One round trip to the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_broker() -> dict:
    """Connect to the broker and count the messages waiting in each queue workers read."""
    timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
    with celery_app.connection_for_read(connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        # Declaring the queues Celery declares anyway; a passive declare would fail on Redis when
        # a queue is empty, since an empty Redis list does not exist.
        queues = {
            queue.name: conn.default_channel.queue_declare(queue=queue.name).message_count
            for queue in settings.CELERY_TASK_QUEUES
        }
        return {"queued": sum(queues.values()), "queues": queues}


def _seen(at, now) -> dict:
    """Whether a time is recent enough, with the time and its age for the reader."""
    stale_after = timedelta(seconds=settings.HEALTH_STALE_SECONDS)
    if at is None:
        return {"ok": False, "last_seen": None, "age_seconds": None}
    age = now - at
    return {
        "ok": age <= stale_after,
        "last_seen": at.isoformat(),
        "age_seconds": round(age.total_seconds(), 1),
    }


def check_beat(now) -> dict:
    """When beat last sent a periodic task, as its database scheduler recorded, or started."""
    from django_celery_beat.models import PeriodicTask

    sent = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    started = _last_heartbeat(BEAT_STARTED)
    return _seen(max((at for at in (sent, started) if at is not None), default=None), now)


def check_worker(now) -> dict:
    """When a worker last ran beat's heartbeat task, or last started."""
    return _seen(_last_heartbeat("beat", WORKER_STARTED), now)


def _last_heartbeat(*names):
    return Heartbeat.objects.filter(name__in=names).aggregate(last=Max("seen_at"))["last"]


def failing_channels() -> list[str]:
    """The channels whose last CHANNEL_FAILING_AFTER finished tries all failed, newest first.

    Tries rather than deliveries: a delivery retries for half an hour before it counts as
    failed, and a mail server that refuses every connection should show within minutes.
    """
    window = settings.CHANNEL_FAILING_AFTER
    failing = []
    for channel in (Delivery.Channel.EMAIL, Delivery.Channel.WEBHOOK):
        recent = list(
            DeliveryAttempt.objects.filter(delivery__channel=channel, finished_at__isnull=False)
            .order_by("-finished_at", "-pk")
            .values_list("succeeded", flat=True)[:window]
        )
        if len(recent) == window and not any(recent):
            failing.append(str(channel))
    return failing


def run_check(check, *args) -> dict:
    """Run one check; any exception is a failed check with its message, never a 500."""
    started = time.perf_counter()
    try:
        result = {"ok": True} | check(*args)
    except Exception as exc:  # the health check reports every failure, whatever its kind
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def may_see_details(request) -> bool:
    """District staff, or a monitor presenting the token from the environment."""
    expected = settings.HEALTH_TOKEN
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    # Constant time: how much of a guess was right never shows in the answer's timing.
    if (
        expected
        and scheme.lower() == "bearer"
        and hmac.compare_digest(presented.strip().encode(), expected.encode())
    ):
        return True
    try:
        return is_district_staff(request.user)
    except Exception:  # a session the database cannot load while it is down: no details, no 500
        return False


@never_cache
@require_safe
def health(request):
    """200 when every check passed, 503 otherwise; the checks themselves only for who may know."""
    now = timezone.now()
    checks = {
        "database": run_check(check_database),
        "broker": run_check(check_broker),
    }
    if checks["database"]["ok"]:
        checks["beat"] = run_check(check_beat, now)
        checks["worker"] = run_check(check_worker, now)
    else:
        checks["beat"] = checks["worker"] = {"ok": False, "error": "database unavailable"}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "fail"}
    if may_see_details(request):
        body["checks"] = checks
        # Reported, not failed on: the site serves while a mail server is down.
        if checks["database"]["ok"]:
            body["failing_channels"] = failing_channels()
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        failed = sorted(name for name, check in checks.items() if not check["ok"])
        # Not logged again as an error by Django: see request_id.HealthAnswersAreNotErrors.
        logger.warning("health check failed: %s", ", ".join(failed), extra={"checks": checks})
    return response
