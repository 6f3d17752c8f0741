"""The audit trail and the personal-data access log are append-only in the database itself.

The admin already offers no change or delete; this makes the database refuse UPDATE and DELETE
on those tables for every client, a shell or a stray script included. The one update let
through is the database's own ON DELETE SET NULL on the listed user columns, so that removing a
user account still works: the entry keeps everything else (and the access log the username).

PostgreSQL only: the same rule on the embedded SQLite default is migration 0016.
"""

from django.db import migrations

from talentoffice.migration_utils import append_only_function, run_sql_per_vendor

FUNCTION = append_only_function(anonymizing_may_update=False)

TABLES = {
    "auditlog_logentry": "actor_id",
    "cases_personaldataaccess": "user_id",
}

FORWARD = [FUNCTION] + [
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION talentoffice_append_only('{column}')"
    for table, column in TABLES.items()
]
BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES] + [
    "DROP FUNCTION IF EXISTS talentoffice_append_only()"
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_personal_data"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [run_sql_per_vendor({"postgresql": FORWARD}, {"postgresql": BACKWARD})]
