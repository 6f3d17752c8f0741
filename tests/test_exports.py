"""Admin exports: formula-safe, secret-free, masked, and read in a constant number of queries.

Every admin with an export button is found through the admin site's public API, filled from
the demo district (`seed_demo`), and exported as CSV and as xlsx through its own export page.
"""

import csv
import io
from datetime import date, datetime
from io import StringIO

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export import fields
from import_export.admin import ExportMixin

from assistants.models import Assistant, Shift, Skill
from assistants.rota import LOCAL_TZ
from cases.models import Case, PersonalDataAccess, Resident, Visit
from cases.resources import ResidentFullExportResource
from partners.models import AssistantProposal, Partner, WebhookDelivery, WebhookEndpoint
from talentoffice.exporting import FORMULA_TRIGGERS, ExportResource, is_secret
from talentoffice.masking import PERSONAL_FIELDS
from talentoffice.models import (
    CalendarDay,
    Delivery,
    HolidayNotice,
    Notification,
    NotificationKind,
    NotificationPreference,
    Street,
    StreetCoordinator,
)
from tests import factories
from tests.factories.assign import make_assigned_case
from tests.factories.notify import make_webhook

XLSX_FORMAT = "0"  # the admin offers XLSX first, then CSV
CSV_FORMAT = "1"
# What a hostile cell looks like: each would run, link or split a row in a spreadsheet.
FORMULAE = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tX", "\rX"]
SECRET_MARK = "s3cr3t-mark"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo hashes a few passwords; PBKDF2 would make them most of the seed's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db, time_machine):
    """The demo district at scale 1, seeded on a fixed day so that its rota is comparable."""
    time_machine.move_to(datetime(2026, 9, 15, 10, 0, tzinfo=LOCAL_TZ), tick=False)
    call_command("seed_demo", "--seed", "1", "--scale", "1", stdout=StringIO())
    fill_what_the_demo_leaves_empty()


def fill_what_the_demo_leaves_empty():
    """One row in each exported table the demo does not fill, so that every export has one."""
    partner = Partner.objects.order_by("pk").first()
    assistant = Assistant.objects.order_by("pk").first()
    user = get_user_model().objects.create_user("charlie", password="charlie-pass-123")
    StreetCoordinator.objects.create(user=user, street=Street.objects.order_by("pk").first())
    CalendarDay.objects.get_or_create(date=date(2031, 1, 6), defaults={"kind": "workday"})
    HolidayNotice.objects.create(
        year=2031, holidays={"2031-01-01": "New Year's Day"}, text="一、元旦：1月1日放假。"
    )
    NotificationPreference.objects.get_or_create(user=user)
    robot = make_webhook(partner=partner)
    notification = Notification.objects.create(
        recipient=user, kind=NotificationKind.CASE_DIGEST, occasion="export-test", subject="subject"
    )
    Delivery.objects.create(
        notification=notification, channel="webhook", target=f"webhook:{robot.pk}", webhook=robot
    )
    endpoint = WebhookEndpoint.objects.create(partner=partner, url="https://partner.example/hook")
    WebhookDelivery.objects.create(
        partner=partner, endpoint=endpoint, event="case.assigned", payload={}
    )
    AssistantProposal.objects.create(partner=partner, kind="change", assistant=assistant)


def exporting_admins(user):
    """(model, admin, resource classes) for every registered admin with an export button."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        if isinstance(model_admin, ExportMixin):
            found.append((model, model_admin, model_admin.get_export_resource_classes(request)))
    return found


def export(client, model, resource_index, resource_class, file_format, query=""):
    """Post the model's export form with every column ticked; the file's bytes."""
    opts = model._meta
    prefix = resource_class.__name__.lower()
    response = client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_export") + query,
        {
            "format": file_format,
            "resource": str(resource_index),
            **{f"{prefix}_{name}": "on" for name in resource_class().get_export_order()},
        },
    )
    assert response.status_code == 200, (opts.label, response.status_code)
    assert response.streaming, opts.label
    return response.getvalue()


def cells(content, file_format):
    """Every cell of an exported file as text, and for xlsx each cell's type."""
    if file_format == CSV_FORMAT:
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
        return [(cell, "s") for row in rows for cell in row if cell]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [
        (cell.value, cell.data_type)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.primary_key
    ]


def plant(model, pk):
    """Write a formula-like value (or, in a secret field, a marker) into every text field of one
    row that the database accepts; the planted values of non-secret fields."""
    planted = {}
    for index, field in enumerate(text_fields(model)):
        if is_secret(model, field.name):
            value = SECRET_MARK
        else:
            value = next(
                (
                    formula
                    for formula in FORMULAE[index % len(FORMULAE) :] + FORMULAE
                    if len(formula) <= (field.max_length or 1000)
                ),
            )
        try:
            with transaction.atomic():
                model._default_manager.filter(pk=pk).update(**{field.attname: value})
        except (DatabaseError, ValueError):
            continue  # a constraint keeps this value out; the column cannot carry it
        if not is_secret(model, field.name):
            planted[field.name] = value
    return planted


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_every_admin_export_makes_formulae_inert_and_carries_no_secret(
    district, client, staff_user, file_format
):
    client.force_login(staff_user)
    checked = set()
    empty = []
    for model, _model_admin, resource_classes in exporting_admins(staff_user):
        row = model._default_manager.order_by("pk").first()
        planted = plant(model, row.pk) if row is not None else {}
        if row is None:
            empty.append(model._meta.label)
        query = f"?{model._meta.pk.name}__exact={row.pk}" if row is not None else ""
        for index, resource_class in enumerate(resource_classes):
            assert issubclass(resource_class, ExportResource), resource_class
            resource = resource_class()
            columns = {field.attribute for field in resource.get_export_fields()}
            assert not [name for name in resource.get_export_order() if is_secret(model, name)]
            assert not [name for name in columns if name and is_secret(model, name)]
            content = export(client, model, index, resource_class, file_format, query)
            assert SECRET_MARK.encode() not in content, model._meta.label

            found = cells(content, file_format)
            for value, data_type in found:
                assert data_type == "s", (model._meta.label, value, data_type)
                assert not str(value).startswith(FORMULA_TRIGGERS), (model._meta.label, value)
            texts = {str(value) for value, _type in found}
            masked = set(PERSONAL_FIELDS.get(model._meta.label_lower, ()))
            if resource_class.__name__.endswith("FullExportResource"):
                masked = set()
            for name, value in planted.items():
                if name in columns and name not in masked:
                    assert "'" + value in texts, (model._meta.label, name, value)
                    checked.add(f"{model._meta.label}.{name}")
    # Every export had a row, and the walk reached the text columns a partner or a resident can
    # write to, such as a webhook endpoint's description and a case's title.
    assert empty == []
    assert {"partners.WebhookEndpoint.description", "cases.Case.title"} <= checked
    assert len(checked) >= 80


def test_the_admin_finds_every_secret_field_of_the_models_in_the_registry():
    suspicious = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if any(word in field.name for word in ("secret", "token", "hash", "password"))
        and not is_secret(model, field.name)
    ]
    assert suspicious == []


def grow_assistants(to):
    """Copies of a demo assistant, with their skills, until there are `to` assistants."""
    model = Assistant.objects.exclude(licence_number="").order_by("pk").first()
    skills = list(Skill.objects.all()[:3])
    copies = Assistant.objects.bulk_create(
        Assistant(
            name=f"{model.name}{number}",
            partner_id=model.partner_id,
            specialty=model.specialty,
            title=model.title,
            phone=factories.make_mobile(),
            status=model.status,
        )
        for number in range(to - Assistant.objects.count())
    )
    Assistant.skills.through.objects.bulk_create(
        Assistant.skills.through(assistant_id=copy.pk, skill_id=skill.pk)
        for copy in copies
        for skill in skills
    )


def queries_of_export(client, model, resource_class, file_format, rows):
    """The queries of exporting the first `rows` rows of the model, whole file read."""
    last = model._default_manager.order_by("pk").values_list("pk", flat=True)[rows - 1]
    with CaptureQueriesContext(connection) as queries:
        export(client, model, 0, resource_class, file_format, f"?{model._meta.pk.name}__lte={last}")
    return len(queries)


# Pinned for the big tables with relations. Whatever the number of rows, an export runs: the
# session and the user (2); the choices of the list's related filters, as the changelist builds
# them (cases: service categories, service items and partners; visits: partners; assistants:
# partners and skills; shifts: service points); the one rows query, its foreign keys joined,
# read through a server-side cursor; and one prefetch per many-valued column per chunk of
# 2,000 rows (a case's helpers, an assistant's skills).
PINNED = {Case: 7, Visit: 4, Assistant: 6, Shift: 4}


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_every_admin_export_reads_10_and_1000_rows_with_the_same_queries(
    district, client, staff_user, file_format
):
    grow_assistants(1000)
    client.force_login(staff_user)
    counts = {}
    for model, _model_admin, resource_classes in exporting_admins(staff_user):
        total = model._default_manager.count()
        if total < 20:
            continue  # too few rows to tell a constant from a count that grows
        few = queries_of_export(client, model, resource_classes[0], file_format, 10)
        many = queries_of_export(client, model, resource_classes[0], file_format, min(total, 1000))
        assert few == many, (model._meta.label, few, many)
        counts[model] = many
    assert {model: counts.get(model) for model in PINNED} == PINNED


class CaseWithItsPeople(ExportResource):
    """A resource reaching personal and secret fields through relations, as one might write."""

    requester_phone = fields.Field(attribute="resident__phone", column_name="requester phone")
    lead_token = fields.Field(attribute="lead__calendar_token", column_name="lead token")

    class Meta:
        model = Case
        fields = ("number", "requester_phone", "lead_token")


def test_a_personal_field_reached_through_a_relation_is_masked_and_a_secret_left_out(
    assistant, rf, limited_staff_user
):
    resident = factories.make_resident(phone="13812345678")
    make_assigned_case(lead=assistant, resident=resident)
    request = rf.get("/")
    request.user = limited_staff_user
    resource = CaseWithItsPeople(request=request)

    rows = list(resource.export_rows(Case.objects.all()))

    assert resource.get_export_headers() == ["number", "requester phone"]
    assert rows[0][1] == "138****5678"
    assert assistant.calendar_token not in str(rows)


def test_the_full_resident_export_refuses_whoever_may_not_take_it(rf, limited_staff_user):
    request = rf.get("/")
    request.user = limited_staff_user
    resource = ResidentFullExportResource(request=request)

    assert not resource.shows_personal_data_in_full()
    with pytest.raises(PermissionDenied):
        resource.before_export(Resident.objects.all())
    assert not PersonalDataAccess.objects.exists()
