"""Two reminder sweeps running at the same moment on the real PostgreSQL write each reminder once.

Each sweep runs in its own thread with its own database connection and real transactions. Both
are held at a barrier until both have read the same due shifts, so that both really try to
write the same reminders at the same time; the notifications' unique constraint lets only one
of them win.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assistants import reminders
from assistants.models import ReminderPolicy
from talentoffice.models import Delivery, Notification
from tests.factories import make_assistant, make_partner, make_service_point
from tests.factories.notify import (
    key_for,
    key_of,
    make_rota,
    make_shift,
    make_user,
    make_webhook,
)

SHIFTS = 12


@pytest.fixture
def due_work(transactional_db):
    """Shifts starting within the hour (assistant reminders) and open ones (staff alerts)."""
    # Only these two kinds, whatever the hour the test runs at (no day-before at 23:59).
    for kind in ("day_before", "missed_check_in"):
        ReminderPolicy.objects.update_or_create(kind=kind, defaults={"active": False})
    staff = [make_user(is_staff=True) for _ in range(3)]
    point = make_service_point()
    make_webhook(service_point=point)
    rota = make_rota()
    partner = make_partner()
    start = timezone.now() + timedelta(minutes=30)
    expected = set()
    for n in range(SHIFTS):
        assistant = make_assistant(partner=partner, user=make_user())
        assigned = make_shift(
            starts_at=start + timedelta(minutes=n), assistant=assistant, service_point=point
        )
        expected.add(key_for("shift.before_shift", assigned, assistant.pk, assistant.user))
        open_shift = make_shift(
            starts_at=start + timedelta(minutes=n), service_point=point, rota=rota
        )
        expected.add(key_for("shift.open_slot", open_shift))
        expected.update(key_for("shift.open_slot", open_shift, "", u) for u in staff)
    return expected


def test_two_concurrent_sweeps_write_each_reminder_exactly_once(
    due_work, redis_broker, monkeypatch
):
    barrier = threading.Barrier(2, timeout=30)
    found = {}

    def after_reading(find, kind):
        def wrapped(now, policy):
            shifts = find(now, policy)
            found.setdefault(kind, []).append(len(shifts))
            # Neither sweep writes before both have read: they now hold the same due shifts.
            barrier.wait()
            return shifts

        return wrapped

    monkeypatch.setattr(
        reminders, "due_before_shift", after_reading(reminders.due_before_shift, "before")
    )
    monkeypatch.setattr(reminders, "due_open_slot", after_reading(reminders.due_open_slot, "open"))
    written, errors = [], []

    def sweep():
        try:
            written.append(reminders.sweep_reminders())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection; do not leak it

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    # Both sweeps saw every due shift...
    assert found == {"before": [SHIFTS, SHIFTS], "open": [SHIFTS, SHIFTS]}
    # ...and yet each reminder exists once, and the two counts add up to exactly that.
    keys = [key_of(notification) for notification in Notification.objects.all()]
    assert sorted(keys, key=str) == sorted(due_work, key=str)
    assert sum(written) == len(due_work)
    # Only the winner's deliveries exist, and each was queued once in Redis.
    deliveries = Delivery.objects.count()
    # per assigned shift: e-mail, robot; per open shift: robot + 3 x e-mail (the inboxes are
    # the notifications themselves)
    assert deliveries == SHIFTS * 2 + SHIFTS * (1 + 3)
    assert redis_broker.llen("deliveries") == deliveries
