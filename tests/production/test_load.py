"""A short, bounded load run in CI: bench/locustfile.py (locust, a real HTTP load generator) plays
assistants logging visits on the mobile pages, some sent twice, while staff browse lists, against
gunicorn with production settings on the test database; afterwards every submitted visit exists
exactly once and no request failed.
"""

import json
import subprocess
import sys

from django.conf import settings

from cases.models import Visit
from tests import factories
from tests.factories.notify import make_user
from tests.factories.visits import make_case_in_progress
from tests.production.conftest import PROJECT_ROOT, database_url_of_test_database

ASSISTANTS = 6
STAFF = 2
VISITS_PER_ASSISTANT = 6
RETRY_EVERY = 3  # every third visit is sent twice, as a phone that lost the answer would


def make_plan(tmp_path) -> dict:
    """Assistants with a login and a case they lead; staff with every permission."""
    partner = factories.make_partner()
    plan = {
        "assistants": [],
        "staff": [],
        "visits_per_assistant": VISITS_PER_ASSISTANT,
        "pages_per_staff": 20,
        "retry_every": RETRY_EVERY,
        "result": str(tmp_path / "load-result.json"),
    }
    for n in range(ASSISTANTS):
        user = make_user(username=f"load-assistant-{n}")
        user.set_password("load-pass-123")
        user.save()
        assistant = factories.make_assistant(partner=partner, user=user)
        case = make_case_in_progress(lead=assistant)
        plan["assistants"].append(
            {"username": user.username, "password": "load-pass-123", "target": f"case:{case.pk}"}
        )
    for n in range(STAFF):
        user = make_user(username=f"load-staff-{n}", is_staff=True, is_superuser=True)
        user.set_password("load-pass-123")
        user.save()
        plan["staff"].append({"username": user.username, "password": "load-pass-123"})
    return plan


def test_assistants_log_visits_while_staff_browse_without_errors_and_each_visit_exists_once(
    transactional_db, redis_broker, stack_factory, tmp_path
):
    plan = make_plan(tmp_path)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))
    stack = stack_factory(
        database_url=database_url_of_test_database(),
        broker_url=settings.CELERY_BROKER_URL,
        LOG_REQUESTS="false",
    )
    stack.web(workers=2)
    stack.worker(concurrency=1)

    run = subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", "bench/locustfile.py", "--headless",
            "--host", stack.base_url, "--users", str(ASSISTANTS + STAFF),
            "--spawn-rate", str(ASSISTANTS + STAFF), "--run-time", "50s", "--stop-timeout", "5",
            "--only-summary", "--loglevel", "WARNING",
        ],
        cwd=PROJECT_ROOT,
        env=stack.env | {"LOAD_PLAN": str(plan_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:] + stack.logs()
    result = json.loads((tmp_path / "load-result.json").read_text())
    print(run.stdout.splitlines()[-1] if run.stdout else "")
    assert result["failures"] == 0, (result, run.stderr[-3000:])
    assert result["requests_per_second"] > 0
    keys = result["submitted_keys"]
    unique = set(keys)
    # The run stopped by itself once every assistant had sent its share, retries included.
    assert len(unique) == ASSISTANTS * VISITS_PER_ASSISTANT
    assert len(keys) == len(unique) + ASSISTANTS * (VISITS_PER_ASSISTANT // RETRY_EVERY)
    # Every visit is there exactly once: nothing lost, nothing doubled by the retries.
    saved = list(Visit.objects.values_list("idempotency_key", flat=True))
    assert sorted(saved) == sorted(unique)
