"""No admin filter or search lets anyone learn a masked digit of a resident's personal data.

A filter such as `?phone__startswith=188` answers "a row" or "none"; looped over the digits it
spells out a phone. These tests walk every registered admin for such paths, and probe the
changelists as each staff role would, guessing the right and a wrong digit.
"""

import logging

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, PersonalDataAccess, Resident
from talentoffice import roles
from talentoffice.admin_base import PersonalDataAdminMixin
from talentoffice.crypto import lookup_hash
from talentoffice.masking import PERSONAL_FIELDS
from tests.factories.roles import build_district
from tests.privacy.conftest import make_id_number

PHONE = "18897621280"
ADDRESS = "东街幸福小区3栋2单元501"
ID_NUMBER = make_id_number("35010319900307123")


def personal_paths(model):
    """Every lookup path from a model to a registered personal field, one relation deep."""
    paths = list(PERSONAL_FIELDS.get(model._meta.label_lower, {}))
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        if related is not None and (field.many_to_one or field.one_to_one):
            paths += [
                f"{field.name}__{name}"
                for name in PERSONAL_FIELDS.get(related._meta.label_lower, {})
            ]
    return paths


def registered_admins():
    return [
        (model, admin.site.get_model_admin(model))
        for model in apps.get_models()
        if admin.site.is_registered(model)
    ]


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", password=None)
    return request


def test_no_registered_admin_lets_a_personal_field_be_filtered_or_searched_in_part(
    superuser_request,
):
    checked = 0
    for model, model_admin in registered_admins():
        shown = set(model_admin.get_list_display(superuser_request))
        searchable = {
            field.lstrip("^=@") for field in model_admin.get_search_fields(superuser_request)
        }
        for path in personal_paths(model):
            # A name the list itself shows in full is no secret on that page.
            if path in shown and "__" not in path:
                continue
            checked += 1
            assert isinstance(model_admin, PersonalDataAdminMixin), model
            for lookup in ("", "__exact", "__startswith", "__contains", "__icontains", "__regex"):
                assert not model_admin.lookup_allowed(path + lookup, "1", superuser_request), (
                    model,
                    path + lookup,
                )
            assert path not in searchable, (model, path)
    # The residents' list and every model pointing at a resident were walked.
    assert checked >= 5


FULL_VIEW = ("view_personal_data", "export_personal_data")


def staff_without_the_full_view():
    """A staff login with every permission of district staff but seeing personal data in full."""
    user = get_user_model().objects.create_user("stan", is_staff=True)
    group = Group.objects.get(name=roles.DISTRICT_STAFF)
    user.user_permissions.set(group.permissions.exclude(codename__in=FULL_VIEW))
    assert not user.has_perm("cases.view_personal_data")
    assert user.has_perm("cases.view_resident")
    return user


@pytest.fixture
def district(db):
    district = build_district()
    case = district["east case"]
    resident = case.resident
    resident.phone, resident.address, resident.id_number = PHONE, ADDRESS, ID_NUMBER
    resident.save()
    district.users["staff without the full view"] = staff_without_the_full_view()
    return district


def probes(resident, case, known: str, guess: str, address_known: str, address_guess: str):
    """Changelist requests a curious user would send, each with one digit guessed."""
    resident_list = reverse("admin:cases_resident_changelist")
    case_list = reverse("admin:cases_case_changelist")
    prefix = known + guess
    return [
        (resident_list, {"phone__startswith": prefix, "id__exact": resident.pk}),
        (resident_list, {"phone__contains": prefix}),
        (resident_list, {"phone__regex": f"^{prefix}"}),
        (resident_list, {"address__startswith": address_known + address_guess}),
        (resident_list, {"id_number_hash": lookup_hash(ID_NUMBER[:-1] + guess)}),
        (resident_list, {"q": prefix}),
        (resident_list, {"q": f"{address_known}{address_guess}"}),
        (case_list, {"q": prefix, "id__exact": case.pk}),
        (case_list, {"resident__phone__startswith": prefix, "id__exact": case.pk}),
        (case_list, {"resident__address__contains": address_known + address_guess}),
    ]


def outcome(client, url, params):
    """What a changelist tells: its status and, when it answers, how many rows it found."""
    response = client.get(url, params)
    if response.status_code != 200:
        return response.status_code, None
    return 200, response.context["cl"].result_count


def drop_refused_lookup_logs(caplog):
    """A refused lookup is logged by Django as a security error; here it is expected."""
    records = caplog.get_records("call")
    assert all(r.name.startswith("django.security") for r in records if r.levelno >= logging.ERROR)
    records[:] = [r for r in records if r.levelno < logging.ERROR]


@pytest.mark.parametrize("role", ["viewer", "coordinator", "staff without the full view", "staff"])
def test_no_role_learns_a_masked_digit_from_the_admin_lists(client, district, role, caplog):
    case = district["east case"]
    resident = case.resident
    client.force_login(district.users[role])
    masked = range(3, 7)  # 188****1280: the digits mask_phone hides

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        position=st.sampled_from(list(masked)),
        wrong=st.sampled_from("0123456789"),
        address_position=st.integers(min_value=6, max_value=len(ADDRESS) - 1),
    )
    def right_and_wrong_guesses_look_the_same(position, wrong, address_position):
        right = PHONE[position]
        address_right = ADDRESS[address_position]
        address_wrong = "9" if address_right != "9" else "8"
        if wrong == right:
            return
        known, address_known = PHONE[:position], ADDRESS[:address_position]
        for (url, right_params), (_url, wrong_params) in zip(
            probes(resident, case, known, right, address_known, address_right),
            probes(resident, case, known, wrong, address_known, address_wrong),
            strict=True,
        ):
            assert outcome(client, url, right_params) == outcome(client, url, wrong_params), (
                role,
                right_params,
            )

    right_and_wrong_guesses_look_the_same()
    drop_refused_lookup_logs(caplog)


@pytest.mark.parametrize("role", ["viewer", "coordinator", "staff without the full view"])
def test_a_whole_phone_finds_nothing_for_a_role_that_may_not_see_it(client, district, role):
    client.force_login(district.users[role])
    case = district["east case"]
    found = outcome(client, reverse("admin:cases_case_changelist"), {"q": PHONE})
    missed = outcome(client, reverse("admin:cases_case_changelist"), {"q": "18897621281"})

    assert found == missed
    assert case.number not in client.get(reverse("admin:cases_case_changelist"), {"q": PHONE})
    assert not PersonalDataAccess.objects.exists()


def test_a_whole_phone_or_id_number_finds_its_resident_for_staff_and_is_logged(client, district):
    stella = district.users["staff"]
    client.force_login(stella)
    resident = district["east case"].resident

    by_phone = client.get(reverse("admin:cases_resident_changelist"), {"q": "188 9762 1280"})
    by_id = client.get(reverse("admin:cases_case_changelist"), {"q": ID_NUMBER.lower()})

    assert list(by_phone.context["cl"].result_list) == [resident]
    assert list(by_id.context["cl"].result_list) == [district["east case"]]
    searches = PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.SEARCH)
    assert sorted(searches.values_list("username", "term_hash", "rows")) == sorted(
        [("stella", lookup_hash(PHONE), 1), ("stella", lookup_hash(ID_NUMBER), 1)]
    )
    # The log holds the keyed hash, never the number itself.
    assert not PersonalDataAccess.objects.filter(detail__contains="1280").exists()
    assert Resident.objects.filter(phone=PHONE).count() == 1
    assert Case.objects.filter(resident=resident).exists()


def test_staff_filter_the_records_intake_flagged_as_possible_duplicates(admin_client, db):
    from cases.intake import find_or_create_resident

    on_file, _created = find_or_create_resident(name="王芳", phone="13812345678")
    flagged, _created = find_or_create_resident(name="李四", phone="13812345678")

    page = admin_client.get(
        reverse("admin:cases_resident_changelist"), {"possible_duplicate_of__isempty": "0"}
    )
    change = admin_client.get(reverse("admin:cases_resident_change", args=[flagged.pk]))

    assert list(page.context["cl"].result_list) == [flagged]
    assert "王芳" in change.content.decode()
    assert on_file.pk != flagged.pk
