"""The reminder timings the programme starts with; staff change them in the admin."""

from django.db import migrations

DEFAULTS = [
    {"kind": "day_before", "hour": 18},
    {"kind": "before_shift", "minutes": 60},
    {"kind": "open_slot", "days": 3},
    {"kind": "missed_check_in", "minutes": 15},
]


def create_defaults(apps, schema_editor):
    ReminderPolicy = apps.get_model("assistants", "ReminderPolicy")
    for values in DEFAULTS:
        ReminderPolicy.objects.get_or_create(kind=values["kind"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("assistants", "0004_shift_no_double_booking")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
