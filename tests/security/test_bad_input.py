"""Input nobody types on purpose answers a 400 (or 429), never a server error: a NUL character in
a search, filter, form or path; JSON nested thousands deep; a visit in year 0001; an admin
`__regex` filter with a broken pattern; a burst of wrong API keys."""

from datetime import date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import DataError, OperationalError, connection, transaction
from django.db.utils import ConnectionHandler
from django.test import Client, override_settings
from django.utils import timezone

from assistants.forms import ShiftAdminForm
from cases.models import Case, Visit
from partner_api.parsers import MAX_DEPTH, json_depth
from partners.services import create_api_key
from talentoffice.bad_input import is_bad_input_error
from tests.api.conftest import build_world, client_with_key


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Failed-key counters live in the (process-memory) cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def phone(assistant):
    """The assistant's phone, logged in to /m/."""
    client = Client()
    client.force_login(assistant.user)
    return client


@pytest.fixture
def world(partner_a, assistant):
    return build_world(partner_a, assistant, resident_name="王小明", resident_phone="13812345678")


@pytest.fixture
def api(partner_a, world):
    return client_with_key(create_api_key(partner=partner_a, name="HR system")[1])


def visit_body(world, **overrides):
    return {
        "assistant": world["assistant"].pk,
        "kind": "consultation",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "duration_minutes": 45,
        "service_point": world["service_point"].pk,
    } | overrides


# --- NUL characters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/case/?number=%00",
        "/admin/cases/case/?title__contains=%00",
        "/admin/cases/resident/?name=%00",
        "/admin/cases/case/?q=%00",
        "/admin/autocomplete/?app_label=cases&model_name=visit&field_name=case&term=%00",
        "/admin/cases/case/%00/change/",
    ],
)
def test_a_nul_in_an_admin_path_filter_or_search_is_a_400_page(staff, url):
    response = staff.get(url)

    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    # The site's language first: zh-hans unless the browser asks otherwise.
    assert "空字符" in response.content.decode()


@pytest.mark.parametrize("url", ["/m/search/?q=%00", "/m/cases/new/?q=%00", "/m/cases/?q=a%00b"])
def test_a_nul_in_a_phone_page_query_is_a_400_page(phone, url):
    response = phone.get(url, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_posted_form_is_a_400_and_nothing_is_saved(phone, assistant):
    count = Case.objects.count()

    response = phone.post("/m/cases/new/", {"requester_kind": "resident", "name": "王\x00"})

    assert response.status_code == 400
    assert Case.objects.count() == count


def test_a_nul_in_a_multipart_form_is_a_400(staff):
    response = staff.post("/admin/login/", {"username": "x\x00", "password": "y"})

    assert response.status_code == 400


def test_a_nul_in_an_api_query_answers_json_in_the_apis_shape(api):
    response = api.get("/api/v1/cases/?status=%00")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_nul_in_an_api_json_string_is_a_field_error(api, world):
    count = Visit.objects.count()

    response = api.post("/api/v1/visits/", visit_body(world, notes="a\x00b"), format="json")

    assert response.status_code == 400
    assert "notes" in response.json()["error"]["fields"]
    assert Visit.objects.count() == count


# --- nesting -----------------------------------------------------------------------------------


def test_ten_kilobytes_of_nested_json_is_a_400_not_a_recursion_error(api, world):
    response = api.post("/api/v1/visits/", "[" * 5000, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert "32" in response.json()["error"]["message"]


def test_json_nested_exactly_to_the_limit_is_parsed(api, world):
    deep = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    body = '{"changes": ' + deep + "}"

    response = api.post("/api/v1/assistant-proposals/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"  # a field error, not a refused body


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert json_depth(b'{"a": "[[[[[[{{{{\\"[[[", "b": [[1]]}') == 3
    assert json_depth(b"[" * 5000) == 5000
    assert json_depth(b'"just a string"') == 0


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "1999-12-31T08:00:00+08:00"])
def test_an_api_visit_before_2000_is_refused_with_a_clear_message(api, world, when):
    count = Visit.objects.count()

    response = api.post("/api/v1/visits/", visit_body(world, occurred_at=when), format="json")

    assert response.status_code == 400, response.content
    [error] = response.json()["error"]["fields"]["occurred_at"]
    assert error["message"].startswith("Choose a date between 2000-01-01 and ")
    assert Visit.objects.count() == count


def test_a_phone_visit_in_year_0001_is_refused_on_the_form(phone, assistant):
    from tests.factories.visits import make_case_in_progress

    case = make_case_in_progress(lead=assistant, title="楼道漏水纠纷")
    form = {
        "idempotency_key": "0f8c1d2e3b4a59687766554433221100",
        "target": f"case:{case.pk}",
        "kind": "mediation",
        "occurred_at": "0001-01-01T08:30",
        "duration_minutes": "40",
        "people_present": "3",
    }

    response = phone.post("/m/visits/new/", form, headers={"Accept-Language": "en"})

    assert response.status_code == 400  # the form again, with its errors
    assert "Choose a date between 2000-01-01" in response.content.decode()
    assert not Visit.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (date(1, 1, 1), False),
        (date(1999, 12, 31), False),
        (date(2000, 1, 1), True),
        (date.today() + timedelta(days=400), False),
    ],
)
def test_a_shift_in_the_admin_stays_within_the_programmes_years(db, day, valid):
    starts = timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=9)))
    form = ShiftAdminForm(
        data={"date": day.isoformat(), "starts_at": starts, "ends_at": starts + timedelta(hours=3)}
    )

    assert form.is_valid() is valid, form.errors
    if not valid:
        # In the admin's language (zh-hans by default), naming the programme's first day.
        assert "2000-01-01" in form.errors["date"][0]


# --- broken regular expressions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/admin/cases/case/?number__regex=((", "/admin/cases/case/?title__iregex=[z-a]"]
)
def test_a_broken_regex_filter_in_the_admin_is_a_400(staff, world, url):
    response = staff.get(url)

    assert response.status_code == 400
    assert "无法理解此搜索或筛选条件" in response.content.decode()


@pytest.mark.postgresql_only(
    reason="psycopg's refusal of a NUL and PostgreSQL's own overflow error"
)
def test_only_the_users_own_bad_input_is_taken_for_a_400_on_postgresql(db):
    with pytest.raises(DataError) as nul, transaction.atomic():
        Case.objects.filter(number="\x00").exists()
    with pytest.raises(DataError) as overflow, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 2147483647::int + 1")

    assert is_bad_input_error(nul.value)
    # Any other database error is a real fault and stays a 500.
    assert not is_bad_input_error(overflow.value)


def test_sqlites_broken_regex_error_is_recognised_and_a_locked_database_is_not(db):
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )
    sqlite = handler["default"]
    try:
        with pytest.raises(OperationalError) as broken:
            sqlite.cursor().execute("SELECT 'a' REGEXP '(('")
    finally:
        sqlite.close()

    assert is_bad_input_error(broken.value)
    assert not is_bad_input_error(OperationalError("database is locked"))


# --- wrong API keys ----------------------------------------------------------------------------


@override_settings(PARTNER_API_FAILED_KEY_RATE="5/min")
def test_wrong_api_keys_from_one_address_answer_429_past_the_limit(partner_a):
    good = create_api_key(partner=partner_a, name="HR system")[1]
    prefix = good.split("_")[1]
    guesser = client_with_key(f"tok_{prefix}_guess")

    answers = [guesser.get("/api/v1/partner/").status_code for _ in range(7)]
    right_key_same_address = client_with_key(good).get("/api/v1/partner/")
    elsewhere = client_with_key(f"tok_{prefix}_guess").get(
        "/api/v1/partner/", REMOTE_ADDR="198.51.100.9"
    )

    assert answers == [401] * 5 + [429] * 2
    assert right_key_same_address.status_code == 429
    assert int(right_key_same_address["Retry-After"]) > 0
    assert right_key_same_address.json()["error"]["code"] == "throttled"
    assert elsewhere.status_code == 401


@override_settings(PARTNER_API_FAILED_KEY_RATE="5/min")
def test_a_good_key_spends_nothing_of_its_addresss_failed_key_allowance(partner_a):
    good = create_api_key(partner=partner_a, name="HR system")[1]

    answers = [client_with_key(good).get("/api/v1/partner/").status_code for _ in range(8)]

    assert answers == [200] * 8
