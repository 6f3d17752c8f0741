"""Who hears "tell staff" news: the district staff who run the programme, not every staff login."""

from django.contrib.auth import get_user_model

from talentoffice import access, roles
from tests import factories


def make_login(username, **fields):
    return get_user_model().objects.create_user(username, **fields)


def test_district_staff_leaves_out_street_coordinators_viewers_and_inactive_logins(db):
    alice = make_login("alice", is_staff=True, is_superuser=True)
    dora = roles.grant_role(make_login("dora"), roles.DISTRICT_STAFF)
    erin = roles.grant_role(make_login("erin"), roles.DISTRICT_ADMINISTRATOR)
    roles.grant_role(make_login("frank"), roles.STREET_COORDINATOR, street=factories.make_street())
    roles.grant_role(make_login("grace"), roles.READ_ONLY_VIEWER)
    make_login("idle", is_staff=True, is_active=False)
    make_login("bob")  # an assistant's login, not staff

    assert list(access.district_staff()) == [alice, dora, erin]


def test_a_superuser_is_never_narrowed_to_a_street_nor_a_viewer(db):
    root = make_login("root", is_staff=True, is_superuser=True)
    roles.grant_role(root, roles.READ_ONLY_VIEWER)
    factories.make_street().coordinators.create(user=root)

    assert list(access.district_staff()) == [root]
    assert access.is_district_staff(root)
