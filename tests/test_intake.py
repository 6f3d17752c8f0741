"""Intake without duplicates: residents by phone, enterprises by credit code, and the public
request service that opens a case from the QR form."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from cases.choices import CaseEventKind, CaseSource, CaseState
from cases.intake import (
    find_or_create_enterprise,
    find_or_create_resident,
    submit_public_request,
)
from cases.models import Case, CaseEvent, Enterprise, Resident
from tests import factories


def run_in_thread(target, results, key):
    """Run target in a thread with its own database connection, keeping its result or error."""

    def body():
        try:
            results[key] = target()
        except BaseException as error:  # surfaced by the test's assertions
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def wait_for_a_lock_wait(waiting: threading.Thread, timeout=10.0) -> bool:
    """True once another session of the test database is blocked waiting for a lock."""
    if connection.vendor == "sqlite":
        # SQLite cannot say who waits: the winner holds its one write lock, so a thread still
        # running half a second later is waiting at BEGIN for the winner to commit.
        time.sleep(0.5)
        return waiting.is_alive()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


# --- residents by phone ----------------------------------------------------------------------


def test_the_same_phone_written_in_different_ways_is_one_resident(db):
    first, created = find_or_create_resident(name="王芳", phone="138 1234 5678")
    assert created
    assert first.phone == "13812345678"

    for written in ("+86 138-1234-5678", "0086 13812345678", "(138) 1234-5678", "13812345678"):
        again, created = find_or_create_resident(name="王芳", phone=written)
        assert not created, written
        assert again.pk == first.pk, written

    assert Resident.objects.count() == 1


def test_a_landline_written_internationally_matches_its_local_form(db):
    local, _created = find_or_create_resident(name="李强", phone="0591-8765 4321")
    international, created = find_or_create_resident(name="李强", phone="+86 591 8765 4321")

    assert not created
    assert international.pk == local.pk


def test_a_known_phone_with_the_same_name_joins_the_resident_and_keeps_it_as_it_is(db):
    community = factories.make_community()
    resident = factories.make_resident(name="王芳", phone="13812345678", address="工业路1号")

    found, created = find_or_create_resident(
        name=" 王 芳", phone="138 1234 5678", community=community, address="别处2号"
    )

    assert not created
    found.refresh_from_db()
    assert (found.pk, found.name, found.address, found.community_id) == (
        resident.pk,
        "王芳",
        "工业路1号",
        None,
    )


def test_a_known_phone_with_another_name_makes_a_new_record_flagged_for_staff(db):
    resident = factories.make_resident(name="王芳", phone="13812345678", address="工业路1号")

    found, created = find_or_create_resident(name="李四", phone="138 1234 5678", address="别处2号")

    assert created
    assert found.pk != resident.pk
    assert (found.name, found.phone, found.address, found.possible_duplicate_of_id) == (
        "李四",
        "13812345678",
        "别处2号",
        resident.pk,
    )
    resident.refresh_from_db()
    assert (resident.name, resident.address) == ("王芳", "工业路1号")


def test_the_same_stranger_typing_again_lands_on_the_flagged_record(db):
    resident = factories.make_resident(name="王芳", phone="13812345678")
    first, _created = find_or_create_resident(name="李四", phone="13812345678")

    again, created = find_or_create_resident(name="李四", phone="13812345678")
    other, other_created = find_or_create_resident(name="张三", phone="13812345678")

    assert (again.pk, created) == (first.pk, False)
    assert other_created and other.pk not in (first.pk, resident.pk)
    assert Resident.objects.filter(possible_duplicate_of=resident).count() == 2


def test_a_new_resident_keeps_the_details_given(db):
    community = factories.make_community()

    resident, created = find_or_create_resident(
        name=" 赵敏 ", phone="13900000001", community=community, address=" 上海路3号 "
    )

    assert created
    resident.refresh_from_db()
    assert (resident.name, resident.address, resident.community_id) == (
        "赵敏",
        "上海路3号",
        community.pk,
    )


@pytest.mark.parametrize("phone", ["1381234567", "23812345678", "call me", ""])
def test_a_malformed_phone_is_refused_and_nothing_is_saved(db, phone):
    with pytest.raises(ValidationError) as refused:
        find_or_create_resident(name="王芳", phone=phone)

    assert refused.value.code == "phone_format"
    with translation.override("en"):
        assert "11-digit mobile number" in " ".join(refused.value.messages)
    assert not Resident.objects.exists()


def test_a_new_resident_without_a_name_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        find_or_create_resident(name="  ", phone="13900000002")

    assert "name" in refused.value.message_dict
    assert not Resident.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_the_same_new_phone_at_once_make_one_resident():
    start = threading.Barrier(2)
    results = {}

    def request(phone):
        def body():
            start.wait(10)
            return find_or_create_resident(name="王芳", phone=phone)

        return body

    threads = [
        run_in_thread(request("138 0000 9999"), results, "a"),
        run_in_thread(request("+86 13800009999"), results, "b"),
    ]
    for thread in threads:
        thread.join(20)

    (resident_a, created_a), (resident_b, created_b) = results["a"], results["b"]
    assert resident_a.pk == resident_b.pk
    assert sorted([created_a, created_b]) == [False, True]
    assert Resident.objects.filter(phone="13800009999").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_request_that_loses_the_insert_race_takes_the_winners_resident():
    """Forces the race: our lookup misses a row the other request has not committed yet."""
    inserted, release = threading.Event(), threading.Event()
    results = {}

    def other_request():
        with transaction.atomic():
            winner = Resident.objects.create(name="王芳", phone="13800007777")
            inserted.set()
            release.wait(10)
        return winner.pk

    other = run_in_thread(other_request, results, "winner")
    assert inserted.wait(10)
    ours = run_in_thread(
        lambda: find_or_create_resident(name="王芳", phone="138-0000-7777"), results, "ours"
    )
    # Our insert is blocked on the unique index (on SQLite, on the write lock) until the winner
    # commits.
    blocked = wait_for_a_lock_wait(ours)
    release.set()
    other.join(20)
    ours.join(20)

    assert blocked
    resident, created = results["ours"]
    assert not created
    assert resident.pk == results["winner"]
    assert resident.name == "王芳"
    assert Resident.objects.count() == 1


# --- enterprises by credit code ----------------------------------------------------------------


def test_the_same_credit_code_in_any_case_and_spacing_is_one_enterprise(db):
    street = factories.make_street()
    code = factories.make_credit_code(4242)

    first, created = find_or_create_enterprise(
        name="福州某某科技有限公司", credit_code=code, street=street
    )
    assert created
    spaced = f" {code[:6].lower()} {code[6:12]} {code[12:].lower()} "
    again, created = find_or_create_enterprise(name="某某科技", credit_code=spaced, street=street)

    assert not created
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.name == "福州某某科技有限公司"
    assert Enterprise.objects.count() == 1


def test_a_credit_code_with_a_wrong_check_character_is_refused(db):
    code = factories.make_credit_code(4243)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    with pytest.raises(ValidationError) as refused:
        find_or_create_enterprise(name="某公司", credit_code=wrong, street=factories.make_street())

    assert refused.value.code == "credit_code_check"
    with translation.override("en"):
        assert "check character" in " ".join(refused.value.messages)
    assert not Enterprise.objects.exists()


def test_a_new_enterprise_keeps_its_contact_phone_normalized(db):
    enterprise, created = find_or_create_enterprise(
        name="某公司",
        credit_code=factories.make_credit_code(4244),
        street=factories.make_street(),
        contact_name="陈经理",
        contact_phone="+86 139 0000 0003",
    )

    assert created
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == "13900000003"


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_the_same_new_enterprise_at_once_make_one_row():
    street = factories.make_street()
    code = factories.make_credit_code(4245)
    start = threading.Barrier(2)
    results = {}

    def request(written):
        def body():
            start.wait(10)
            return find_or_create_enterprise(name="某公司", credit_code=written, street=street)

        return body

    threads = [
        run_in_thread(request(code), results, "a"),
        run_in_thread(request(code.lower()), results, "b"),
    ]
    for thread in threads:
        thread.join(20)

    (enterprise_a, created_a), (enterprise_b, created_b) = results["a"], results["b"]
    assert enterprise_a.pk == enterprise_b.pk
    assert sorted([created_a, created_b]) == [False, True]
    assert Enterprise.objects.count() == 1


# --- the public request service ------------------------------------------------------------------


@pytest.fixture
def point(db):
    return factories.make_service_point(name="上海街道人才助理服务点")


@pytest.fixture
def item(db):
    return factories.make_service_item(name="法律咨询", specialty="legal")


def test_a_public_request_opens_a_new_unassigned_case_with_its_created_event(point, item):
    case = submit_public_request(
        service_point=point,
        name="王芳",
        phone="138 1234 5678",
        description="房屋征收补偿款迟迟未到账\n想咨询怎么办",
        service_item=item,
    )

    case.refresh_from_db()
    assert case.source == CaseSource.PUBLIC_FORM
    assert case.state == CaseState.NEW
    assert case.lead is None
    assert case.service_point == point
    assert case.service_item == item
    assert case.resident.phone == "13812345678"
    assert case.title == "房屋征收补偿款迟迟未到账"
    assert case.created_by is None
    assert list(case.events.values_list("kind", "to_state", "actor")) == [
        (CaseEventKind.CREATED, CaseState.NEW, None)
    ]


def test_a_public_request_from_a_known_phone_under_another_name_keeps_the_record_apart(point, item):
    resident = factories.make_resident(name="王芳", phone="13812345678", address="工业路1号")

    case = submit_public_request(
        service_point=point,
        name="王小芳",
        phone="13812345678",
        description="贷款咨询",
        service_item=item,
    )

    assert case.resident_id != resident.pk
    assert case.resident.name == "王小芳"
    assert case.resident.possible_duplicate_of_id == resident.pk
    resident.refresh_from_db()
    assert (resident.name, resident.address, resident.community_id) == ("王芳", "工业路1号", None)
    assert case.description == "贷款咨询"


def test_a_public_request_from_a_known_resident_notes_another_community(point, item, settings):
    settings.LANGUAGE_CODE = "en"  # the notes are written in the district's language
    resident = factories.make_resident(name="王芳", phone="13812345678", address="工业路1号")
    community = factories.make_community()

    # The resident's browser language does not decide the language of notes for staff.
    with translation.override("zh-hans"):
        case = submit_public_request(
            service_point=point,
            name="王芳",
            phone="13812345678",
            community=community,
            description="贷款咨询",
            service_item=item,
        )

    assert case.resident_id == resident.pk
    assert f"Community given on the public form: {community}" in case.description
    assert case.description.startswith("贷款咨询")


def test_a_title_made_from_a_request_never_holds_a_phone_or_id_number(point, item):
    case = submit_public_request(
        service_point=point,
        name="王芳",
        phone="13812345678",
        description="请回电13912345678，身份证350102199003071234\n详情",
        service_item=item,
    )

    assert case.title == "请回电139****5678，身份证350102********1234"


def test_a_public_request_from_a_known_phone_with_the_same_name_adds_no_note(point, item):
    factories.make_resident(name="王芳", phone="13812345678")

    case = submit_public_request(
        service_point=point,
        name="王芳",
        phone="13812345678",
        description="贷款咨询",
        service_item=item,
    )

    assert case.description == "贷款咨询"


def test_a_long_first_line_is_cut_for_the_title(point, item):
    case = submit_public_request(
        service_point=point,
        name="王芳",
        phone="13812345678",
        description="长" * 80,
        service_item=item,
    )

    assert len(case.title) == 40
    assert case.title.endswith("…")
    assert case.description == "长" * 80


def test_a_public_request_that_names_only_a_category_asks_staff_to_check_the_item(
    point, item, settings
):
    settings.LANGUAGE_CODE = "en"
    with translation.override("zh-hans"):
        case = submit_public_request(
            service_point=point,
            name="王芳",
            phone="13812345678",
            description="不知道属于哪一项",
            service_item=item,
            category_only=True,
        )

    assert f"chose only the category “{item.category.name}”" in case.description


def test_a_public_request_with_a_malformed_phone_saves_nothing(point, item):
    with pytest.raises(ValidationError):
        submit_public_request(
            service_point=point, name="王芳", phone="12345", description="咨询", service_item=item
        )

    assert not Resident.objects.exists()
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_public_request_without_a_description_saves_nothing(point, item):
    with pytest.raises(ValidationError) as refused:
        submit_public_request(
            service_point=point,
            name="王芳",
            phone="13812345678",
            description="  ",
            service_item=item,
        )

    assert "description" in refused.value.message_dict
    assert not Resident.objects.exists()
    assert not Case.objects.exists()
