"""The audit trail and the personal-data access log are append-only on SQLite too.

The same rule as migrations 0008 and 0015 on PostgreSQL, as triggers: UPDATE and DELETE are
refused, except clearing the user column when an account is removed, an UPDATE inside a
transaction that retention has unlocked, and a DELETE inside `manage.py flush` (which empties
every table, as PostgreSQL's TRUNCATE does). How the unlock works is in
talentoffice/database_rules.py; a rebuild of either table drops the triggers and stops migrate.
"""

from django.db import migrations

from talentoffice.database_rules import UNLOCK_TABLE
from talentoffice.migration_utils import sqlite_append_only_triggers

TABLES = {
    "auditlog_logentry": "actor_id",
    "cases_personaldataaccess": "user_id",
}


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE TABLE {UNLOCK_TABLE} ("
        "operation varchar(6) NOT NULL CHECK (operation IN ('UPDATE', 'DELETE')))"
    )
    for table, clearable in TABLES.items():
        with connection.cursor() as cursor:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        for statement in sqlite_append_only_triggers(
            table=table, columns=columns, clearable=clearable, unlock_table=UNLOCK_TABLE
        ):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{operation}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {UNLOCK_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_anonymizing_reaches_the_audit_trail"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
