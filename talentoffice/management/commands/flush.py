"""Django's `flush`, able to empty the append-only tables on SQLite as it does on PostgreSQL.

On PostgreSQL flush empties tables with TRUNCATE, which the append-only triggers (rules on each
row) never see. On SQLite it deletes row by row, which they refuse; the test suite flushes
between transactional tests, and an operator may flush a development database. So on SQLite the
flush runs inside a transaction that unlocks deletes first (talentoffice/database_rules.py) and
locks them again before it commits. Everything else is Django's own command.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from talentoffice.database_rules import UNLOCK_TABLE


class Command(flush.Command):
    def handle(self, **options):
        using = options["database"]
        connection = connections[using]
        # Before migrate has made the unlock table there is no trigger to get past either.
        if connection.vendor != "sqlite" or UNLOCK_TABLE not in (
            connection.introspection.table_names()
        ):
            return super().handle(**options)
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {UNLOCK_TABLE} (operation) VALUES ('DELETE')")
            super().handle(**options)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {UNLOCK_TABLE} WHERE operation = 'DELETE'")
