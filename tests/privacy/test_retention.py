"""Retention: residents' personal data is anonymized a configurable time after their last case."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases import privacy, workflow
from cases.models import Case, Resident
from tests import factories
from tests.factories.assign import make_case, make_case_in_progress
from tests.privacy.conftest import ID_NUMBER


def closed_case_for(resident, *, closed_at):
    """A case of the resident's, withdrawn and closed at the given time."""
    lead = factories.make_assistant()
    case = make_case_in_progress(lead=lead, resident=resident)
    case = workflow.resolve_case(case=case, outcome="withdrawn", assistant=lead)
    case = workflow.close_case(case=case, by=None)
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at)
    return case


@pytest.fixture(autouse=True)
def retention(settings):
    settings.RESIDENT_RETENTION_DAYS = 365


@pytest.fixture
def residents(db):
    now = timezone.now()
    expired = factories.make_resident(
        name="王小明", phone="13812345678", address="台江区工业路8号3栋", id_number=ID_NUMBER
    )
    closed_case_for(expired, closed_at=now - timedelta(days=400))
    recent = factories.make_resident(name="李四")
    closed_case_for(recent, closed_at=now - timedelta(days=100))
    # An old closed case, but a newer one still open: nothing happens to this resident.
    still_served = factories.make_resident(name="张三")
    closed_case_for(still_served, closed_at=now - timedelta(days=800))
    make_case(resident=still_served)
    # Last case closed long ago, but an earlier case closed even longer ago: the last counts.
    two_cases = factories.make_resident(name="赵六")
    closed_case_for(two_cases, closed_at=now - timedelta(days=900))
    closed_case_for(two_cases, closed_at=now - timedelta(days=10))
    never_served = factories.make_resident(name="钱七")
    return {
        "expired": expired,
        "recent": recent,
        "still_served": still_served,
        "two_cases": two_cases,
        "never_served": never_served,
    }


def test_the_dry_run_lists_only_residents_past_retention_and_changes_nothing(residents):
    due = privacy.dry_run()

    assert [row.pk for row in due] == [residents["expired"].pk]
    assert due[0].masked_name == "王**"
    assert Resident.objects.get(pk=residents["expired"].pk).name == "王小明"


def test_the_command_dry_run_reports_masked_names_and_saves_nothing(residents, capsys):
    call_command("anonymize_residents", "--dry-run")

    out = capsys.readouterr().out
    assert "would anonymize resident" in out
    assert "王**" in out and "王小明" not in out
    assert "1 resident(s) would be anonymized" in out
    assert not Resident.objects.filter(anonymized_at__isnull=False).exists()


def test_a_run_anonymizes_name_phone_address_and_id_number_and_keeps_the_cases(residents):
    expired = residents["expired"]
    cases_before = Case.objects.filter(resident=expired).count()

    done = privacy.anonymize_due()

    assert done == [expired.pk]
    expired.refresh_from_db()
    with translation.override(settings.LANGUAGE_CODE):  # written in the district's language
        assert expired.name == gettext("anonymized")
    assert expired.phone == f"0900{expired.pk:08d}"
    assert expired.address == ""
    assert expired.id_number == ""
    assert expired.id_number_hash == ""
    assert expired.anonymized_at is not None
    expired.full_clean()  # the placeholder phone still satisfies the model's rules
    assert Case.objects.filter(resident=expired).count() == cases_before
    for key in ("recent", "still_served", "two_cases", "never_served"):
        kept = Resident.objects.get(pk=residents[key].pk)
        assert kept.anonymized_at is None
        assert kept.name == residents[key].name


def test_a_second_run_finds_nothing_left_to_do(residents):
    privacy.anonymize_due()

    assert privacy.anonymize_due() == []
    assert privacy.dry_run() == []


def test_the_command_anonymizes_and_says_how_many(residents, capsys):
    call_command("anonymize_residents")

    assert "1 resident(s) anonymized." in capsys.readouterr().out
    assert Resident.objects.get(pk=residents["expired"].pk).anonymized_at is not None


def test_the_retention_period_comes_from_the_settings(residents, settings):
    settings.RESIDENT_RETENTION_DAYS = 30

    due = {row.pk for row in privacy.dry_run()}

    assert due == {residents["expired"].pk, residents["recent"].pk}


def test_the_nightly_task_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["anonymize-residents"]
    assert entry["task"] == "cases.tasks.anonymize_expired_residents"


def test_anonymizing_reaches_the_audit_trail_notifications_and_delivery_logs(
    residents, staff_user, client
):
    from auditlog.models import LogEntry
    from django.urls import reverse

    from talentoffice.models import Delivery, Notification

    expired = residents["expired"]
    # An older entry names the resident in its title, as the audit trail writes it on change.
    expired.household_size = 3
    expired.save()
    assert LogEntry.objects.filter(object_repr="王小明").exists()
    notification = Notification.objects.create(
        kind="case_assigned",
        recipient=staff_user,
        subject="王小明 13812345678",
        body="请联系王小明，电话13812345678",
    )
    delivery = Delivery.objects.create(
        notification=notification, channel="email", target="x", last_error="回复13812345678失败"
    )

    privacy.anonymize_due()

    assert not LogEntry.objects.filter(object_repr__contains="王小明").exists()
    assert not LogEntry.objects.filter(changes_text__contains="13812345678").exists()
    assert not LogEntry.objects.filter(changes__icontains="13812345678").exists()
    notification.refresh_from_db()
    delivery.refresh_from_db()
    assert "王小明" not in notification.subject + notification.body
    assert "13812345678" not in notification.body + delivery.last_error
    client.force_login(staff_user)
    page = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "王小明"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0
