"""Bad input in the admin gets a clear message on the field concerned, and nothing is saved."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from assistants.models import Dispatch
from partners.models import Partner
from tests import factories


def partner_form(**overrides):
    data = {
        "name": "福州农商银行",
        "short_name": "农商银行",
        "sector": "finance",
        "kind": "bank",
        "credit_code": factories.make_credit_code(),
        "address": "",
        "status": "active",
    }
    for prefix in ("agreements", "contacts", "assistants"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | overrides


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def field_errors(response, field):
    return [str(e) for e in response.context["adminform"].form.errors.get(field, [])]


def test_a_partner_with_a_bad_check_character_is_refused_on_its_field_in_chinese(staff_client):
    code = factories.make_credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = staff_client.post(
        reverse("admin:partners_partner_add"), partner_form(credit_code=wrong)
    )
    assert response.status_code == 200
    assert any("校验" in message for message in field_errors(response, "credit_code"))
    assert not Partner.objects.exists()


def test_the_same_message_is_in_english_for_an_english_user(staff_client):
    code = factories.make_credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    staff_client.cookies["django_language"] = "en"
    response = staff_client.post(
        reverse("admin:partners_partner_add"),
        partner_form(credit_code=wrong),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert any("check character" in message for message in field_errors(response, "credit_code"))


def test_a_duplicate_partner_name_is_refused_on_the_name_field(staff_client):
    factories.make_partner(name="福州农商银行", short_name="农商")
    response = staff_client.post(
        reverse("admin:partners_partner_add"), partner_form(short_name="另一个简称")
    )
    assert field_errors(response, "name")
    assert Partner.objects.count() == 1


def test_a_law_firm_in_the_finance_sector_is_refused_on_the_sector_field(staff_client):
    response = staff_client.post(
        reverse("admin:partners_partner_add"), partner_form(kind="law_firm")
    )
    assert field_errors(response, "sector")


def test_an_agreement_ending_before_it_starts_is_refused(staff_client):
    partner = factories.make_partner()
    response = staff_client.post(
        reverse("admin:partners_agreement_add"),
        {
            "partner": partner.pk,
            "title": "战略合作协议",
            "signed_on": "2024-01-01",
            "starts_on": "2024-01-01",
            "ends_on": "2023-12-31",
            "scope": "",
        },
    )
    assert any("结束" in message for message in field_errors(response, "ends_on"))


def test_an_overlapping_dispatch_is_refused_with_a_message_and_not_saved(staff_client):
    existing = factories.make_dispatch(starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    response = staff_client.post(
        reverse("admin:assistants_dispatch_add"),
        {
            "assistant": existing.assistant_id,
            "service_point": existing.service_point_id,
            "starts_on": "2026-06-01",
            "ends_on": "",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Dispatch.objects.count() == 1


def test_an_assistant_with_a_bad_phone_is_refused_on_the_phone_field(staff_client):
    partner = factories.make_partner()
    response = staff_client.post(
        reverse("admin:assistants_assistant_add"),
        {
            "name": "林鑫",
            "partner": partner.pk,
            "specialty": "finance",
            "phone": "1381234",
            "status": "active",
            "dispatches-TOTAL_FORMS": "0",
            "dispatches-INITIAL_FORMS": "0",
        },
    )
    assert any("11" in message for message in field_errors(response, "phone"))


def test_suspending_partners_in_bulk_changes_only_the_selected(staff_client):
    first, second = factories.make_partner(), factories.make_partner()
    staff_client.post(
        reverse("admin:partners_partner_changelist"),
        {"action": "suspend", "_selected_action": [first.pk]},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("suspended", "active")


def test_withdrawing_an_assistant_ends_their_open_dispatch_today(staff_client):
    dispatch = factories.make_dispatch(starts_on=date(2025, 1, 1))
    staff_client.post(
        reverse("admin:assistants_assistant_changelist"),
        {"action": "withdraw", "_selected_action": [dispatch.assistant_id]},
    )
    dispatch.refresh_from_db()
    dispatch.assistant.refresh_from_db()
    assert dispatch.assistant.status == "withdrawn"
    assert dispatch.ends_on == timezone.localdate()


def test_withdrawing_an_assistant_lists_their_open_cases_for_hand_over(staff_client):
    from tests.factories.assign import make_assigned_case

    case = make_assigned_case(lead=factories.make_assistant())
    response = staff_client.post(
        reverse("admin:assistants_assistant_changelist"),
        {"action": "withdraw", "_selected_action": [case.lead_id]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "1 open case to hand over" in page
    link = f"?lead__id__exact={case.lead_id}"
    assert link in page
    listed = staff_client.get(reverse("admin:cases_case_changelist") + link)
    assert list(listed.context["cl"].result_list) == [case]


def test_ending_a_dispatch_lists_the_assistants_open_cases_for_hand_over(staff_client):
    from tests.factories.assign import make_assigned_case

    case = make_assigned_case(lead=factories.make_assistant())
    dispatch = factories.make_dispatch(assistant=case.lead, starts_on=date(2026, 1, 1))
    response = staff_client.post(
        reverse("admin:assistants_dispatch_change", args=[dispatch.pk]),
        {
            "assistant": dispatch.assistant_id,
            "service_point": dispatch.service_point_id,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "note": "",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "1 open case to hand over" in response.content.decode()
    assert f"?lead__id__exact={case.lead_id}" in response.content.decode()
