"""The database itself refuses double booking and overlapping templates.

PostgreSQL: exclusion constraints over time ranges. SQLite (the embedded default): triggers
that abort the same writes. Model.clean() and the rota services give the friendly message first.
"""

from django.db import migrations

from talentoffice.migration_utils import run_sql_per_vendor

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    # One assistant cannot hold two live shifts whose times overlap.
    """
    ALTER TABLE assistants_shift ADD CONSTRAINT shift_no_double_booking
    EXCLUDE USING gist (assistant_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (assistant_id IS NOT NULL AND status <> 'cancelled')
    """,
    # Templates of one point on one weekday must not overlap (a fixed date turns times into
    # comparable timestamps; date + time is immutable, so it may stand in a constraint).
    """
    ALTER TABLE assistants_shifttemplate ADD CONSTRAINT shifttemplate_no_overlap
    EXCLUDE USING gist (
        service_point_id WITH =,
        weekday WITH =,
        tsrange(DATE '2000-01-03' + starts_at, DATE '2000-01-03' + ends_at) WITH &&
    )
    """,
]
PG_BACKWARD = [
    "ALTER TABLE assistants_shift DROP CONSTRAINT IF EXISTS shift_no_double_booking",
    "ALTER TABLE assistants_shifttemplate DROP CONSTRAINT IF EXISTS shifttemplate_no_overlap",
]

SHIFT_CONDITION = """
    SELECT RAISE(ABORT, 'shift_no_double_booking')
    WHERE NEW.assistant_id IS NOT NULL AND NEW.status <> 'cancelled' AND EXISTS (
        SELECT 1 FROM assistants_shift AS other
        WHERE other.assistant_id = NEW.assistant_id
          AND other.status <> 'cancelled'
          AND other.id IS NOT NEW.id
          AND other.starts_at < NEW.ends_at
          AND other.ends_at > NEW.starts_at
    );
"""
TEMPLATE_CONDITION = """
    SELECT RAISE(ABORT, 'shifttemplate_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM assistants_shifttemplate AS other
        WHERE other.service_point_id = NEW.service_point_id
          AND other.weekday = NEW.weekday
          AND other.id IS NOT NEW.id
          AND other.starts_at < NEW.ends_at
          AND other.ends_at > NEW.starts_at
    );
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER {name}_{when.lower()} BEFORE {when} ON {table} BEGIN {condition} END"
    for name, table, condition in [
        ("shift_no_double_booking", "assistants_shift", SHIFT_CONDITION),
        ("shifttemplate_no_overlap", "assistants_shifttemplate", TEMPLATE_CONDITION),
    ]
    for when in ("INSERT", "UPDATE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}_{when}"
    for name in ("shift_no_double_booking", "shifttemplate_no_overlap")
    for when in ("insert", "update")
]


class Migration(migrations.Migration):
    dependencies = [("assistants", "0003_rota")]

    operations = [
        run_sql_per_vendor(
            {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
