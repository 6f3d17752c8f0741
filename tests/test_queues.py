"""Which queue each task travels on: beat's sweeps on their own, deliveries on theirs, and every
process that production runs reads one of them."""

import re
from pathlib import Path

from django.conf import settings

from talentoffice.celery import app

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = ("talentoffice.", "assistants.", "cases.", "partners.", "steering.")


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def our_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if name.startswith(OUR_APPS))


def test_every_task_of_ours_has_its_queue_named_in_the_routes():
    assert our_tasks()
    assert [name for name in our_tasks() if name not in settings.CELERY_TASK_ROUTES] == []
    assert set(settings.CELERY_TASK_ROUTES) <= set(our_tasks()), "a route names no task"


def test_everything_beat_queues_goes_to_the_sweeps_queue():
    beat_tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "assistants.tasks.sweep_reminders" in beat_tasks
    assert {name: queue_of(name) for name in beat_tasks} == dict.fromkeys(beat_tasks, "sweeps")


def test_deliveries_go_to_the_deliveries_queue_and_nothing_else_does():
    deliveries = {name for name in our_tasks() if queue_of(name) == "deliveries"}
    assert deliveries == {
        "talentoffice.tasks.deliver_notification",
        "partners.tasks.deliver_webhook",
    }


def test_a_task_with_no_route_lands_in_a_queue_that_workers_read():
    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert declared == {"sweeps", "deliveries"}
    assert queue_of("some.new.task") in declared


def test_the_sweeps_have_a_worker_of_their_own_in_every_production_setup():
    procfile = (ROOT / "Procfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    systemd = ROOT / "deploy" / "systemd"
    sweeper = (systemd / "talentoffice-sweeper.service").read_text()
    worker = (systemd / "talentoffice-worker@.service").read_text()
    for text in (procfile, makefile):
        assert re.search(r"worker -Q sweeps\b", text)
        assert re.search(r"worker -Q deliveries\b", text)
    assert "worker -Q sweeps" in sweeper and "worker -Q deliveries" in worker
    assert "talentoffice-sweeper.service" in (systemd / "talentoffice.target").read_text()


def test_systemd_and_make_serve_production_start_a_worker_or_beat_again_when_it_exits():
    systemd = ROOT / "deploy" / "systemd"
    for unit in ("talentoffice-worker@", "talentoffice-sweeper", "talentoffice-beat"):
        assert "\nRestart=always\n" in (systemd / f"{unit}.service").read_text(), unit
    recipe = (ROOT / "Makefile").read_text().split("\nserve-production:", 1)[1].split("\n\n")[0]
    starts = [line for line in recipe.splitlines() if "celery -A talentoffice" in line]
    assert len(starts) == 3 and all("$(RESPAWN)" in line for line in starts), starts
