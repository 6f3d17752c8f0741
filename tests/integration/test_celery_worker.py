"""The Celery wiring works end to end: a task queued in Redis is run by a real worker."""

from talentoffice.models import Heartbeat
from talentoffice.tasks import record_heartbeat
from tests.integration.conftest import wait_for


def test_a_real_worker_runs_a_queued_task_and_writes_to_the_database(celery_worker_process):
    record_heartbeat.delay("integration-test")
    heartbeat = wait_for(lambda: Heartbeat.objects.filter(name="integration-test").first())
    assert heartbeat is not None, "the worker did not run the task within 30 s"
    assert celery_worker_process.poll() is None, "the worker died"


def test_the_task_is_queued_in_redis_until_a_worker_takes_it(redis_broker, transactional_db):
    record_heartbeat.delay("queued-only")
    assert redis_broker.llen("sweeps") == 1  # beat's heartbeat travels with the sweeps
    assert not Heartbeat.objects.filter(name="queued-only").exists()
