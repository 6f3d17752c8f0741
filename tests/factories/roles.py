"""A small two-street district with one login per role, for the role matrix and the security
tests: east and west streets, a point on each, partner A's Bob (east) and Dave (west), partner
B's Charlie (west), a case and a shift on each street and a case with no point on the east.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model

from talentoffice import roles
from tests import factories
from tests.factories.assign import make_assigned_case
from tests.factories.shifts import make_shift


@dataclass
class District:
    """Everything the matrix names, by the label the tables use."""

    objects: dict
    users: dict

    def __getitem__(self, label):
        return self.objects[label]


def make_login(username, role, *, street=None):
    # No password: the tests sign in with force_login, and hashing eight passwords per test
    # would cost seconds.
    user = get_user_model().objects.create_user(username)
    return roles.grant_role(user, role, street=street)


def build_district() -> District:
    """The district the role matrix is written against (labels in tests/roles/test_matrix.py)."""
    east = factories.make_street(name="东街")
    west = factories.make_street(name="西街")
    east_community = factories.make_community(street=east, name="东社区")
    east_point = factories.make_service_point(street=east, name="东街服务点")
    west_point = factories.make_service_point(street=west, name="西街服务点")

    partner_a = factories.make_partner(name="福建海峡银行股份有限公司", short_name="海峡银行")
    partner_b = factories.make_partner(
        name="福建闽众律师事务所", short_name="闽众律所", sector="legal", kind="law_firm"
    )
    agreement_a = factories.make_agreement(partner=partner_a, title="海峡银行共建协议")
    agreement_b = factories.make_agreement(partner=partner_b, title="闽众律所共建协议")

    bob_user = make_login("bob", roles.ASSISTANT)
    charlie_user = make_login("charlie", roles.ASSISTANT)
    bob = factories.make_assistant(partner=partner_a, name="林博", user=bob_user)
    charlie = factories.make_assistant(partner=partner_b, name="陈诚", user=charlie_user)
    dave = factories.make_assistant(partner=partner_a, name="戴维")
    bob_east = factories.make_dispatch(assistant=bob, service_point=east_point)
    charlie_west = factories.make_dispatch(assistant=charlie, service_point=west_point)
    dave_west = factories.make_dispatch(assistant=dave, service_point=west_point)
    # An ended posting on the east street does not make Dave one of its assistants.
    dave_east_ended = factories.make_dispatch(
        assistant=dave,
        service_point=east_point,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 6, 30),
    )

    east_case = make_assigned_case(lead=bob, service_point=east_point, title="东街诉求")
    west_case = make_assigned_case(lead=charlie, service_point=west_point, title="西街诉求")
    pointless_case = make_assigned_case(
        lead=dave,
        title="东街居民来电",
        source="hotline",
        resident=factories.make_resident(community=east_community),
    )
    east_shift = make_shift(service_point=east_point, assistant=bob)
    west_shift = make_shift(service_point=west_point, assistant=charlie)

    erin = get_user_model().objects.create_user("erin")
    factories.make_contact(partner=partner_a, name="郑艾", user=erin)
    roles.grant_role(erin, roles.PARTNER_MANAGER)
    frank = get_user_model().objects.create_user("frank")
    factories.make_contact(partner=partner_b, name="方富", user=frank)
    roles.grant_role(frank, roles.PARTNER_MANAGER)

    users = {
        "administrator": make_login("ada", roles.DISTRICT_ADMINISTRATOR),
        "staff": make_login("stella", roles.DISTRICT_STAFF),
        "coordinator": make_login("cora", roles.STREET_COORDINATOR, street=east),
        "viewer": make_login("vera", roles.READ_ONLY_VIEWER),
        "assistant": bob_user,
        "partner manager": erin,
    }
    objects = {
        "east": east_point,
        "west": west_point,
        "A": partner_a,
        "B": partner_b,
        "agreement A": agreement_a,
        "agreement B": agreement_b,
        "bob": bob,
        "charlie": charlie,
        "dave": dave,
        "bob@east": bob_east,
        "charlie@west": charlie_west,
        "dave@west": dave_west,
        "dave@east ended": dave_east_ended,
        "east case": east_case,
        "west case": west_case,
        "pointless case": pointless_case,
        "east shift": east_shift,
        "west shift": west_shift,
        "east street": east,
        "west street": west,
        "frank": frank,
        "charlie login": charlie_user,
    }
    return District(objects=objects, users=users)
