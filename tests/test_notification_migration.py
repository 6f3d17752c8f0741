"""The migration that gives notifications their kind, target and occasion fills them from the
dedupe keys the rows were written with, so that nobody already told is told again."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("talentoffice", "0004_street_coordinator")]
AFTER = [("talentoffice", "0005_notification_kind_target_occasion")]
ASSIGNED_AT = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_at_0004(transactional_db):
    """The database as it was before the migration; put back to the latest afterwards."""
    yield migrate(BEFORE)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_old_keys_become_kind_target_and_occasion(back_at_0004):
    old = back_at_0004
    user = old.get_model("auth", "User").objects.create(username="alice", is_staff=True)
    stamp = int(ASSIGNED_AT.timestamp())
    keys = {
        f"case:12:unaccepted:{stamp}": ("case.unaccepted", None),
        f"case:12:unaccepted:{stamp}:user:{user.pk}": ("case.unaccepted", user.pk),
        "case:12:warning:2026-03-16": ("case.warning", None),
        "followup:7:reminder": ("case.follow_up", None),
        "liaison:3:visit:2026-03-03": ("case.liaison_visit", None),
        f"digest:2026-03-09:{user.pk}": ("case.digest", user.pk),
        f"steering.digest:2026-02:{user.pk}": ("steering.digest", user.pk),
        f"rota-published:4:{user.pk}": ("rota_published", user.pk),
        "shift:5:assistant:9:day_before": ("shift.day_before", None),
        f"shift:5:user:{user.pk}:open_slot": ("shift.open_slot", user.pk),
        "shift:5:open_slot": ("shift.open_slot", None),
        "something:else": ("test", None),
    }
    Notification = old.get_model("talentoffice", "Notification")
    for key, (kind, recipient_id) in keys.items():
        Notification.objects.create(
            dedupe_key=key, kind=kind, recipient_id=recipient_id, subject=key
        )

    new = migrate(AFTER)

    rows = {
        row.subject: (row.target_type and row.target_type.model, row.target_id, row.occasion)
        for row in new.get_model("talentoffice", "Notification").objects.select_related(
            "target_type"
        )
    }
    assert rows == {
        f"case:12:unaccepted:{stamp}": ("case", 12, str(stamp)),
        f"case:12:unaccepted:{stamp}:user:{user.pk}": ("case", 12, str(stamp)),
        "case:12:warning:2026-03-16": ("case", 12, "2026-03-16"),
        "followup:7:reminder": ("followup", 7, ""),
        "liaison:3:visit:2026-03-03": ("enterpriseliaison", 3, "2026-03-03"),
        f"digest:2026-03-09:{user.pk}": (None, None, "2026-03-09"),
        f"steering.digest:2026-02:{user.pk}": (None, None, "2026-02"),
        f"rota-published:4:{user.pk}": ("rota", 4, ""),
        "shift:5:assistant:9:day_before": ("shift", 5, "9"),
        f"shift:5:user:{user.pk}:open_slot": ("shift", 5, ""),
        "shift:5:open_slot": ("shift", 5, ""),
        "something:else": (None, None, "something:else"),
    }
