"""The embedded default refuses double booking again.

SQLite cannot add a NOT NULL column in place: 0007 rebuilt the shift table by copying it, and the
copy dropped the triggers that 0004 made. This makes them again, after checking that no clash
was saved while they were missing (a clash kept would make every later edit of that shift fail).
PostgreSQL keeps its exclusion constraint through column changes, so it has nothing to do here.
talentoffice/database_rules.py checks after every migrate that the triggers are still there.
"""

from django.core.management.base import CommandError
from django.db import migrations

from talentoffice.migration_utils import run_sql_per_vendor

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
SQLITE_FORWARD = [
    statement
    for when in ("INSERT", "UPDATE")
    for statement in (
        f"DROP TRIGGER IF EXISTS shift_no_double_booking_{when.lower()}",
        f"CREATE TRIGGER shift_no_double_booking_{when.lower()} BEFORE {when} ON assistants_shift"
        f" BEGIN {SHIFT_CONDITION} END",
    )
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS shift_no_double_booking_{when}" for when in ("insert", "update")
]

CLASHES = """
    SELECT shift.id, other.id FROM assistants_shift AS shift
    JOIN assistants_shift AS other
      ON other.assistant_id = shift.assistant_id AND other.id > shift.id
     AND other.starts_at < shift.ends_at AND other.ends_at > shift.starts_at
    WHERE shift.status <> 'cancelled' AND other.status <> 'cancelled'
    LIMIT 20
"""


def refuse_saved_clashes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CLASHES)
        clashes = cursor.fetchall()
    if clashes:
        pairs = ", ".join(f"{first} and {second}" for first, second in clashes)
        raise CommandError(
            f"An assistant holds two live shifts that overlap (shift ids {pairs}): cancel or "
            "reassign one of each pair, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [("assistants", "0008_dispatch_point_assistant")]

    operations = [
        migrations.RunPython(refuse_saved_clashes, migrations.RunPython.noop),
        run_sql_per_vendor({"sqlite": SQLITE_FORWARD}, {"sqlite": SQLITE_BACKWARD}),
    ]
