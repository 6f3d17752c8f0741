"""A resident ID number that no configured key opens shows as "无法解密", never as a 500."""

import pytest
from cryptography.fernet import Fernet

from cases.models import Resident
from talentoffice.crypto import Undecryptable
from tests.factories.base import make_resident

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def dropped_key_resident(db, settings):
    """A resident written under a key that was later dropped from PERSONAL_DATA_KEYS."""
    old = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [old]
    resident = make_resident(id_number=ID_NUMBER)
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    return resident, old


def test_the_admin_list_and_change_page_say_cannot_be_decrypted(
    client, staff_user, dropped_key_resident, django_assert_max_num_queries
):
    resident, _ = dropped_key_resident
    client.force_login(staff_user)

    with django_assert_max_num_queries(20):
        listing = client.get("/admin/cases/resident/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    change = client.get(
        f"/admin/cases/resident/{resident.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert listing.status_code == 200
    assert change.status_code == 200
    assert "无法解密" in listing.content.decode()
    assert "无法解密" in change.content.decode()


def test_in_english_it_says_cannot_be_decrypted(client, staff_user, dropped_key_resident):
    resident, _ = dropped_key_resident
    client.force_login(staff_user)

    page = client.get(f"/admin/cases/resident/{resident.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")

    assert "cannot be decrypted" in page.content.decode()


def test_saving_the_rest_of_the_row_keeps_the_number_for_when_the_key_comes_back(
    dropped_key_resident, settings
):
    resident, old = dropped_key_resident
    stored = Resident.objects.get(pk=resident.pk)
    assert isinstance(stored.id_number, Undecryptable)

    stored.name = "改过的名字"
    stored.save()
    settings.PERSONAL_DATA_KEYS = [*settings.PERSONAL_DATA_KEYS, old]

    recovered = Resident.objects.get(pk=resident.pk)
    assert recovered.id_number == ID_NUMBER
    assert recovered.id_number_hash == resident.id_number_hash
