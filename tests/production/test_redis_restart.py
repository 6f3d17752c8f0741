"""Workers come back: a Redis restart under two workers with 2,000 notifications to deliver loses
none and repeats none, and both workers serve again within 30 s; a worker that exits is started
again by deploy/respawn, the supervision `make serve-production` runs every process under.

Redis here is a private server on a free port (the machine's shared one is never restarted). It
keeps nothing on disk, as in production, so what was queued when it stopped is gone; the rows are
not, and the requeue sweep queues those deliveries again.
"""

import os
import signal
import time

import psutil

from talentoffice.models import Delivery, DeliveryAttempt, Notification
from talentoffice.notifications import QUEUED_GRACE_SECONDS
from tests.production.conftest import database_url_of_test_database, manage, wait_for
from tests.production.test_faults import queue_messages

NOTIFICATIONS = 2_000
LABEL = "restart"
SERVING_AGAIN_SECONDS = 30


def deliveries_for(label: str):
    return Delivery.objects.filter(notification__recipient__username__startswith=f"{label}-")


def mine():
    return deliveries_for(LABEL)


def requeue_as_beat_would(env: dict) -> int:
    """The requeue sweep, run as beat runs it once the grace period of the lost messages is over."""
    output = manage(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from talentoffice.notifications import requeue_stale_deliveries as r; "
        f"print(len(r(now=timezone.now() + timedelta(seconds={QUEUED_GRACE_SECONDS + 1}))))",
        env=env,
    )
    return int(output.strip().splitlines()[-1])


def succeeded_since(worker, offset: int) -> int:
    """Tasks the worker reported done after the first `offset` characters of its log."""
    return worker.log()[offset:].count("succeeded in")


def test_a_redis_restart_under_two_workers_loses_nothing_repeats_nothing_and_they_serve_again(
    transactional_db, private_redis, stack_factory
):
    stack = stack_factory(
        database_url=database_url_of_test_database(),
        broker_url=private_redis.url,
        RESPAWN_DELAY=1,
    )
    queue_messages(stack.env, LABEL, NOTIFICATIONS)
    assert private_redis.client().llen("deliveries") == NOTIFICATIONS
    workers = [
        stack.worker(concurrency=2, name=f"worker{n}", queues="deliveries", respawn=True)
        for n in (1, 2)
    ]

    # Redis restarts while both workers are in the middle of the backlog.
    assert wait_for(lambda: mine().filter(status="sent").count() >= 300, timeout=120), stack.logs()
    private_redis.stop()
    time.sleep(1)
    private_redis.start()
    restarted_at = time.monotonic()
    offsets = [len(worker.log()) for worker in workers]
    lost = private_redis.client().llen("deliveries")
    assert lost == 0  # nothing kept on disk: what was queued is gone
    assert mine().exclude(status="sent").exists()

    # Work in flight when Redis went away ends first; then the sweep queues the rest again.
    time.sleep(2)
    assert requeue_as_beat_would(stack.env) > 0

    def both_serving():
        return all(succeeded_since(w, o) > 0 for w, o in zip(workers, offsets, strict=True))

    assert wait_for(both_serving, timeout=SERVING_AGAIN_SECONDS, interval=0.5), stack.logs()
    assert time.monotonic() - restarted_at < SERVING_AGAIN_SECONDS

    def all_sent():
        if not mine().exclude(status="sent").exists():
            return True
        if private_redis.client().llen("deliveries") == 0:
            requeue_as_beat_would(stack.env)  # a batch is at most REQUEUE_BATCH rows
        return False

    assert wait_for(all_sent, timeout=180, interval=2), (
        list(mine().exclude(status="sent").values("status")[:5]),
        stack.logs(),
    )

    # 0 lost, 0 repeated: every notification (the inbox) once, with one e-mail delivery, sent
    # by exactly one successful try.
    notifications = Notification.objects.filter(recipient__username__startswith=f"{LABEL}-")
    assert notifications.count() == NOTIFICATIONS
    assert notifications.values("recipient").distinct().count() == NOTIFICATIONS
    assert mine().filter(channel="email", status="sent").count() == NOTIFICATIONS
    assert mine().count() == NOTIFICATIONS
    succeeded = DeliveryAttempt.objects.filter(delivery__in=mine(), succeeded=True)
    assert succeeded.count() == NOTIFICATIONS
    assert all(worker.alive() for worker in workers)  # the supervisors, never given up


def test_a_worker_that_exits_is_started_again_by_respawn_and_serves(
    transactional_db, private_redis, stack_factory
):
    stack = stack_factory(
        database_url=database_url_of_test_database(),
        broker_url=private_redis.url,
        RESPAWN_DELAY=1,
    )
    worker = stack.worker(concurrency=1, name="worker", queues="deliveries", respawn=True)
    queue_messages(stack.env, "first", 3)
    first = deliveries_for("first")
    assert wait_for(lambda: first.filter(status="sent").count() == 3, timeout=60), worker.log()

    # The Celery worker itself (not its supervisor) dies as it would on an unrecoverable error.
    celery = psutil.Process(worker.pid).children()[0]
    os.kill(celery.pid, signal.SIGKILL)
    assert wait_for(
        lambda: [p.pid for p in psutil.Process(worker.pid).children()] not in ([], [celery.pid]),
        timeout=15,
    ), worker.log()
    assert "respawn: worker" in worker.log()

    queue_messages(stack.env, "second", 3)
    second = deliveries_for("second")
    assert wait_for(lambda: second.filter(status="sent").count() == 3, timeout=60), worker.log()
    assert worker.alive()
    assert worker.stop() == [], "the supervisor and its worker stop cleanly on SIGTERM"
