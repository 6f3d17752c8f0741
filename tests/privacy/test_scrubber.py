"""Free text loses the personal numbers typed into it: phones, landlines, ID numbers, bank cards
and e-mail addresses, wherever they sit in a Chinese sentence."""

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.models import Case, Visit
from talentoffice.masking import (
    CARD_PATTERN,
    EMAIL_PATTERN,
    ID_NUMBER_PATTERN,
    LANDLINE_PATTERN,
    MOBILE_PATTERN,
    scrub,
)
from talentoffice.validators import id_number_check_digit
from tests.api.conftest import api_a, build_world, key_a, world_a  # noqa: F401

CHINESE = st.text(
    alphabet=st.sampled_from("请回电身份证号码卡邮箱谢谢工资拖欠街道社区，。：、（）"), max_size=12
)


def digit_string(n):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


mobiles = st.builds(
    lambda second, rest: "1" + second + rest, st.sampled_from("3456789"), digit_string(9)
)
landlines = st.builds(
    lambda area, number, sep: f"0{area}{sep}{number}",
    digit_string(2) | digit_string(3),
    digit_string(8) | digit_string(7),
    st.sampled_from(["", "-", " "]),
)
id_numbers = st.builds(
    lambda first17: first17 + id_number_check_digit(first17),
    st.builds(
        lambda region, year, month, day, seq: f"{region}{year}{month:02d}{day:02d}{seq}",
        digit_string(6).filter(lambda r: r[0] != "0"),
        st.integers(min_value=1900, max_value=2025),
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=1, max_value=28),
        digit_string(3),
    ),
)
cards = st.integers(min_value=16, max_value=19).flatmap(digit_string)
emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10),
    st.sampled_from(["com", "cn", "com.cn", "org", "net"]),
)
secrets = st.one_of(mobiles, landlines, id_numbers, cards, emails)


# Between two values at least one character: two numbers typed with nothing between are one.
SEPARATOR = CHINESE.filter(bool)


def embedded(values):
    return st.tuples(CHINESE, values, SEPARATOR, values, CHINESE).map(
        lambda parts: (parts[1], parts[3], "".join(parts))
    )


@settings(max_examples=300)
@given(embedded(secrets))
def test_no_generated_number_or_address_survives_the_scrubber(case):
    first, second, text = case
    cleaned = scrub(text)
    assert first not in cleaned
    assert second not in cleaned
    for pattern in (MOBILE_PATTERN, LANDLINE_PATTERN, ID_NUMBER_PATTERN, CARD_PATTERN):
        assert not pattern.search(cleaned), cleaned
    assert all("*" in m.group(0) for m in EMAIL_PATTERN.finditer(cleaned)), cleaned


@given(st.text(alphabet=st.sampled_from("请回电工资拖欠街道社区，。号楼室第年月日"), max_size=40))
def test_text_without_numbers_is_left_as_it_is(text):
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "请回电13912345678，身份证350102199003071234",
            "请回电139****5678，身份证350102********1234",
        ),
        ("身份证11010519491231002x。", "身份证110105********002x。"),
        ("电话：0591-87654321", "电话：059*****4321"),
        ("卡号6222 0212 3456 7890", "卡号************7890"),
        ("邮箱zhang.san@example.com联系", "邮箱z***@example.com联系"),
        ("手机１３９１２３４５６７８", "手机139****5678"),
        ("2026年3月7日第3号楼502室", "2026年3月7日第3号楼502室"),
    ],
)
def test_the_scrubber_masks_each_kind_the_way_its_field_is_masked(text, expected):
    assert scrub(text) == expected


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_a_partner_reads_no_phone_or_id_number_in_a_case_title_or_visit_note(api_a, world_a):  # noqa: F811
    phone, id_number = "13912345678", "350102199003071234"
    text = f"请回电{phone}，身份证{id_number}"
    Case.objects.filter(pk=world_a["case"].pk).update(title=text[:40], description=text)
    Visit.objects.filter(pk=world_a["visit"].pk).update(notes=text)

    bodies = [
        api_a.get("/api/v1/cases/").content.decode(),
        api_a.get(f"/api/v1/cases/{world_a['case'].pk}/").content.decode(),
        api_a.get("/api/v1/visits/").content.decode(),
        api_a.get(f"/api/v1/visits/{world_a['visit'].pk}/").content.decode(),
    ]

    for body in bodies:
        assert phone not in body
        assert id_number not in body
    assert "139****5678" in bodies[1]


@pytest.mark.django_db
def test_the_default_export_of_cases_scrubs_titles_and_descriptions(world_a):  # noqa: F811
    from django.contrib import admin as django_admin

    case = world_a["case"]
    text = "请回电13912345678，身份证350102199003071234"
    Case.objects.filter(pk=case.pk).update(title=text[:40], description=text)
    model_admin = django_admin.site.get_model_admin(Case)
    [resource_class] = model_admin.get_export_resource_classes(None)[:1]

    rows = list(resource_class().export_rows(Case.objects.filter(pk=case.pk)))

    flat = " ".join(str(cell) for row in rows for cell in row)
    assert "13912345678" not in flat and "350102199003071234" not in flat
    assert "139****5678" in flat


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_no_generated_number_reaches_the_api_the_partners_pages_or_the_default_exports(
    api_a,  # noqa: F811
    world_a,  # noqa: F811
    client,
    partner_a_manager,
):
    from django.contrib import admin as django_admin
    from hypothesis import HealthCheck

    case, visit = world_a["case"], world_a["visit"]
    client.force_login(partner_a_manager)
    resources = [
        (django_admin.site.get_model_admin(model).get_export_resource_classes(None)[0], queryset)
        for model, queryset in (
            (Case, Case.objects.filter(pk=case.pk)),
            (Visit, Visit.objects.filter(pk=visit.pk)),
        )
    ]

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(embedded(secrets))
    def nothing_typed_comes_back(example):
        first, second, text = example
        Case.objects.filter(pk=case.pk).update(title=text[:150], description=text)
        Visit.objects.filter(pk=visit.pk).update(notes=text)
        bodies = [
            api_a.get(f"/api/v1/cases/{case.pk}/").content.decode(),
            api_a.get("/api/v1/cases/").content.decode(),
            api_a.get(f"/api/v1/visits/{visit.pk}/").content.decode(),
            # The partner manager's own pages: the API as the browser shows it.
            client.get(f"/api/v1/cases/{case.pk}/", HTTP_ACCEPT="text/html").content.decode(),
            client.get("/api/v1/visits/", HTTP_ACCEPT="text/html").content.decode(),
        ]
        for resource_class, queryset in resources:
            rows = resource_class().export_rows(queryset)
            bodies.append(" ".join(str(cell) for row in rows for cell in row))
        for body in bodies:
            assert first not in body, (first, text)
            assert second not in body, (second, text)

    nothing_typed_comes_back()
