"""Residents' phones, addresses and ID numbers: masked by default, shown in full only on request."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import PersonalDataAccess, Resident
from talentoffice import crypto
from tests import factories
from tests.factories.assign import make_case
from tests.privacy.conftest import ID_NUMBER, make_id_number

CSV_FORMAT = "1"  # the admin offers XLSX first, then CSV
PHONE, ADDRESS = "13812345678", "台江区工业路8号3栋502"
EXPORT_FIELDS = ["name", "phone", "community", "address", "id_number", "household_size"]


@pytest.fixture
def resident(db):
    return factories.make_resident(name="王小明", phone=PHONE, address=ADDRESS, id_number=ID_NUMBER)


@pytest.fixture
def viewer(db):
    """Hana, district staff who may see residents but not their personal data in full."""
    user = get_user_model().objects.create_user("hana", password="hana-pass-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_resident"]))
    return user


def full_values_in(text):
    return [value for value in (PHONE, ADDRESS, ID_NUMBER) if value in text]


# -- stored encrypted -------------------------------------------------------------------------


def test_the_id_number_is_stored_encrypted_and_read_back_in_full(resident):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM cases_resident WHERE id = %s", [resident.pk])
        (raw,) = cursor.fetchone()

    assert raw and ID_NUMBER not in raw
    assert Resident.objects.get(pk=resident.pk).id_number == ID_NUMBER


def test_a_resident_is_found_by_the_keyed_hash_of_their_id_number(resident):
    other = factories.make_resident(id_number=make_id_number("35010219800101123"))

    found = Resident.objects.filter(id_number_hash=crypto.lookup_hash(ID_NUMBER))

    assert list(found) == [resident]
    assert other.id_number_hash != resident.id_number_hash
    assert len(resident.id_number_hash) == 64


def test_the_hash_depends_on_the_secret_key_so_guesses_cannot_be_tested(settings):
    before = crypto.lookup_hash(ID_NUMBER)
    settings.PERSONAL_DATA_HASH_KEY = "another-key"

    assert crypto.lookup_hash(ID_NUMBER) != before


def test_an_old_key_still_decrypts_after_a_new_one_is_put_first(resident, settings):
    old_keys = list(settings.PERSONAL_DATA_KEYS)
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode(), *old_keys]

    assert Resident.objects.get(pk=resident.pk).id_number == ID_NUMBER


def test_an_id_number_with_a_wrong_check_digit_is_refused(db):
    resident = Resident(name="王五", phone="13800000000", id_number=ID_NUMBER[:-1] + "1")

    with pytest.raises(ValidationError) as caught:
        resident.full_clean()

    assert "wrong check digit" in str(caught.value.message_dict["id_number"])


def test_an_id_number_is_upper_cased_before_it_is_checked_and_hashed(db):
    resident = factories.make_resident(id_number=ID_NUMBER.lower())

    assert resident.id_number == ID_NUMBER
    assert resident.id_number_hash == crypto.lookup_hash(ID_NUMBER)


# -- masked in lists and exports --------------------------------------------------------------


def test_the_resident_list_masks_phone_address_and_id_number(
    staff_client, resident, django_assert_num_queries
):
    # 1. session, 2. user, 3. the streets for the filter, 4. the planner's estimate of the
    # table size (on PostgreSQL; SQLite has none and counts), 5. the exact count (a small table),
    # 6. the residents with community and street.
    with django_assert_num_queries(5 + (connection.vendor == "postgresql")):
        response = staff_client.get(reverse("admin:cases_resident_changelist"))

    text = response.content.decode()
    assert response.status_code == 200
    assert full_values_in(text) == []
    assert "138****5678" in text
    assert "110105********002X" in text
    assert "台江区工业路****" in text


def test_the_case_and_visit_lists_show_the_resident_masked(staff_client, resident):
    make_case(resident=resident)

    cases = staff_client.get(reverse("admin:cases_case_changelist")).content.decode()

    assert full_values_in(cases) == []
    assert "王** 138****5678" in cases


def test_the_resident_page_masks_the_values_until_someone_asks_to_see_them(staff_client, resident):
    page = staff_client.get(reverse("admin:cases_resident_change", args=[resident.pk]))

    text = page.content.decode()
    assert full_values_in(text) == []
    assert reverse("admin:cases_resident_reveal", args=[resident.pk]) in text


def test_showing_in_full_needs_a_reason_and_is_logged_with_who_whose_when_and_why(
    staff_client, staff_user, resident
):
    url = reverse("admin:cases_resident_reveal", args=[resident.pk])
    refused = staff_client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert not PersonalDataAccess.objects.exists()

    response = staff_client.post(url, {"reason": "回电核实案件进展"}, REMOTE_ADDR="192.0.2.20")

    assert response.status_code == 302
    access = PersonalDataAccess.objects.get()
    assert (access.kind, access.user, access.username) == ("view", staff_user, "alice")
    assert access.resident == resident
    assert access.reason == "回电核实案件进展"
    assert access.remote_addr == "192.0.2.20"
    assert access.at is not None
    page = staff_client.get(reverse("admin:cases_resident_change", args=[resident.pk]))
    assert full_values_in(page.content.decode()) == [PHONE, ADDRESS, ID_NUMBER]


def test_the_full_view_ends_after_the_configured_minutes(
    staff_client, resident, settings, time_machine
):
    settings.PERSONAL_DATA_REVEAL_MINUTES = 10
    url = reverse("admin:cases_resident_reveal", args=[resident.pk])
    staff_client.post(url, {"reason": "核对身份"})

    time_machine.move_to(timezone.now() + timedelta(minutes=11))

    page = staff_client.get(reverse("admin:cases_resident_change", args=[resident.pk]))
    assert full_values_in(page.content.decode()) == []


def test_a_role_without_the_permission_cannot_ask_to_see_personal_data(client, viewer, resident):
    client.force_login(viewer)

    page = client.get(
        reverse("admin:cases_resident_change", args=[resident.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    asked = client.post(
        reverse("admin:cases_resident_reveal", args=[resident.pk]), {"reason": "好奇"}
    )

    assert page.status_code == 200
    assert full_values_in(page.content.decode()) == []
    assert "does not show residents" in page.content.decode()
    assert asked.status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_the_resident_export_is_masked_by_default(staff_client, resident):
    response = staff_client.post(
        reverse("admin:cases_resident_export"),
        {
            "format": CSV_FORMAT,
            "resource": "0",
            **{f"residentexportresource_{f}": "on" for f in EXPORT_FIELDS},
        },
    )

    text = response.getvalue().decode("utf-8-sig")
    assert response.status_code == 200
    assert full_values_in(text) == []
    assert "138****5678" in text and "110105********002X" in text
    assert not PersonalDataAccess.objects.exists()


def test_the_full_export_is_offered_only_with_its_permission(client, viewer, resident):
    viewer.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client.force_login(viewer)

    form = client.get(reverse("admin:cases_resident_export")).content.decode()
    forced = client.post(
        reverse("admin:cases_resident_export"),
        {
            "format": CSV_FORMAT,
            "resource": "1",
            **{f"residentfullexportresource_{f}": "on" for f in EXPORT_FIELDS},
        },
    )

    assert "in full" not in form
    assert full_values_in(forced.getvalue().decode("utf-8-sig", errors="replace")) == []
    assert not PersonalDataAccess.objects.exists()


def test_a_full_export_is_logged_with_who_and_how_many(staff_client, staff_user, resident):
    factories.make_resident()

    response = staff_client.post(
        reverse("admin:cases_resident_export"),
        {
            "format": CSV_FORMAT,
            "resource": "1",
            **{f"residentfullexportresource_{f}": "on" for f in EXPORT_FIELDS},
        },
    )

    text = response.getvalue().decode("utf-8-sig")
    assert full_values_in(text) == [PHONE, ADDRESS, ID_NUMBER]
    access = PersonalDataAccess.objects.get()
    assert (access.kind, access.user, access.rows) == ("export", staff_user, 2)
    assert access.resident is None


def test_the_access_log_is_read_only_in_the_admin(staff_client, staff_user, resident):
    staff_client.post(
        reverse("admin:cases_resident_reveal", args=[resident.pk]), {"reason": "核对"}
    )
    access = PersonalDataAccess.objects.get()

    listing = staff_client.get(reverse("admin:cases_personaldataaccess_changelist"))
    delete = staff_client.post(
        reverse("admin:cases_personaldataaccess_delete", args=[access.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert "核对" in listing.content.decode()
    assert full_values_in(listing.content.decode()) == []
    assert delete.status_code == 403
    assert PersonalDataAccess.objects.filter(pk=access.pk).exists()


def test_a_full_id_number_finds_the_resident_in_the_admin_search(staff_client, resident):
    factories.make_resident(name="李四")

    response = staff_client.get(reverse("admin:cases_resident_changelist"), {"q": ID_NUMBER})

    text = response.content.decode()
    assert "王小明" in text and "李四" not in text
