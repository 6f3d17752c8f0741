"""The rules written into the database as SQL (triggers on SQLite, exclusion constraints and
triggers on PostgreSQL) are all in place after migrate, and migrate stops when one goes missing."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from talentoffice.database_rules import RULES, MissingDatabaseRules, missing_rules

SHIFTS_RULE = "an assistant holds no two live shifts that overlap"
AUDIT_RULE = "the audit trail and the personal-data access log are append-only"


def test_every_rule_of_the_database_is_in_place_after_migrate(db):
    assert missing_rules() == []
    assert any(rule.objects_on(connection.vendor) for rule in RULES)


# (rule, SQLite's trigger, PostgreSQL's object, how it is dropped there), as a migration that
# rebuilds the table on SQLite (or a hand on PostgreSQL) would leave them.
GONE = [
    (
        SHIFTS_RULE,
        "shift_no_double_booking_insert",
        "shift_no_double_booking",
        "ALTER TABLE assistants_shift DROP CONSTRAINT {}",
    ),
    (
        AUDIT_RULE,
        "auditlog_logentry_append_only_delete",
        "auditlog_logentry_append_only",
        "DROP TRIGGER {} ON auditlog_logentry",
    ),
]


@pytest.mark.parametrize(("rule", "sqlite_trigger", "postgresql_object", "postgresql_drop"), GONE)
def test_migrate_stops_and_names_a_rule_whose_trigger_or_constraint_is_gone(
    db, rule, sqlite_trigger, postgresql_object, postgresql_drop
):
    if connection.vendor == "sqlite":
        gone = sqlite_trigger
        drop = f"DROP TRIGGER {gone}"
    else:
        gone = postgresql_object
        drop = postgresql_drop.format(gone)

    with pytest.raises(MissingDatabaseRules) as stopped, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(drop)
        call_command("migrate", verbosity=0)

    assert f"{rule}: {gone}" in str(stopped.value)
    assert missing_rules() == []  # rolled back with the savepoint
