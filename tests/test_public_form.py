"""The public QR form: submitting without a login, rate limits, bad input, never revealing a
known phone, and the staff pages that print a service point's QR code."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import segno
import time_machine
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from cases import throttle
from cases.choices import CaseEventKind, CaseSource, CaseState
from cases.models import Case, CaseEvent, Resident, ServiceCategory
from cases.public_views import point_from_token, point_token
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CASE_NUMBER = re.compile(r"TJ-\d{4}-\d{6}")


@pytest.fixture(autouse=True)
def _empty_rate_limit_counters():
    """The counters live in the cache, which outlives each test's database rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def point(db):
    community = factories.make_community(name="洋中社区")
    return factories.make_service_point(
        name="洋中街道人才助理服务点",
        street=community.street,
        community=community,
        address="台江区洋中路8号",
    )


@pytest.fixture
def legal(db):
    return ServiceCategory.objects.create(code="L", name="法律服务", order=1)


@pytest.fixture
def item(legal):
    return factories.make_service_item(category=legal, name="法律咨询", order=1)


@pytest.fixture
def mediation(legal):
    return factories.make_service_item(category=legal, name="纠纷调解", order=2)


def form_url(point):
    return reverse("public:form", args=[point_token(point)])


def valid_data(item, **overrides):
    return {
        "name": "王芳",
        "phone": "138 1234 5678",
        "community": "",
        "service": f"item:{item.pk}",
        "description": "征收补偿款未到账，想咨询",
        "remark": "",
    } | overrides


def submit(client, point, data, ip="203.0.113.7", **extra):
    return client.post(form_url(point), data, REMOTE_ADDR=ip, **extra)


def without_volatile_parts(content: bytes) -> str:
    """A page minus what differs between any two requests: the case number, the CSRF token."""
    text = CASE_NUMBER.sub("<number>", content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "<csrf>", text)


# --- the form ----------------------------------------------------------------------------------


def test_the_form_opens_without_a_login_and_offers_only_active_items(client, point, item):
    factories.make_service_item(category=item.category, name="已停用事项", active=False)

    response = client.get(form_url(point))

    assert response.status_code == 200
    content = response.content.decode()
    assert "洋中街道人才助理服务点" in content
    assert f'value="item:{item.pk}"' in content
    assert f'value="category:{item.category.pk}"' in content
    assert "已停用事项" not in content
    assert 'name="csrfmiddlewaretoken"' in content
    # The point's own community is chosen already.
    assert f'<option value="{point.community.pk}" selected>' in content
    assert "no-cache" in response["Cache-Control"]


def test_the_form_runs_three_queries_however_long_the_checklist(
    client, point, item, django_assert_num_queries
):
    for number in range(15):
        factories.make_service_item(category=item.category, name=f"事项{number}")
        factories.make_community(street=point.street, name=f"社区{number}")

    # 1. the service point (with its street), 2. the active items with their categories,
    # 3. the communities with their streets, for the select.
    with django_assert_num_queries(3):
        response = client.get(form_url(point))

    assert response.status_code == 200


def test_a_made_up_altered_or_retired_point_token_answers_404(client, point, item):
    other = factories.make_service_point()
    token = point_token(point)
    forged = f"{other.pk}:{token.partition(':')[2]}"

    assert client.get(reverse("public:form", args=[str(point.pk)])).status_code == 404
    assert client.get(reverse("public:form", args=[forged])).status_code == 404
    point.active = False
    point.save()
    assert client.get(form_url(point)).status_code == 404
    assert client.post(form_url(point), valid_data(item)).status_code == 404
    assert not Case.objects.exists()


def test_a_token_names_its_point_and_no_other(point):
    other = factories.make_service_point()

    assert point_from_token(point_token(point)) == point
    assert point_from_token(point_token(other)) == other
    assert point_token(point) != point_token(other)


def test_a_submission_opens_a_new_case_and_shows_its_number(client, point, item):
    response = submit(client, point, valid_data(item))

    case = Case.objects.get()
    assert response.status_code == 302
    thanks = client.get(response["Location"], **ENGLISH)
    assert thanks.status_code == 200
    assert case.number in thanks.content.decode()
    assert "Your request has been received" in thanks.content.decode()
    assert "no-cache" in thanks["Cache-Control"]
    assert (case.source, case.state, case.lead, case.service_point, case.service_item) == (
        CaseSource.PUBLIC_FORM,
        CaseState.NEW,
        None,
        point,
        item,
    )
    assert case.resident.phone == "13812345678"
    assert case.resident.name == "王芳"
    assert list(CaseEvent.objects.values_list("case", "kind")) == [(case.pk, CaseEventKind.CREATED)]


def test_the_community_chosen_is_kept_on_a_new_resident(client, point, item):
    submit(client, point, valid_data(item, community=str(point.community.pk)))

    assert Resident.objects.get().community == point.community


def test_choosing_only_a_category_files_the_case_under_its_first_item_for_staff_to_check(
    client, point, item, mediation
):
    response = submit(client, point, valid_data(mediation, service=f"category:{item.category.pk}"))

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.service_item == item  # the category's first item in checklist order
    assert "法律服务" in case.description


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "1381234567"}, "phone"),
        ({"phone": "电话13812345678"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"name": ""}, "name"),
        ({"description": ""}, "description"),
        ({"description": "   \n  "}, "description"),
        ({"description": "长" * 1001}, "description"),
        ({"service": "item:999999"}, "service"),
        ({"service": "category:999999"}, "service"),
        ({"service": "nonsense"}, "service"),
        ({"service": ""}, "service"),
        ({"community": "999999"}, "community"),
    ],
)
def test_bad_input_shows_the_field_error_and_saves_nothing(client, point, item, change, field):
    response = submit(client, point, valid_data(item) | change)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Case.objects.exists()
    assert not Resident.objects.exists()


def test_an_inactive_item_cannot_be_chosen(client, point, item):
    retired = factories.make_service_item(category=item.category, active=False)

    response = submit(client, point, valid_data(retired))

    assert response.status_code == 400
    assert "service" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_bot_filling_the_honeypot_is_refused_and_nothing_is_saved(client, point, item):
    response = submit(client, point, valid_data(item, remark="http://spam.example"), **ENGLISH)

    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not Case.objects.exists()
    assert not Resident.objects.exists()


def test_the_honeypot_is_hidden_from_people(client, point, item):
    content = client.get(form_url(point)).content.decode()

    hidden = re.search(r'<div class="public-hp" aria-hidden="true">(.*?)</div>', content, re.S)
    assert hidden and 'name="remark"' in hidden.group(1)
    assert 'tabindex="-1"' in hidden.group(1)


def test_a_submission_without_the_csrf_token_is_refused(point, item):
    browser = Client(enforce_csrf_checks=True)

    assert submit(browser, point, valid_data(item)).status_code == 403
    assert not Case.objects.exists()

    page = browser.get(form_url(point))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = submit(browser, point, valid_data(item, csrfmiddlewaretoken=token.group(1)))
    assert response.status_code == 302
    assert Case.objects.count() == 1


# --- never revealing a known phone -------------------------------------------------------------


def test_the_response_is_the_same_whether_the_phone_is_known_or_not(client, point, item):
    known = factories.make_resident(name="王芳", phone="13812345678", address="工业路1号")

    known_post = submit(client, point, valid_data(item, name="王小芳", phone="138-1234-5678"))
    unknown_post = submit(client, point, valid_data(item, name="李强", phone="13900000001"))

    assert known_post.status_code == unknown_post.status_code == 302
    assert known_post.content == unknown_post.content
    known_page = client.get(known_post["Location"])
    unknown_page = client.get(unknown_post["Location"])
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_volatile_parts(known_page.content) == without_volatile_parts(
        unknown_page.content
    )
    # The record on file is untouched; the name typed waits beside it for staff to compare.
    known.refresh_from_db()
    assert (known.name, known.address) == ("王芳", "工业路1号")
    assert Resident.objects.count() == 3
    assert Case.objects.get(resident__possible_duplicate_of=known).resident.name == "王小芳"


def test_a_refused_form_looks_the_same_for_a_known_and_an_unknown_phone(client, point, item):
    factories.make_resident(name="王芳", phone="13812345678")

    known = submit(client, point, valid_data(item, phone="13812345678", description=""))
    unknown = submit(client, point, valid_data(item, phone="13900000001", description=""))

    assert known.status_code == unknown.status_code == 400
    body = without_volatile_parts(known.content).replace("13812345678", "<phone>")
    assert body == without_volatile_parts(unknown.content).replace("13900000001", "<phone>")


# --- rate limits --------------------------------------------------------------------------------


def test_the_sixth_submission_from_one_address_within_an_hour_is_refused(client, point, item):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        for number in range(5):
            response = submit(client, point, valid_data(item, phone=f"1390000000{number}"))
            assert response.status_code == 302, number

        refused = submit(client, point, valid_data(item, phone="13900000009"), **ENGLISH)

        assert refused.status_code == 429
        assert "Too many requests" in refused.content.decode()
        assert Case.objects.count() == 5
        assert not Resident.objects.filter(phone="13900000009").exists()
        # Another address is not affected.
        assert (
            submit(
                client, point, valid_data(item, phone="13900000009"), ip="198.51.100.1"
            ).status_code
            == 302
        )

        traveller.shift(timedelta(minutes=61))
        assert submit(client, point, valid_data(item, phone="13900000008")).status_code == 302


def test_the_fourth_submission_for_one_phone_within_a_day_is_refused_from_any_address(
    client, point, item
):
    written = ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 13812345678"]
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        for number, phone in enumerate(written[:3]):
            response = submit(
                client, point, valid_data(item, phone=phone), ip=f"198.51.100.{number}"
            )
            assert response.status_code == 302

        refused = submit(client, point, valid_data(item, phone=written[3]), ip="198.51.100.9")

        assert refused.status_code == 429
        assert Case.objects.count() == 3

        traveller.shift(timedelta(hours=23))
        assert submit(client, point, valid_data(item), ip="198.51.100.10").status_code == 429
        traveller.shift(timedelta(hours=1, minutes=1))
        assert submit(client, point, valid_data(item), ip="198.51.100.11").status_code == 302
        assert Case.objects.count() == 4


def test_an_address_over_its_limit_is_refused_before_its_form_is_even_read(client, point, item):
    for number in range(5):
        submit(client, point, valid_data(item, phone=f"1390000000{number}"))

    response = submit(client, point, {"name": "x"})

    assert response.status_code == 429
    assert Case.objects.count() == 5


def test_invalid_submissions_do_not_use_up_the_allowance(client, point, item):
    for _attempt in range(10):
        assert submit(client, point, valid_data(item, phone="123")).status_code == 400

    assert submit(client, point, valid_data(item)).status_code == 302


def test_a_forwarded_for_header_is_ignored_unless_the_proxy_is_trusted(client, point, item):
    for number in range(5):
        response = submit(
            client,
            point,
            valid_data(item, phone=f"1390000000{number}"),
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
        assert response.status_code == 302

    forged = submit(
        client, point, valid_data(item, phone="13900000009"), HTTP_X_FORWARDED_FOR="192.0.2.99"
    )

    assert forged.status_code == 429


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_behind_a_trusted_proxy_the_first_forwarded_hop_is_the_client(client, point, item):
    # Six clients behind one proxy address each get their own allowance.
    for number in range(6):
        response = submit(
            client,
            point,
            valid_data(item, phone=f"1390000000{number}"),
            ip="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 10.0.0.1",
        )
        assert response.status_code == 302, number
    # One client is counted as one, whatever the proxy hops after it.
    for number in range(4):
        submit(
            client,
            point,
            valid_data(item, phone=f"1370000000{number}"),
            ip="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.0, 10.0.0.{number}",
        )

    assert Case.objects.count() == 6 + 4
    response = submit(
        client,
        point,
        valid_data(item, phone="13700000009"),
        ip="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.0",
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("meta", "trusted", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.7"}, False, "203.0.113.7"),
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, False, "203.0.113.7"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.1"}, True, "1.2.3.4"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "garbage"}, True, "10.0.0.1"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": ""}, True, "10.0.0.1"),
        # Any address of one IPv6 /64 is the same client.
        ({"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, False, "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "2001:db8:1:2:bbbb::9"}, False, "2001:db8:1:2::/64"),
    ],
)
def test_the_client_address_is_read_as_configured(meta, trusted, expected):
    request = RequestFactory().get("/", **meta)

    with override_settings(TRUST_X_FORWARDED_FOR=trusted):
        assert throttle.client_ip(request) == expected


def test_the_rate_limit_counters_never_hold_a_phone_number_in_clear(db):
    throttle.register_submission(ip="203.0.113.7", phone="13812345678")

    keys = list(cache._cache.keys())  # the local-memory cache of the tests
    assert len(keys) == 2
    assert not any("13812345678" in key or "203.0.113.7" in key for key in keys)


# --- the thanks page ----------------------------------------------------------------------------


def test_a_forged_or_stale_receipt_answers_404(client, point, item):
    token = point_token(point)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        location = submit(client, point, valid_data(item))["Location"]
        assert client.get(location).status_code == 200

        forged = reverse("public:thanks", args=[token, "TJ-2026-000999"])
        assert client.get(forged).status_code == 404

        traveller.shift(timedelta(days=1, minutes=1))
        assert client.get(location).status_code == 404


# --- staff: QR code and poster ------------------------------------------------------------------


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (row, column) an SVG from segno draws, read back from its path.

    segno draws each row as horizontal runs: "M x y.5" starts, "h n" draws n modules, "m dx dy"
    moves relatively. Reading that back checks what the file shows, not how it was made.
    """
    path = re.search(r' d="([^"]+)"', svg).group(1)
    modules = set()
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x) + int(first)):
                modules.add((int(y), column))
            x += int(first)
    return modules


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_qr_code_draws_the_absolute_address_of_the_points_form(staff_client, point):
    response = staff_client.get(reverse("public:point_qr", args=[point.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    expected_url = "http://testserver" + form_url(point)
    assert f"<desc>{expected_url}</desc>" in svg
    matrix = segno.make_qr(expected_url, error="m").matrix
    border = 4
    expected = {
        (row + border, column + border)
        for row, line in enumerate(matrix)
        for column, dark in enumerate(line)
        if dark
    }
    assert svg_modules(svg) == expected
    # And the address it opens really is this point's form.
    token = expected_url.rstrip("/").rpartition("/")[2]
    assert point_from_token(token) == point


@override_settings(PUBLIC_BASE_URL="https://talent.example.cn/")
def test_the_printed_address_uses_the_public_host_when_one_is_set(staff_client, point):
    svg = staff_client.get(reverse("public:point_qr", args=[point.pk])).content.decode()

    assert f"<desc>https://talent.example.cn{form_url(point)}</desc>" in svg


def test_the_poster_shows_the_point_its_qr_code_and_its_address(staff_client, point):
    response = staff_client.get(reverse("public:point_poster", args=[point.pk]), **ENGLISH)

    assert response.status_code == 200
    content = response.content.decode()
    assert "洋中街道人才助理服务点" in content
    assert "Scan to submit your request" in content
    assert "http://testserver" + form_url(point) in content
    assert content.count("<svg") == 1
    assert "not in use" not in content


def test_the_poster_of_a_retired_point_warns_staff(staff_client, point):
    point.active = False
    point.save()

    response = staff_client.get(reverse("public:point_poster", args=[point.pk]), **ENGLISH)

    assert "not in use" in response.content.decode()


def staff_urls(point):
    return [
        reverse("public:point_qr", args=[point.pk]),
        reverse("public:point_poster", args=[point.pk]),
    ]


def test_the_qr_pages_send_visitors_and_assistants_to_the_login(client, point, assistant):
    for url in staff_urls(point):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    client.force_login(assistant.user)
    for url in staff_urls(point):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_the_qr_pages_refuse_staff_who_may_not_view_service_points(
    client, point, limited_staff_user
):
    client.force_login(limited_staff_user)

    for url in staff_urls(point):
        assert client.get(url).status_code == 403, url


def test_the_qr_page_of_an_unknown_point_answers_404(staff_client, db):
    assert staff_client.get(reverse("public:point_qr", args=[999999])).status_code == 404
