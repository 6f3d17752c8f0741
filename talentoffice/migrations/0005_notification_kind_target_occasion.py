"""Notifications get real columns for what they are about instead of one dedupe key string.

The new columns are filled from each row's key, in the formats the sweeps and services wrote;
a key in no known format keeps itself as the occasion, so that every row stays unique.
"""

import re

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

# (pattern, app label and model of the target or None, the group holding the occasion or None),
# as cases.sweeps, cases.deadlines, assistants.reminders, assistants.rota, assistants.shifts and
# steering.digest wrote them.
KEY_FORMATS = [
    (r"^case:(\d+):unaccepted:(\d+)(?::user:\d+)?$", ("cases", "case"), 2),
    (r"^case:(\d+):warning:(\S+)$", ("cases", "case"), 2),
    (r"^case:(\d+):supervised:(\d+):user:\d+$", ("cases", "case"), 2),
    (r"^followup:(\d+):reminder$", ("cases", "followup"), None),
    (r"^liaison:(\d+):visit:(\S+)$", ("cases", "enterpriseliaison"), 2),
    (r"^digest:([\d-]+):\d+$", None, 1),
    (r"^steering\.digest:([\d-]+):\d+$", None, 1),
    (r"^rota-published:(\d+):\d+$", ("assistants", "rota"), None),
    (r"^shifts-opened-by-leave:(\d+):\d+$", ("assistants", "unavailability"), None),
    (r"^shift:(\d+):assistant:(\d+):\w+$", ("assistants", "shift"), 2),
    (r"^shift:(\d+):user:\d+:\w+$", ("assistants", "shift"), None),
    (r"^shift:(\d+):\w+$", ("assistants", "shift"), None),
]
BATCH = 2000


def fill_from_keys(apps, schema_editor):
    Notification = apps.get_model("talentoffice", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {}
    formats = [(re.compile(pattern), target, group) for pattern, target, group in KEY_FORMATS]
    rows = Notification.objects.order_by("pk").only("pk", "dedupe_key")
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        row.occasion = row.dedupe_key
        for pattern, target, group in formats:
            match = pattern.match(row.dedupe_key)
            if match is None:
                continue
            if target is not None:
                if target not in types:
                    types[target], _ = ContentType.objects.get_or_create(
                        app_label=target[0], model=target[1]
                    )
                row.target_type = types[target]
                row.target_id = int(match.group(1))
            row.occasion = match.group(group) if group is not None else ""
            break
        changed.append(row)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["target_type", "target_id", "occasion"])
            changed = []
    Notification.objects.bulk_update(changed, ["target_type", "target_id", "occasion"])


def keys_from_columns(apps, schema_editor):
    # Back to one unique string per row; not the old formats, which nothing reads any more.
    Notification = apps.get_model("talentoffice", "Notification")
    changed = []
    for row in Notification.objects.order_by("pk").iterator(chunk_size=BATCH):
        row.dedupe_key = (
            f"{row.kind}:{row.target_type_id}:{row.target_id}:{row.occasion}:{row.recipient_id}"
        )[:200]
        changed.append(row)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["dedupe_key"])
            changed = []
    Notification.objects.bulk_update(changed, ["dedupe_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("talentoffice", "0004_street_coordinator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="last_http_status",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="last HTTP status"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="occasion",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="occasion"),
        ),
        migrations.AddField(
            model_name="notification",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="about (id)"),
        ),
        migrations.AddField(
            model_name="notification",
            name="target_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="about (type)",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="batch",
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name="written in"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["batch"], name="notification_batch"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("case.unaccepted", "case not accepted in time"),
                    ("case.warning", "case deadline warning"),
                    ("case.follow_up", "return visit reminder"),
                    ("case.liaison_visit", "enterprise visit reminder"),
                    ("case.digest", "daily overdue digest"),
                    ("case.supervised", "case under supervision"),
                    ("steering.digest", "monthly figures"),
                    ("rota_published", "rota published"),
                    ("shifts_opened_by_leave", "shifts opened by leave"),
                    ("shift.day_before", "duty tomorrow"),
                    ("shift.before_shift", "duty soon"),
                    ("shift.open_slot", "open shift"),
                    ("shift.missed_check_in", "missed check-in"),
                ],
                max_length=40,
                verbose_name="kind",
            ),
        ),
        # Nullable while the rows are filled, so that the step can also be undone.
        migrations.AlterField(
            model_name="notification",
            name="dedupe_key",
            field=models.CharField(max_length=200, null=True, verbose_name="dedupe key"),
        ),
        migrations.RunPython(fill_from_keys, keys_from_columns),
        migrations.RemoveField(
            model_name="notification",
            name="dedupe_key",
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Coalesce("recipient", models.Value(0)),
                models.F("kind"),
                django.db.models.functions.comparison.Coalesce("target_type", models.Value(0)),
                django.db.models.functions.comparison.Coalesce("target_id", models.Value(0)),
                models.F("occasion"),
                name="notification_once",
            ),
        ),
    ]
