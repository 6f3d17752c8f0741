"""Refuse overlapping dispatches of one assistant to one service point in the database itself.

PostgreSQL gets an exclusion constraint over the date range; SQLite (the embedded default)
gets triggers that abort the same writes. Model.clean() gives the friendly message first.
"""

from django.db import migrations

from talentoffice.migration_utils import run_sql_per_vendor

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE assistants_dispatch ADD CONSTRAINT dispatch_no_overlap
    EXCLUDE USING gist (
        assistant_id WITH =,
        service_point_id WITH =,
        daterange(starts_on, ends_on, '[]') WITH &&
    )
    """,
]
PG_BACKWARD = ["ALTER TABLE assistants_dispatch DROP CONSTRAINT IF EXISTS dispatch_no_overlap"]

SQLITE_CONDITION = """
    SELECT RAISE(ABORT, 'dispatch_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM assistants_dispatch AS other
        WHERE other.assistant_id = NEW.assistant_id
          AND other.service_point_id = NEW.service_point_id
          AND other.id IS NOT NEW.id
          AND other.starts_on <= COALESCE(NEW.ends_on, '9999-12-31')
          AND COALESCE(other.ends_on, '9999-12-31') >= NEW.starts_on
    );
"""
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER dispatch_no_overlap_insert BEFORE INSERT ON assistants_dispatch
    BEGIN {SQLITE_CONDITION} END
    """,
    f"""
    CREATE TRIGGER dispatch_no_overlap_update BEFORE UPDATE ON assistants_dispatch
    BEGIN {SQLITE_CONDITION} END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS dispatch_no_overlap_insert",
    "DROP TRIGGER IF EXISTS dispatch_no_overlap_update",
]


class Migration(migrations.Migration):
    dependencies = [("assistants", "0001_initial")]

    operations = [
        run_sql_per_vendor(
            {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD},
        )
    ]
