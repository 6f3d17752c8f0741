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


def append_only_function(*, anonymizing_may_update: bool) -> str:
    """PostgreSQL's append-only trigger function, as migrations cases/0008 and 0015 create it.

    Migrations already applied ran exactly this text: a later change to the rule belongs in a
    new migration with its own SQL, never here.
    """
    # While retention anonymizes a resident, its transaction alone may rewrite the trail.
    anonymizing = (
        """
        IF current_setting('talentoffice.anonymizing', true) = 'on' THEN
            RETURN NEW;
        END IF;"""
        if anonymizing_may_update
        else ""
    )
    # Doubled percent signs: the statement goes through the driver, which reads % as a placeholder.
    return f"""
CREATE OR REPLACE FUNCTION talentoffice_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    i integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN{anonymizing}
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        -- Columns named as trigger arguments may only be cleared (ON DELETE SET NULL).
        FOR i IN 0 .. TG_NARGS - 1 LOOP
            IF new_row -> TG_ARGV[i] = 'null'::jsonb THEN
                old_row := old_row - TG_ARGV[i];
                new_row := new_row - TG_ARGV[i];
            END IF;
        END LOOP;
        IF old_row = new_row THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '%% is append-only: %% refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def sqlite_append_only_triggers(
    *, table: str, columns: list[str], clearable: str, unlock_table: str
) -> list[str]:
    """SQLite's triggers that refuse UPDATE and DELETE on `table` as PostgreSQL's function does.

    An UPDATE passes when it changes nothing but clearing `clearable` (Django's SET_NULL when a
    user account is removed), or when its transaction has unlocked updates; a DELETE only when
    its transaction has unlocked deletes (the flush). `columns` are the table's columns now.
    """
    unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c != clearable)
    return [
        f"""CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table} FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM {unlock_table} WHERE operation = 'UPDATE')
    AND NOT ((NEW."{clearable}" IS NULL OR NEW."{clearable}" IS OLD."{clearable}") AND {unchanged})
BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END""",
        f"""CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM {unlock_table} WHERE operation = 'DELETE')
BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END""",
    ]
