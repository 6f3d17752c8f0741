"""The database refuses bad rows written past full_clean(); full_clean() names the right field.

Every bad write here goes through the ORM without validation (create, bulk_create, update), as
an import script or a careless shell session would, and must still be refused by the database.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction

from assistants.models import Assistant, Dispatch, ServicePoint
from cases.models import Resident
from partners.models import Agreement, Partner
from tests import factories

VALID_CODE = "91350100M000100Y43"


# Partners


@pytest.mark.parametrize(
    "code",
    [VALID_CODE[:17], VALID_CODE[:17] + "!", "91350100I000100Y43", "", "9135 0100M000100Y4"],
    ids=["too-short", "punctuation", "forbidden-letter", "empty", "short-once-spaces-go"],
)
def test_the_database_refuses_a_partner_with_a_malformed_credit_code(db, code):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_partner(credit_code=code)


def test_the_database_refuses_a_malformed_credit_code_written_by_an_update(partner_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.filter(pk=partner_a.pk).update(credit_code="not-a-code")


def test_saving_without_full_clean_still_stores_the_normalized_credit_code(db):
    # CharField.get_prep_value() runs to_python(), so the ORM normalizes every write.
    partner = factories.make_partner(credit_code=" 91350100m000100y43 ")
    assert Partner.objects.values_list("credit_code", flat=True).get(pk=partner.pk) == VALID_CODE


def test_the_database_refuses_a_lowercase_credit_code_written_in_raw_sql(partner_a):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        # A code with letters in it: LOWER() of an all-digit code would change nothing.
        cursor.execute(
            "UPDATE partners_partner SET credit_code = %s WHERE id = %s",
            ["91350100m000100y43", partner_a.pk],
        )


def test_the_database_checks_only_the_shape_of_a_credit_code_not_its_check_character(db):
    # The check character is the validator's job; the database guards the shape.
    partner = factories.make_partner(credit_code=VALID_CODE[:17] + "0")
    assert partner.pk is not None


def test_the_database_refuses_a_second_partner_with_the_same_credit_code(db):
    factories.make_partner(credit_code=VALID_CODE)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_partner(credit_code=VALID_CODE)


def test_the_database_refuses_a_partner_name_that_differs_only_in_case(db):
    factories.make_partner(name="Strait Bank", short_name="Strait")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_partner(name="STRAIT bank", short_name="Strait 2")


def test_the_database_refuses_a_partner_short_name_that_differs_only_in_case(db):
    factories.make_partner(name="Strait Bank", short_name="Strait")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_partner(name="Strait Bank of Fujian", short_name="STRAIT")


def test_the_database_refuses_bulk_created_partners_with_the_same_name(db):
    partners = [
        Partner(
            name=name,
            short_name=short_name,
            sector="finance",
            kind="bank",
            credit_code=factories.make_credit_code(),
        )
        for name, short_name in [("Min Bank", "Min"), ("min bank", "Min 2")]
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.bulk_create(partners)


@pytest.mark.parametrize(
    ("kind", "sector"),
    [("bank", "legal"), ("insurer", "legal"), ("securities", "legal"), ("law_firm", "finance")],
)
def test_the_database_refuses_a_partner_whose_kind_does_not_belong_to_its_sector(db, kind, sector):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_partner(kind=kind, sector=sector)


@pytest.mark.parametrize("sector", ["finance", "legal"])
def test_the_database_accepts_an_other_kind_of_partner_in_either_sector(db, sector):
    assert factories.make_partner(kind="other", sector=sector).pk is not None


def test_the_database_refuses_an_unknown_sector(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_partner(kind="other", sector="insurance")


def test_the_database_refuses_an_agreement_that_ends_before_it_starts(partner_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_agreement(
            partner=partner_a, starts_on=date(2025, 1, 10), ends_on=date(2025, 1, 9)
        )


def test_the_database_accepts_an_agreement_that_ends_on_the_day_it_starts_or_never(partner_a):
    factories.make_agreement(
        partner=partner_a, starts_on=date(2025, 1, 10), ends_on=date(2025, 1, 10)
    )
    factories.make_agreement(partner=partner_a, starts_on=date(2025, 1, 10), ends_on=None)
    assert Agreement.objects.filter(partner=partner_a).count() == 2


# Assistants


@pytest.mark.parametrize(
    "phone",
    ["059187654321", "1381234567", "12812345678", "+86 12812345678", "138.1234.5678", ""],
    ids=["landline", "ten-digits", "starts-with-12", "country-code-then-12", "dots", "empty"],
)
def test_the_database_refuses_an_assistant_with_a_malformed_mobile(partner_a, phone):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_assistant(partner=partner_a, phone=phone)


def test_saving_an_assistant_without_full_clean_still_stores_the_bare_mobile(partner_a):
    assistant = factories.make_assistant(partner=partner_a, phone="+86 138-0000-0007")
    stored = Assistant.objects.values_list("phone", flat=True).get(pk=assistant.pk)
    assert stored == "13800000007"


def test_the_database_refuses_a_mobile_written_in_raw_sql_with_hyphens(assistant):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assistants_assistant SET phone = %s WHERE id = %s",
            ["138-0000-0007", assistant.pk],
        )


def test_the_database_refuses_a_second_assistant_with_the_same_phone(partner_a):
    factories.make_assistant(partner=partner_a, phone="13800000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_assistant(partner=partner_a, phone="13800000001")
    # Written differently, the same number is the same number once normalized.
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_assistant(partner=partner_a, phone="+86 138 0000 0001")


def test_the_database_refuses_a_second_assistant_with_the_same_licence_number(partner_b):
    factories.make_assistant(partner=partner_b, licence_number="13501201010000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_assistant(partner=partner_b, licence_number="13501201010000001")


def test_the_database_accepts_many_assistants_without_a_licence_number(partner_a, partner_b):
    factories.make_assistant(partner=partner_a, licence_number="")
    factories.make_assistant(partner=partner_a, licence_number="")
    factories.make_assistant(partner=partner_b, licence_number="")
    assert Assistant.objects.filter(licence_number="").count() == 3


# Eighteen digits are stopped by the column's length (a DataError on PostgreSQL) before the check.
@pytest.mark.parametrize("number", ["1350120101000000", "1350120101000000X", "13501-20101000000"])
def test_the_database_refuses_a_malformed_licence_number(partner_b, number):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_assistant(partner=partner_b, licence_number=number)


# Dispatches


@pytest.fixture
def point(db):
    return factories.make_service_point(name="台江区工业路社区服务点")


@pytest.fixture
def other_point(db):
    return factories.make_service_point(name="台江区人才之家")


def test_the_database_refuses_a_dispatch_that_ends_before_it_starts(assistant, point):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_dispatch(
            assistant=assistant,
            service_point=point,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 2, 28),
        )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 3, 1), date(2026, 6, 30))),
        ((date(2026, 3, 1), date(2026, 6, 30)), (date(2026, 1, 1), date(2026, 3, 31))),
        ((date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 4, 1), date(2026, 4, 30))),
        ((date(2026, 4, 1), date(2026, 4, 30)), (date(2026, 1, 1), date(2026, 12, 31))),
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 3, 31))),
        # Both ends are inclusive: a dispatch starting on the day another ends overlaps it.
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 3, 31), date(2026, 6, 30))),
    ],
    ids=["later-overlap", "earlier-overlap", "inside", "around", "identical", "shared-day"],
)
def test_the_database_refuses_overlapping_dispatches_of_one_assistant_at_one_point(
    assistant, point, first, second
):
    factories.make_dispatch(
        assistant=assistant, service_point=point, starts_on=first[0], ends_on=first[1]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_dispatch(
            assistant=assistant, service_point=point, starts_on=second[0], ends_on=second[1]
        )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((date(2026, 1, 1), None), (date(2027, 5, 1), date(2027, 5, 31))),
        ((date(2026, 1, 1), None), (date(2025, 6, 1), date(2026, 1, 1))),
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 2, 1), None)),
        ((date(2026, 5, 1), date(2026, 5, 31)), (date(2025, 1, 1), None)),
        ((date(2026, 1, 1), None), (date(2027, 1, 1), None)),
    ],
    ids=[
        "inside-open-ended",
        "ending-on-open-ended-start",
        "open-ended-starting-inside",
        "open-ended-starting-before",
        "both-open-ended",
    ],
)
def test_the_database_refuses_overlaps_with_open_ended_dispatches(assistant, point, first, second):
    factories.make_dispatch(
        assistant=assistant, service_point=point, starts_on=first[0], ends_on=first[1]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_dispatch(
            assistant=assistant, service_point=point, starts_on=second[0], ends_on=second[1]
        )


def test_the_database_accepts_a_dispatch_starting_the_day_after_the_previous_one_ends(
    assistant, point
):
    factories.make_dispatch(
        assistant=assistant,
        service_point=point,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
    )
    factories.make_dispatch(
        assistant=assistant, service_point=point, starts_on=date(2026, 4, 1), ends_on=None
    )
    assert Dispatch.objects.filter(assistant=assistant, service_point=point).count() == 2


def test_the_database_accepts_the_same_period_at_a_different_point(assistant, point, other_point):
    for service_point in (point, other_point):
        factories.make_dispatch(
            assistant=assistant, service_point=service_point, starts_on=date(2026, 1, 1)
        )
    assert Dispatch.objects.filter(assistant=assistant).count() == 2


def test_the_database_accepts_the_same_period_for_another_assistant_at_the_same_point(
    assistant, second_assistant, point
):
    for someone in (assistant, second_assistant):
        factories.make_dispatch(assistant=someone, service_point=point, starts_on=date(2026, 1, 1))
    assert Dispatch.objects.filter(service_point=point).count() == 2


def test_the_database_refuses_an_update_that_makes_two_dispatches_overlap(assistant, point):
    factories.make_dispatch(
        assistant=assistant,
        service_point=point,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
    )
    later = factories.make_dispatch(
        assistant=assistant,
        service_point=point,
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 6, 30),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.filter(pk=later.pk).update(starts_on=date(2026, 3, 15))


def test_the_database_refuses_an_update_that_moves_a_dispatch_onto_another_at_a_new_point(
    assistant, point, other_point
):
    factories.make_dispatch(assistant=assistant, service_point=point, starts_on=date(2026, 1, 1))
    elsewhere = factories.make_dispatch(
        assistant=assistant, service_point=other_point, starts_on=date(2026, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.filter(pk=elsewhere.pk).update(service_point=point)


def test_the_database_lets_a_dispatch_be_changed_without_clashing_with_itself(assistant, point):
    dispatch = factories.make_dispatch(
        assistant=assistant, service_point=point, starts_on=date(2026, 1, 1)
    )
    Dispatch.objects.filter(pk=dispatch.pk).update(ends_on=date(2026, 6, 30))
    dispatch.refresh_from_db()
    dispatch.note = "轮换到人才之家"
    dispatch.starts_on = date(2026, 2, 1)
    dispatch.save()
    dispatch.refresh_from_db()
    assert (dispatch.starts_on, dispatch.ends_on) == (date(2026, 2, 1), date(2026, 6, 30))


def test_the_database_refuses_overlapping_dispatches_created_in_one_bulk_insert(assistant, point):
    dispatches = [
        Dispatch(assistant=assistant, service_point=point, starts_on=date(2026, 1, 1)),
        Dispatch(assistant=assistant, service_point=point, starts_on=date(2026, 6, 1)),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.bulk_create(dispatches)
    assert not Dispatch.objects.exists()


# Service points


@pytest.mark.parametrize(
    "coordinates",
    [{"latitude": Decimal("26.052100")}, {"longitude": Decimal("119.310200")}],
    ids=["latitude-only", "longitude-only"],
)
def test_the_database_refuses_a_service_point_with_half_its_coordinates(db, coordinates):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_service_point(**coordinates)


def test_the_database_accepts_a_service_point_with_both_coordinates_or_neither(db):
    factories.make_service_point(latitude=Decimal("26.052100"), longitude=Decimal("119.310200"))
    factories.make_service_point()
    assert ServicePoint.objects.count() == 2


@pytest.mark.parametrize(
    "coordinates",
    [
        {"latitude": Decimal("90.000001"), "longitude": Decimal("119.3")},
        {"latitude": Decimal("26.05"), "longitude": Decimal("-180.000001")},
    ],
    ids=["latitude", "longitude"],
)
def test_the_database_refuses_coordinates_out_of_range(db, coordinates):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_service_point(**coordinates)


# Enterprises, residents and the service checklist


@pytest.mark.parametrize("code", [VALID_CODE[:17], VALID_CODE[:17] + "!", "91350100O000100Y43"])
def test_the_database_refuses_an_enterprise_with_a_malformed_credit_code(db, code):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_enterprise(credit_code=code)


def test_the_database_refuses_an_enterprise_with_a_malformed_contact_phone(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_enterprise(contact_phone="12812345678")


def test_the_database_accepts_an_enterprise_without_a_contact_phone(db):
    assert factories.make_enterprise(contact_phone="").pk is not None


@pytest.mark.parametrize(
    "phone",
    ["1381234567", "12812345678", "591-87654321", "+86 12 3456", ""],
    ids=["ten-digits", "starts-with-12", "landline-without-zero", "country-code-garbage", "empty"],
)
def test_the_database_refuses_a_resident_with_a_malformed_phone(db, phone):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_resident(phone=phone)


def test_the_database_accepts_a_resident_with_a_landline(db):
    assert factories.make_resident(phone="059187654321").pk is not None


def test_the_database_refuses_a_second_resident_with_the_same_phone(db):
    factories.make_resident(phone="13900000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_resident(phone="13900000001")


def test_the_database_refuses_a_phone_written_by_an_update_on_residents(db):
    resident = factories.make_resident()
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.filter(pk=resident.pk).update(phone="12345")


@pytest.mark.parametrize("field", ["target_days", "follow_up_days"])
def test_the_database_refuses_a_service_item_with_zero_days(db, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_service_item(**{field: 0})


# full_clean() puts the friendly message on the field concerned


def error_dict_of(instance):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.error_dict


def test_full_clean_puts_a_kind_and_sector_mismatch_on_the_sector(db):
    partner = Partner(
        name="Strait Bank",
        short_name="Strait",
        kind="bank",
        sector="legal",
        credit_code=VALID_CODE,
    )
    errors = error_dict_of(partner)
    assert set(errors) == {"sector"}


def test_full_clean_normalizes_and_accepts_a_pasted_lowercase_credit_code(db):
    partner = Partner(
        name="Strait Bank",
        short_name="Strait",
        kind="bank",
        sector="finance",
        credit_code=" 91350100m000100y43 ",
    )
    partner.full_clean()
    assert partner.credit_code == VALID_CODE


def test_full_clean_puts_a_wrong_credit_code_check_character_on_the_credit_code(db):
    partner = Partner(
        name="Strait Bank",
        short_name="Strait",
        kind="bank",
        sector="finance",
        credit_code=VALID_CODE[:17] + "0",
    )
    errors = error_dict_of(partner)
    assert set(errors) == {"credit_code"}
    assert errors["credit_code"][0].code == "credit_code_check"


def test_full_clean_puts_a_specialty_that_differs_from_the_partners_sector_on_the_specialty(
    partner_a,
):
    assistant = Assistant(
        name="林博", partner=partner_a, specialty="legal", phone=factories.make_mobile()
    )
    errors = error_dict_of(assistant)
    assert set(errors) == {"specialty"}


def test_full_clean_puts_a_licence_number_on_a_finance_assistant_on_the_licence_number(
    partner_a,
):
    assistant = Assistant(
        name="林博",
        partner=partner_a,
        specialty="finance",
        phone=factories.make_mobile(),
        licence_number=factories.make_licence_number(),
    )
    errors = error_dict_of(assistant)
    assert set(errors) == {"licence_number"}


def test_full_clean_accepts_a_legal_assistant_with_a_licence_number(partner_b):
    assistant = Assistant(
        name="陈诚",
        partner=partner_b,
        specialty="legal",
        phone="+86 138-0000-0042",
        licence_number=factories.make_licence_number(),
    )
    assistant.full_clean()
    assert assistant.phone == "13800000042"


def test_full_clean_reports_an_overlapping_dispatch_as_a_non_field_error(assistant, point):
    factories.make_dispatch(
        assistant=assistant,
        service_point=point,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
    )
    clash = Dispatch(assistant=assistant, service_point=point, starts_on=date(2026, 6, 30))
    errors = error_dict_of(clash)
    assert set(errors) == {NON_FIELD_ERRORS}
    assert [error.code for error in errors[NON_FIELD_ERRORS]] == ["dispatch_overlap"]


def test_full_clean_does_not_count_a_dispatch_as_overlapping_itself(assistant, point):
    dispatch = factories.make_dispatch(
        assistant=assistant, service_point=point, starts_on=date(2026, 1, 1)
    )
    dispatch.ends_on = date(2026, 12, 31)
    dispatch.full_clean()


def test_full_clean_accepts_a_dispatch_starting_the_day_after_the_previous_one_ends(
    assistant, point
):
    factories.make_dispatch(
        assistant=assistant,
        service_point=point,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
    )
    Dispatch(assistant=assistant, service_point=point, starts_on=date(2026, 7, 1)).full_clean()


def test_full_clean_puts_a_dispatch_ending_before_it_starts_on_the_end(assistant, point):
    dispatch = Dispatch(
        assistant=assistant,
        service_point=point,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 2, 28),
    )
    errors = error_dict_of(dispatch)
    assert set(errors) == {"ends_on"}


def test_full_clean_puts_a_community_of_another_street_on_the_community(db):
    street = factories.make_street(name="茶亭街道")
    elsewhere = factories.make_community(name="工业路社区", street=factories.make_street())
    service_point = ServicePoint(
        name="茶亭服务点",
        kind="community_point",
        street=street,
        community=elsewhere,
        address="台江区工业路1号",
    )
    errors = error_dict_of(service_point)
    assert set(errors) == {"community"}


def test_full_clean_puts_an_agreement_ending_before_it_starts_on_the_end(partner_a):
    agreement = Agreement(
        partner=partner_a,
        title="战略合作协议",
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 10),
        ends_on=date(2025, 1, 9),
    )
    errors = error_dict_of(agreement)
    assert set(errors) == {"ends_on"}
