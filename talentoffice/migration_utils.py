"""Helpers for migrations that need different SQL on PostgreSQL and on SQLite."""

from django.db import migrations


def run_sql_per_vendor(forward: dict[str, list[str]], backward: dict[str, list[str]]):
    """A RunPython operation executing the statements listed for the connection's vendor."""

    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(forward), runner(backward))
