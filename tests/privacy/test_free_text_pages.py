"""Free text in the admin reaches the viewer and the street coordinator only scrubbed.

A phone, an ID number, a bank card and an e-mail are planted in every free-text field of every
programme record the admin shows; each registered admin's list and a change page are then read
as each role without the permission to see personal data in full.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, models, transaction
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.models import CouncilMeeting, FollowUp, Visit
from talentoffice.exporting import SECRET_FIELD_NAMES
from talentoffice.masking import PERSONAL_FIELDS
from talentoffice.roles import PROGRAMME_APPS
from tests.factories.roles import build_district
from tests.privacy.conftest import make_id_number

PHONE = "13912345678"
ID_NUMBER = make_id_number("35010219900307123")
CARD = "6222021234567890123"
EMAIL = "zhang.san@example.com"
SECRETS = (PHONE, ID_NUMBER, CARD, EMAIL)
# Longest first: each field gets the longest text that fits in it.
PLANTED = (
    f"请回电{PHONE}，身份证{ID_NUMBER}，卡号{CARD}，邮箱{EMAIL}",
    f"回电{PHONE}，身份证{ID_NUMBER}",
    f"电话{PHONE}",
)


def free_text_fields(model):
    """The plain text fields of a model that people type into (not codes, keys or choices)."""
    personal = PERSONAL_FIELDS.get(model._meta.label_lower, {})
    for field in model._meta.concrete_fields:
        if type(field) not in (models.CharField, models.TextField):
            continue
        if field.choices or field.unique or field.primary_key:
            continue
        if field.name in personal or field.name in SECRET_FIELD_NAMES:
            continue
        if field.name.endswith("_hash"):
            continue
        yield field


def plant_everywhere():
    """Write the planted text into every free-text field of every programme record; returns
    the "model.field" names written."""
    planted = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROGRAMME_APPS or not admin.site.is_registered(model):
            continue
        for field in free_text_fields(model):
            fitting = [t for t in PLANTED if field.max_length is None or len(t) <= field.max_length]
            if not fitting:
                continue
            try:
                with transaction.atomic():
                    written = model._default_manager.update(**{field.name: fitting[0]})
            except DatabaseError:  # a check constraint wants this text in another shape
                continue
            if written:
                planted.add(f"{model._meta.label_lower}.{field.name}")
    return planted


@pytest.fixture
def district(db):
    district = build_district()
    case = district["east case"]
    now = timezone.now()
    Visit.objects.create(
        kind="consultation",
        assistant=district["bob"],
        case=case,
        resident=case.resident,
        occurred_at=now - timedelta(hours=1),
        duration_minutes=30,
    )
    FollowUp.objects.create(case=case, due_on=timezone.localdate())
    CouncilMeeting.objects.create(title="议事厅", held_on=timezone.localdate(), place="社区")
    district.planted = plant_everywhere()
    return district


def registered_admins():
    return [
        (model, admin.site.get_model_admin(model))
        for model in apps.get_models()
        if model._meta.app_label in PROGRAMME_APPS and admin.site.is_registered(model)
    ]


def leaked(content: str) -> list[str]:
    return [secret for secret in SECRETS if secret in content]


def test_the_planting_reaches_the_free_text_of_cases_visits_follow_ups_and_meetings(district):
    assert {
        "cases.case.title",
        "cases.case.description",
        "cases.visit.notes",
        "cases.followup.notes",
        "cases.councilmeeting.title",
    } <= district.planted


def test_staff_who_may_see_personal_data_read_the_text_as_typed(client, district):
    # The planted text is really on the pages: what the other roles miss is scrubbed away.
    client.force_login(district.users["staff"])
    case = district["east case"]
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert PHONE in page


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_no_admin_page_shows_a_planted_number_or_address_to_a_role_without_the_full_view(
    client, district, role
):
    user = district.users[role]
    client.force_login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    read = []
    for model, model_admin in registered_admins():
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_view_permission(request):
            continue
        changelist = client.get(reverse(f"admin:{name}_changelist"))
        assert changelist.status_code == 200, name
        assert leaked(changelist.content.decode()) == [], (role, name, "changelist")
        read.append(f"{name} list")
        obj = model_admin.get_queryset(request).first()
        if obj is None:
            continue
        try:
            url = reverse(f"admin:{name}_change", args=[obj.pk])
        except NoReverseMatch:
            continue
        change = client.get(url)
        assert change.status_code == 200, name
        assert leaked(change.content.decode()) == [], (role, name, "change page")
        read.append(f"{name} page")
        history = client.get(reverse(f"admin:{name}_history", args=[obj.pk]))
        if history.status_code == 200:
            assert leaked(history.content.decode()) == [], (role, name, "history")
    # The pages that carry free text were among those read.
    assert {"cases_case page", "cases_visit page", "cases_visit list"} <= set(read), read


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_searching_free_text_for_digits_tells_nothing_the_scrubber_hid(client, district, role):
    client.force_login(district.users[role])
    case = district["east case"]
    url = reverse("admin:cases_case_changelist")
    autocomplete = reverse("admin:autocomplete")
    right, wrong = PHONE[:7], PHONE[:6] + str((int(PHONE[6]) + 1) % 10)

    def found(term):
        page = client.get(url, {"q": term, "id__exact": case.pk})
        suggestions = client.get(
            autocomplete,
            {"app_label": "cases", "model_name": "visit", "field_name": "case", "term": term},
        )
        return page.context["cl"].result_count, suggestions.status_code, suggestions.content

    assert found(right) == found(wrong)
    # The case number is no free text: it is still found by its digits.
    assert client.get(url, {"q": case.number}).context["cl"].result_count == 1


def test_staff_who_may_see_personal_data_search_free_text_by_digits(client, district):
    client.force_login(district.users["staff"])
    url = reverse("admin:cases_case_changelist")
    case = district["east case"]
    assert client.get(url, {"q": PHONE[:7], "id__exact": case.pk}).context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("role", "scrubbed"), [("viewer", True), ("coordinator", True), ("staff", False)]
)
def test_the_admins_autocomplete_names_a_case_scrubbed_for_a_role_without_the_full_view(
    client, district, role, scrubbed
):
    client.force_login(district.users[role])
    answer = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "visit", "field_name": "case", "term": ""},
    )
    assert answer.status_code == 200
    names = " ".join(result["text"] for result in answer.json()["results"])
    assert district["east case"].number in names
    assert (leaked(names) == []) is scrubbed, names
