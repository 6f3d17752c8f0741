"""Every admin page staff use renders, in Chinese, with a number of queries that does not grow."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assistants.models import (
    Assistant,
    Dispatch,
    Rota,
    ServicePoint,
    Shift,
    ShiftEvent,
    ShiftTemplate,
    Skill,
    SwapRequest,
    Unavailability,
)
from cases.models import Enterprise, Resident, ServiceCategory, ServiceItem
from partners.models import Agreement, Partner, PartnerContact
from talentoffice.models import (
    CalendarDay,
    ChatWebhook,
    Community,
    Delivery,
    DeliveryAttempt,
    Notification,
    NotificationPreference,
    Street,
)
from tests import factories


def make_skill():
    return Skill.objects.create(name=f"技能{factories.next_number()}")


def make_category():
    number = factories.next_number()
    return ServiceCategory.objects.create(code=f"C{number}", name=f"类别{number}")


def make_assistant_with_skills():
    assistant = factories.make_assistant()
    assistant.skills.add(make_skill(), make_skill())
    factories.make_dispatch(assistant=assistant)
    return assistant


def make_unavailability():
    from assistants.models import Unavailability

    return Unavailability.objects.create(
        assistant=factories.make_assistant(),
        kind="leave",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 3),
    )


def make_rota():
    return Rota.objects.create(
        name="十二月值班表", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31)
    )


def make_filled_shift():
    shift = factories.make_shift(assistant=factories.make_assistant())
    ShiftEvent.objects.create(shift=shift, kind="assigned", assistant=shift.assistant)
    return shift


def make_swap():
    shift = make_filled_shift()
    return SwapRequest.objects.create(shift=shift, requested_by=shift.assistant)


def make_calendar_day():
    return CalendarDay.objects.create(
        date=date(2026, 1, 1) + timedelta(days=factories.next_number()), kind="holiday"
    )


def make_chat_webhook():
    return ChatWebhook.objects.create(
        name="专窗群机器人",
        kind="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
        owner=factories.make_service_point(),
    )


def make_delivery():
    notification = Notification.objects.create(
        recipient=get_user_model().objects.create_user(f"u{factories.next_number()}"),
        kind="reminder",
        occasion=f"test:{factories.next_number()}",
        subject="明天值班提醒",
    )
    delivery = Delivery.objects.create(
        notification=notification, channel="email", target="email:u@example.com"
    )
    DeliveryAttempt.objects.create(delivery=delivery, started_at=timezone.now(), succeeded=True)
    return delivery


def make_notification():
    return make_delivery().notification


def make_preference():
    user = get_user_model().objects.create_user(f"p{factories.next_number()}")
    return NotificationPreference.objects.create(user=user)


OUR_MODELS = {
    ShiftTemplate: lambda: factories.make_shift_template(weekday=factories.next_number() % 7),
    Unavailability: make_unavailability,
    Rota: make_rota,
    Shift: make_filled_shift,
    SwapRequest: make_swap,
    CalendarDay: make_calendar_day,
    ChatWebhook: make_chat_webhook,
    Notification: make_notification,
    Delivery: make_delivery,
    NotificationPreference: make_preference,
    Street: factories.make_street,
    Community: factories.make_community,
    Partner: factories.make_partner,
    Agreement: factories.make_agreement,
    PartnerContact: factories.make_contact,
    Skill: make_skill,
    Assistant: make_assistant_with_skills,
    ServicePoint: factories.make_service_point,
    Dispatch: factories.make_dispatch,
    ServiceCategory: make_category,
    ServiceItem: factories.make_service_item,
    Enterprise: factories.make_enterprise,
    Resident: factories.make_resident,
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_programme_is_in_the_admin():
    assert set(OUR_MODELS) <= set(admin.site._registry)


def rf_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


@pytest.mark.parametrize("model", list(OUR_MODELS), ids=lambda m: m.__name__)
def test_the_changelist_runs_the_same_queries_for_3_rows_as_for_25(client, staff_user, model):
    client.force_login(staff_user)
    make = OUR_MODELS[model]
    for _ in range(3):
        make()
    few, _response = count_queries(client, admin_url(model, "changelist"))
    for _ in range(22):
        make()
    many, _response = count_queries(client, admin_url(model, "changelist"))
    # Session, user, the page's rows, the paginator's count and the filters' choices: a fixed
    # set whatever the row count; a query per row would make `many` larger than `few`.
    assert many == few
    assert few <= 14, f"{model.__name__} changelist runs {few} queries"


@pytest.mark.parametrize("model", list(OUR_MODELS), ids=lambda m: m.__name__)
def test_the_add_and_change_pages_render_with_bounded_queries(client, staff_user, model):
    client.force_login(staff_user)
    instance = OUR_MODELS[model]()
    if admin.site._registry[model].has_add_permission(rf_request(staff_user)):
        add_queries, _response = count_queries(client, admin_url(model, "add"))
    else:  # written only by the code that causes them, never typed in
        assert client.get(admin_url(model, "add")).status_code == 403
        add_queries = 0
    change_queries, _response = count_queries(client, admin_url(model, "change", instance.pk))
    assert add_queries <= 12
    assert change_queries <= 20, f"{model.__name__} change page runs {change_queries} queries"


def test_the_admin_speaks_chinese_by_default(client, staff_user):
    client.force_login(staff_user)
    response = client.get(admin_url(Partner, "changelist"))
    assert "合作机构" in response.content.decode()


def test_the_admin_speaks_english_when_asked(client, staff_user):
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    response = client.get(admin_url(Partner, "changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "partners" in response.content.decode().lower()
    assert "合作机构" not in response.content.decode()


def test_the_resident_list_masks_phones_and_addresses(client, staff_user):
    client.force_login(staff_user)
    factories.make_resident(name="王阿姨", phone="13812345678", address="台江区凤凰新村3座501")
    page = client.get(admin_url(Resident, "changelist")).content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "凤凰新村3座501" not in page


def test_a_search_by_the_last_digits_of_a_phone_finds_the_assistant(client, staff_user):
    client.force_login(staff_user)
    factories.make_assistant(name="林鑫", phone="13900001234")
    factories.make_assistant(name="王五", phone="13900005678")
    page = client.get(admin_url(Assistant, "changelist"), {"q": "1234"}).content.decode()
    assert "林鑫" in page
    assert "王五" not in page


def test_the_admin_is_closed_to_people_who_are_not_staff(client, assistant):
    client.force_login(assistant.user)
    response = client.get(admin_url(Partner, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_reminder_policies_start_with_the_programme_defaults(client, staff_user):
    from assistants.models import ReminderPolicy

    client.force_login(staff_user)
    response = client.get(admin_url(ReminderPolicy, "changelist"))
    assert response.status_code == 200
    assert ReminderPolicy.objects.get(kind="day_before").hour == 18
    assert ReminderPolicy.objects.get(kind="before_shift").minutes == 60
