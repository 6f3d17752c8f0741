"""The rules written into the database as SQL (triggers on SQLite, exclusion constraints and
triggers on PostgreSQL) are all in place after migrate, and migrate stops when one goes missing."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from talentoffice.database_rules import RULES, MissingDatabaseRules, missing_rules

SHIFTS_RULE = "an assistant holds no two live shifts that overlap"


def test_every_rule_of_the_database_is_in_place_after_migrate(db):
    assert missing_rules() == []
    assert any(rule.objects_on(connection.vendor) for rule in RULES)


def test_migrate_stops_and_names_a_rule_whose_trigger_or_constraint_is_gone(db):
    # As a migration that rebuilds the shift table on SQLite would leave it.
    if connection.vendor == "sqlite":
        gone = "shift_no_double_booking_insert"
        drop = f"DROP TRIGGER {gone}"
    else:
        gone = "shift_no_double_booking"
        drop = f"ALTER TABLE assistants_shift DROP CONSTRAINT {gone}"

    with pytest.raises(MissingDatabaseRules) as stopped, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(drop)
        call_command("migrate", verbosity=0)

    assert f"{SHIFTS_RULE}: {gone}" in str(stopped.value)
    assert missing_rules() == []  # rolled back with the savepoint


def test_migrate_stops_when_the_audit_trails_append_only_trigger_is_gone(db):
    # As a new auditlog migration that rebuilds its table on SQLite would leave it.
    if connection.vendor == "sqlite":
        gone = "auditlog_logentry_append_only_delete"
        drop = f"DROP TRIGGER {gone}"
    else:
        gone = "auditlog_logentry_append_only"
        drop = f"DROP TRIGGER {gone} ON auditlog_logentry"

    with pytest.raises(MissingDatabaseRules) as stopped, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(drop)
        call_command("migrate", verbosity=0)

    assert f"are append-only: {gone}" in str(stopped.value)
