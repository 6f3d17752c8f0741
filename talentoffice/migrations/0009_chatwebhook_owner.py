"""A group-chat robot names its owner (a service point or a partner) by content type and id, so
that the core's models point at no app; each robot keeps its owner."""

import django.db.models.deletion
from django.db import migrations, models

import talentoffice.robot_owners

# (old column, app label, model) of each kind of owner a robot had.
OWNERS = [("service_point_id", "assistants", "servicepoint"), ("partner_id", "partners", "partner")]


def owners_by_type(apps):
    content_type = apps.get_model("contenttypes", "ContentType")
    return [
        (column, content_type.objects.get_or_create(app_label=app_label, model=model)[0])
        for column, app_label, model in OWNERS
    ]


def name_the_owner(apps, schema_editor):
    robots = apps.get_model("talentoffice", "ChatWebhook").objects
    if not robots.exists():
        return
    for column, owner_type in owners_by_type(apps):
        for robot in robots.filter(**{f"{column}__isnull": False}):
            robots.filter(pk=robot.pk).update(
                owner_type=owner_type, owner_id=getattr(robot, column)
            )


def point_back_at_the_owner(apps, schema_editor):
    robots = apps.get_model("talentoffice", "ChatWebhook").objects
    if not robots.exists():
        return
    for column, owner_type in owners_by_type(apps):
        for robot in robots.filter(owner_type=owner_type):
            robots.filter(pk=robot.pk).update(**{column: robot.owner_id})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("talentoffice", "0008_notification_target"),
    ]

    operations = [
        migrations.AddField(
            model_name="chatwebhook",
            name="owner_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="owner (type)",
            ),
        ),
        migrations.AddField(
            model_name="chatwebhook",
            name="owner_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="owner (id)"),
        ),
        migrations.RemoveConstraint(model_name="chatwebhook", name="chatwebhook_one_owner"),
        migrations.RunPython(name_the_owner, point_back_at_the_owner),
        migrations.RemoveField(model_name="chatwebhook", name="service_point"),
        migrations.RemoveField(model_name="chatwebhook", name="partner"),
        migrations.AlterField(
            model_name="chatwebhook",
            name="owner_type",
            field=models.ForeignKey(
                limit_choices_to=talentoffice.robot_owners.robot_owner_types,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="owner (type)",
            ),
        ),
        migrations.AlterField(
            model_name="chatwebhook",
            name="owner_id",
            field=models.PositiveBigIntegerField(verbose_name="owner (id)"),
        ),
        migrations.AddIndex(
            model_name="chatwebhook",
            index=models.Index(fields=["owner_type", "owner_id"], name="chatwebhook_owner"),
        ),
    ]
