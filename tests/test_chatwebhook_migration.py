"""The migration that names a group-chat robot's owner generically keeps every robot with the
service point or partner it belonged to, both ways."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assistants.models import ServicePoint
from partners.models import Partner
from talentoffice.models import ChatWebhook
from tests import factories

BEFORE = [("talentoffice", "0008_notification_target")]
AFTER = [("talentoffice", "0009_chatwebhook_owner")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_at_0008(transactional_db):
    """The database as it was before the migration; put back to the latest afterwards."""
    yield migrate(BEFORE)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_each_robot_keeps_its_service_point_or_partner(back_at_0008):
    # Only the core's tables went back: the points and partners are today's rows.
    point = factories.make_service_point()
    partner = factories.make_partner()
    old = back_at_0008.get_model("talentoffice", "ChatWebhook")
    old.objects.create(
        name="专窗群", kind="wecom", url="https://a.example/", service_point_id=point.pk
    )
    old.objects.create(
        name="银行群", kind="dingtalk", url="https://b.example/", partner_id=partner.pk
    )

    migrate(AFTER)

    owners = {robot.name: robot.owner for robot in ChatWebhook.objects.all()}
    assert owners == {"专窗群": point, "银行群": partner}
    assert list(point.chat_webhooks.values_list("name", flat=True)) == ["专窗群"]
    assert list(partner.chat_webhooks.values_list("name", flat=True)) == ["银行群"]
    assert {robot.owner_type for robot in ChatWebhook.objects.all()} == {
        ContentType.objects.get_for_model(ServicePoint),
        ContentType.objects.get_for_model(Partner),
    }

    back = migrate(BEFORE)

    robots = back.get_model("talentoffice", "ChatWebhook").objects.order_by("name")
    assert [(r.name, r.service_point_id, r.partner_id) for r in robots] == sorted(
        [("专窗群", point.pk, None), ("银行群", None, partner.pk)]
    )
