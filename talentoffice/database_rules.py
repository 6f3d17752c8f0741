"""The rules the database keeps beyond Django's own constraints, and a check that they are there.

Some rules are raw SQL in migrations: exclusion constraints on PostgreSQL, triggers on the
embedded SQLite default (double booking, overlapping dispatches and templates), append-only
triggers on the audit trail. Django knows nothing of them, and on SQLite a migration that changes
a column rebuilds the table by copying it, which drops every trigger on it without a word. So
after every migrate each rule is looked up in the database, and a missing one stops migrate with
its name: a guard that quietly vanished is worse than one that was never promised.

The append-only tables open only to the two writers the programme has: retention rewriting a
resident's name and phone in the trail (`append_only_unlocked`), and `manage.py flush`, which the
test suite runs between transactional tests. On PostgreSQL the first sets `talentoffice.anonymizing`
for its transaction and the second is a TRUNCATE, which row triggers never see. SQLite has neither,
so its triggers look for a row in an unlock table that only those writers add inside their own
transaction and delete again before it commits: no other connection ever sees the row.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder


@dataclass(frozen=True)
class DatabaseRule:
    """One rule: the objects that enforce it on each vendor, owed once `since` is applied."""

    name: str
    since: tuple[str, str]  # (app label, migration name) that last (re)created it
    sqlite_triggers: tuple[str, ...] = ()
    postgresql_constraints: tuple[str, ...] = ()
    postgresql_triggers: tuple[str, ...] = ()

    def objects_on(self, vendor: str) -> tuple[str, ...]:
        """The names of the triggers and constraints that enforce this rule on the vendor."""
        if vendor == "sqlite":
            return self.sqlite_triggers
        if vendor == "postgresql":
            return self.postgresql_constraints + self.postgresql_triggers
        return ()


def _on_insert_and_update(name: str) -> tuple[str, ...]:
    return (f"{name}_insert", f"{name}_update")


RULES = (
    DatabaseRule(
        name="an assistant is not dispatched twice to one service point at the same time",
        since=("assistants", "0002_dispatch_no_overlap"),
        sqlite_triggers=_on_insert_and_update("dispatch_no_overlap"),
        postgresql_constraints=("dispatch_no_overlap",),
    ),
    DatabaseRule(
        name="an assistant holds no two live shifts that overlap",
        since=("assistants", "0009_shift_no_double_booking_again"),
        sqlite_triggers=_on_insert_and_update("shift_no_double_booking"),
        postgresql_constraints=("shift_no_double_booking",),
    ),
    DatabaseRule(
        name="a service point's templates on one weekday do not overlap",
        since=("assistants", "0004_shift_no_double_booking"),
        sqlite_triggers=_on_insert_and_update("shifttemplate_no_overlap"),
        postgresql_constraints=("shifttemplate_no_overlap",),
    ),
    DatabaseRule(
        name="the audit trail and the personal-data access log are append-only",
        since=("cases", "0016_append_only_audit_on_sqlite"),
        sqlite_triggers=(
            "auditlog_logentry_append_only_update",
            "auditlog_logentry_append_only_delete",
            "cases_personaldataaccess_append_only_update",
            "cases_personaldataaccess_append_only_delete",
        ),
        postgresql_triggers=(
            "auditlog_logentry_append_only",
            "cases_personaldataaccess_append_only",
        ),
    ),
)


# SQLite only (migration cases/0016): a row here, written and removed inside one transaction, lets
# that transaction's UPDATE (or, for the flush, DELETE) through the append-only triggers.
UNLOCK_TABLE = "talentoffice_append_only_unlock"


@contextmanager
def append_only_unlocked(using: str = DEFAULT_DB_ALIAS):
    """Inside a transaction of its own, let the append-only tables be updated (never deleted)."""
    connection = connections[using]
    # A savepoint of its own: if the block fails, rolling it back takes the unlock with it, so
    # the unlock can never outlive the block, even when a caller catches the error.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL talentoffice.anonymizing = 'on'")
        elif connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {UNLOCK_TABLE} (operation) VALUES ('UPDATE')")
            unlock = cursor.lastrowid
        yield
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL talentoffice.anonymizing = 'off'")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {UNLOCK_TABLE} WHERE rowid = %s", [unlock])


class MissingDatabaseRules(CommandError):
    """Raised after migrate when a rule's trigger or constraint is not in the database."""


def present_objects(connection) -> set[str]:
    """Names of the triggers (and on PostgreSQL the constraints) in the connection's database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname FROM pg_constraint"
                " WHERE connamespace = current_schema()::regnamespace"
                " UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            )
        else:
            return set()
        return {name for (name,) in cursor.fetchall()}


def missing_rules(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Each owed rule whose trigger or constraint is missing, as 'rule: object names'."""
    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    present = present_objects(connection)
    missing = []
    for rule in RULES:
        if rule.since not in applied:
            continue
        absent = [name for name in rule.objects_on(connection.vendor) if name not in present]
        if absent:
            missing.append(f"{rule.name}: {', '.join(absent)}")
    return missing


def check_rules_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: stop migrate (and a test database's set-up) when a rule is gone."""
    if sender.label != "talentoffice":
        return
    missing = missing_rules(using)
    if missing:
        raise MissingDatabaseRules(
            f"The {connections[using].vendor} database '{using}' lacks the triggers or "
            "constraints that enforce these rules:\n  "
            + "\n  ".join(missing)
            + "\nA migration that rebuilt a table (SQLite copies a table to change a column) drops"
            " its triggers; add a migration that creates them again, and list it as the rule's"
            " `since` in talentoffice/database_rules.py."
        )
