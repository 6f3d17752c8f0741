"""A group-chat robot belongs to a service point or a partner, named by type and id: the owning
apps say which models may own robots, and a robot goes with its owner."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from cases.models import Case
from talentoffice.models import ChatWebhook
from tests import factories
from tests.factories.assign import make_case
from tests.factories.notify import make_webhook


def test_a_robot_of_a_point_or_of_a_partner_is_valid(db):
    make_webhook(service_point=factories.make_service_point()).full_clean()
    make_webhook(partner=factories.make_partner()).full_clean()


def test_a_robot_cannot_belong_to_a_case(db):
    robot = make_webhook()
    robot.owner = make_case()

    with pytest.raises(ValidationError) as refused:
        robot.full_clean()

    assert "owner_type" in refused.value.error_dict
    # The admin offers only the owners the apps registered.
    choices = ContentType.objects.filter(
        ChatWebhook._meta.get_field("owner_type").get_limit_choices_to()
    )
    assert {(t.app_label, t.model) for t in choices} == {
        ("assistants", "servicepoint"),
        ("partners", "partner"),
    }
    assert ContentType.objects.get_for_model(Case) not in choices


def test_a_robot_cannot_belong_to_a_point_that_is_not_there(db):
    robot = make_webhook()
    robot.owner_id = robot.owner_id + 1000

    with pytest.raises(ValidationError) as refused:
        robot.full_clean()

    assert "owner_id" in refused.value.error_dict


def test_a_points_robots_go_with_the_point(db):
    point = factories.make_service_point()
    make_webhook(service_point=point)
    kept = make_webhook()

    point.delete()

    assert list(ChatWebhook.objects.all()) == [kept]
