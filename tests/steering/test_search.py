"""The staff's global search: hits grouped by kind and scoped to the viewer, phones found only
whole, bad queries answered clearly, a fixed number of queries, and the trigram index on
PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Case
from steering import search
from talentoffice import roles
from tests import factories
from tests.factories.assign import make_case
from tests.factories.roles import make_login


@pytest.fixture
def found(db):
    east = factories.make_street(name="东街")
    west = factories.make_street(name="西街")
    east_point = factories.make_service_point(street=east, name="东街征收服务点")
    west_point = factories.make_service_point(street=west, name="西街服务点")
    item = factories.make_service_item(name="法律咨询")
    return {
        "east_case": make_case(
            title="房屋征收补偿咨询", service_item=item, service_point=east_point
        ),
        "west_case": make_case(title="征收安置协议", service_item=item, service_point=west_point),
        "other_case": make_case(title="创业贷款", service_item=item, service_point=east_point),
        "enterprise": factories.make_enterprise(name="福州征收咨询有限公司", street=east),
        "assistant": factories.make_assistant(name="王征", phone="13900001234"),
        "resident": factories.make_resident(name="李征收", phone="13812345678"),
        "east": east,
    }


def groups_of(client, q):
    response = client.get(reverse("steering:search"), {"q": q})
    assert response.status_code == 200
    return response, {group.key: group for group in response.context["groups"]}


def test_staff_find_every_kind_by_two_chinese_characters(client, staff_user, found):
    client.force_login(staff_user)
    response, groups = groups_of(client, "征收")
    cases = [hit.label for hit in groups["cases"].hits]
    assert sorted(cases) == sorted(
        [
            f"{found['east_case'].number} 房屋征收补偿咨询",
            f"{found['west_case'].number} 征收安置协议",
        ]
    )
    assert [hit.label for hit in groups["enterprises"].hits] == ["福州征收咨询有限公司"]
    assert [hit.label for hit in groups["points"].hits] == ["东街征收服务点"]
    assert [hit.label for hit in groups["residents"].hits] == ["李征收"]
    assert groups["assistants"].hits == []
    # The resident's phone is masked as on the resident list.
    assert "138****5678" in response.text and "13812345678" not in response.text
    assert reverse("admin:cases_case_change", args=[found["east_case"].pk]) in response.text


def test_a_case_is_found_by_its_number_and_an_enterprise_by_its_credit_code(
    client, staff_user, found
):
    client.force_login(staff_user)
    _response, groups = groups_of(client, found["other_case"].number)
    assert [hit.url for hit in groups["cases"].hits] == [
        reverse("admin:cases_case_change", args=[found["other_case"].pk])
    ]
    _response, groups = groups_of(client, found["enterprise"].credit_code[:10])
    assert len(groups["enterprises"].hits) == 1


def test_an_assistant_is_found_by_the_whole_phone_only(client, staff_user, found):
    client.force_login(staff_user)
    _response, groups = groups_of(client, "139 0000 1234")
    assert [hit.label for hit in groups["assistants"].hits] == ["王征"]
    _response, groups = groups_of(client, "00001234")
    assert groups["assistants"].hits == []


def test_a_street_coordinator_finds_only_their_streets_cases_and_no_register(client, found):
    coordinator = make_login("erin", roles.STREET_COORDINATOR, street=found["east"])
    client.force_login(coordinator)
    _response, groups = groups_of(client, "征收")
    assert [hit.label for hit in groups["cases"].hits] == [
        f"{found['east_case'].number} 房屋征收补偿咨询"
    ]
    assert groups["enterprises"].hits == [] and groups["residents"].hits == []


def test_each_kind_is_cut_at_its_limit_and_says_there_is_more(
    client, staff_user, found, monkeypatch
):
    monkeypatch.setattr(search, "PER_KIND", 1)
    client.force_login(staff_user)
    _response, groups = groups_of(client, "征收")
    assert len(groups["cases"].hits) == 1 and groups["cases"].more
    assert not groups["enterprises"].more


def test_a_search_runs_one_query_per_kind(client, staff_user, found, django_assert_num_queries):
    client.force_login(staff_user)
    # session, user, then one query per kind
    with django_assert_num_queries(2 + len(search.KINDS)):
        client.get(reverse("steering:search"), {"q": "征收"})


@pytest.mark.parametrize(
    ("q", "answer"),
    [
        ("征", "请至少输入2个字符"),
        ("征" * 500, "搜索内容最多100个字符"),
        ("征收\x01", "控制字符"),
    ],
)
def test_a_query_the_search_does_not_run_is_answered_with_a_hint(client, staff_user, q, answer):
    client.force_login(staff_user)
    response = client.get(reverse("steering:search"), {"q": q})
    assert response.status_code == 200
    assert answer in response.context["refused"]
    assert response.context["groups"] == []


def test_a_nul_byte_is_refused_by_the_sites_bad_input_answer_not_a_server_error(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("steering:search"), {"q": "征收\x00"})
    assert response.status_code == 400
    assert "NUL" in response.text


def test_sql_like_text_is_searched_as_text(client, staff_user, found):
    client.force_login(staff_user)
    response, groups = groups_of(client, "' OR 1=1; DROP TABLE cases_case; --")
    assert not any(group.hits for group in groups.values())
    assert "未找到结果" in response.text
    assert Case.objects.count() == 3


@pytest.mark.postgresql_only(reason="the trigram index and EXPLAIN's plan are PostgreSQL's")
def test_on_postgresql_a_two_character_title_search_uses_the_trigram_index(staff_user, found):
    queryset = search.case_hits(staff_user, "征收")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Three cases are too few for the planner to prefer an index to reading the table, and
        # a walk of another index would do for so few too. Two characters hold no whole
        # trigram, so the GIN index is read in full (still far less than the table); three or
        # more characters pick out their rows through it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_case_title_trgm" in plan, plan
    assert len(list(queryset)) == 2
