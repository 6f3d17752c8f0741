"""Retention may rewrite a resident's name and phone inside the append-only audit trail.

Anonymizing a resident must reach every copy of their name and phone, the audit entries
included (cases.privacy.anonymize_resident). The append-only trigger of migration 0008 lets an
UPDATE through only while the transaction has set `talentoffice.anonymizing` (SET LOCAL, gone at
commit); DELETE stays refused whatever is set.
"""

from django.db import migrations

from talentoffice.migration_utils import run_sql_per_vendor

FUNCTION = """
CREATE OR REPLACE FUNCTION talentoffice_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    i integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF current_setting('talentoffice.anonymizing', true) = 'on' THEN
            RETURN NEW;
        END IF;
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

PREVIOUS = """
CREATE OR REPLACE FUNCTION talentoffice_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    i integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
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


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_personal_data_search_and_duplicates")]

    operations = [run_sql_per_vendor({"postgresql": [FUNCTION]}, {"postgresql": [PREVIOUS]})]
