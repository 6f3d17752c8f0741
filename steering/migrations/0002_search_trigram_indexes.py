"""Trigram indexes for the staff's global search, on PostgreSQL only.

Chinese has no spaces between words, so a search is a containment test (`icontains`, which
Django writes as UPPER(column::text) LIKE UPPER('%...%')); a GIN trigram index on that same
expression answers it without reading the table. SQLite has no such index and scans, which the
embedded default's data sizes allow. The indexes are not declared on the models because SQLite
could not create them; this migration is their one place.
"""

from django.db import migrations

# (app label, model, field): what the search looks in.
SEARCHED = [
    ("cases", "Case", "title"),
    ("cases", "Case", "number"),
    ("cases", "Enterprise", "name"),
    ("cases", "Enterprise", "credit_code"),
    ("cases", "Resident", "name"),
    ("cases", "CouncilMeeting", "title"),
    ("assistants", "Assistant", "name"),
    ("assistants", "ServicePoint", "name"),
    ("partners", "Partner", "name"),
    ("partners", "Partner", "short_name"),
    ("steering", "Campaign", "name"),
]


def index_name(model, column):
    return f"{model._meta.db_table[:40]}_{column}_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Left in place when migrating back: other databases' objects may use the extension.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    quote = schema_editor.quote_name
    for app_label, model_name, field_name in SEARCHED:
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(field_name).column
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index_name(model, column))} "
            f"ON {quote(model._meta.db_table)} USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app_label, model_name, field_name in SEARCHED:
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(field_name).column
        schema_editor.execute(
            f"DROP INDEX IF EXISTS {schema_editor.quote_name(index_name(model, column))}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("steering", "0001_initial"),
        ("cases", "0015_anonymizing_reaches_the_audit_trail"),
        ("assistants", "0009_shift_no_double_booking_again"),
        ("partners", "0004_webhook_case_reopened_closed"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
