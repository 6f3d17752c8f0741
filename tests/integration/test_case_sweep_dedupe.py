"""Two case sweeps running at the same moment on the real PostgreSQL tell each person once.

Each sweep runs in its own thread with its own database connection and real transactions. Both
are held at a barrier until both have read the same due cases, so that both really try to write
the same escalations and warnings at once; the notifications' unique constraint lets one win,
and only the winner writes the timeline entries.
"""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from cases import sweeps
from cases.models import Case, CaseEvent
from talentoffice.models import Delivery, Notification
from tests.factories import make_assistant, make_partner
from tests.factories.assign import make_assigned_case, make_case_in_progress
from tests.factories.notify import key_for, key_of, local, make_user

CASES = 8
NOW = local(2026, 3, 10, 10, 0)


@pytest.fixture
def due_work(transactional_db):
    """Cases past their accept-by time (staff escalations) and due today (lead warnings)."""
    staff = [make_user(is_staff=True) for _ in range(3)]
    partner = make_partner()
    expected = set()
    for _n in range(CASES):
        lead = make_assistant(partner=partner, user=make_user())
        waiting = make_assigned_case(lead=lead)
        Case.objects.filter(pk=waiting.pk).update(
            assigned_at=NOW - timedelta(days=1), accept_by=NOW - timedelta(hours=1)
        )
        waiting.refresh_from_db()
        expected.add(key_for("case.unaccepted", waiting, waiting.assigned_at))
        expected.update(
            key_for("case.unaccepted", waiting, waiting.assigned_at, user) for user in staff
        )
        due_today = make_case_in_progress(lead=lead)
        Case.objects.filter(pk=due_today.pk).update(target_date=date(2026, 3, 10))
        expected.add(key_for("case.warning", due_today, date(2026, 3, 10), lead.user))
    return expected


def test_two_concurrent_case_sweeps_tell_each_person_once(due_work, monkeypatch):
    barrier = threading.Barrier(2, timeout=30)
    found = {}

    def after_reading(find, kind):
        def wrapped(*args):
            due = find(*args)
            found.setdefault(kind, []).append(len(due))
            # Neither sweep writes before both have read: they now hold the same due cases.
            barrier.wait()
            return due

        return wrapped

    monkeypatch.setattr(sweeps, "due_unaccepted", after_reading(sweeps.due_unaccepted, "late"))
    monkeypatch.setattr(sweeps, "due_warnings", after_reading(sweeps.due_warnings, "warn"))
    # Each sweep's queued deliveries are not at stake here; keep them off the broker.
    monkeypatch.setattr(Delivery, "task", classmethod(lambda cls: _NoBroker))
    written, errors = [], []

    def sweep():
        try:
            written.append(sweeps.sweep_case_reminders(now=NOW))
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
    # Both sweeps saw every due case...
    assert found == {"late": [CASES, CASES], "warn": [CASES, CASES]}
    # ...and yet each notification exists once, and the people told add up to exactly that.
    # The cases' assignment in the setup told their leads too (the event table); only what the
    # sweeps wrote is at stake here.
    swept = Notification.objects.filter(kind__in=["case.unaccepted", "case.warning"])
    keys = [key_of(notification) for notification in swept]
    assert sorted(keys, key=str) == sorted(due_work, key=str)
    assert sum(written) == CASES * 3 + CASES  # three staff per escalation, a lead per warning
    # One timeline entry per case and kind: the losing sweep wrote none.
    assert CaseEvent.objects.filter(kind="escalated").count() == CASES
    assert CaseEvent.objects.filter(kind="warned").count() == CASES


class _NoBroker:
    @staticmethod
    def delay(pk):
        pass
