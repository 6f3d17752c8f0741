"""The monthly digest: district figures to staff, each partner's own figures to its managers."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from steering import digest
from steering.figures import Filters, Sources, compute_figures
from talentoffice.models import Notification, NotificationPreference

JULY = date(2026, 7, 1)


@pytest.fixture
def managers(partner_a_manager, partner_b_manager):
    NotificationPreference.objects.create(user=partner_b_manager, language="en")
    return partner_a_manager, partner_b_manager


def _june():
    return digest.last_month(JULY)


def test_last_month_is_the_whole_calendar_month_before():
    assert digest.last_month(date(2026, 7, 15)) == _june()
    assert (_june().start, _june().end) == (date(2026, 6, 1), date(2026, 6, 30))
    assert digest.last_month(date(2026, 1, 1)).start == date(2025, 12, 1)


def test_each_partner_manager_reads_only_its_own_partners_figures(
    district, staff_user, managers, partner_a, partner_b
):
    written = digest.send_monthly_digest(today=JULY)
    assert written == 3
    manager_a, manager_b = managers
    body_a = Notification.objects.get(kind="steering.digest", recipient=manager_a).body
    body_b = Notification.objects.get(kind="steering.digest", recipient=manager_b).body
    own_a = compute_figures(Filters(_june(), partner_id=partner_a.pk), Sources())
    own_b = compute_figures(Filters(_june(), partner_id=partner_b.pk), Sources())
    district_wide = compute_figures(Filters(_june()), Sources())
    with translation.override("zh-hans"):
        label = str(own_a["cases_opened"].label)
    assert any(line.startswith(label) for line in body_a.splitlines())
    # Partner B's figures in English, partner A's in Chinese (the default language).
    assert f"Cases opened: {own_b['cases_opened'].value} " in body_b
    assert f"Cases resolved: {own_b['cases_resolved'].value} " in body_b
    assert "Programme figures" not in body_b
    assert (
        partner_a.short_name
        not in Notification.objects.get(kind="steering.digest", recipient=manager_b).subject
    )
    assert (
        partner_b.short_name
        in Notification.objects.get(kind="steering.digest", recipient=manager_b).subject
    )
    staff_body = Notification.objects.get(kind="steering.digest", recipient=staff_user).body
    assert str(district_wide["cases_opened"].value) in staff_body


def test_a_partners_digest_carries_no_other_partners_numbers(district, managers, partner_b):
    digest.send_monthly_digest(today=JULY)
    body_b = Notification.objects.get(kind="steering.digest", recipient=managers[1]).body
    own_b = compute_figures(Filters(_june(), partner_id=partner_b.pk), Sources())
    district_wide = compute_figures(Filters(_june()), Sources())
    for key in ("cases_opened", "cases_resolved", "disputes_mediated"):
        # Partner B's manager reads English: the label as they read it, whatever the test's own.
        with translation.override("en"):
            label = str(own_b[key].label)
        line = next(line for line in body_b.splitlines() if line.startswith(label))
        assert line.startswith(f"{label}: {own_b[key].value} ")
    assert own_b["cases_opened"].value < district_wide["cases_opened"].value


def test_a_second_run_of_the_same_month_writes_nothing(district, staff_user, managers):
    assert digest.send_monthly_digest(today=JULY) == 3
    assert digest.send_monthly_digest(today=date(2026, 7, 2)) == 0
    assert Notification.objects.filter(kind="steering.digest").count() == 3


def test_inactive_people_get_no_digest(district, staff_user, managers):
    get_user_model().objects.filter(pk=staff_user.pk).update(is_active=False)
    assert digest.send_monthly_digest(today=JULY) == 2


def test_beat_sends_the_digest_on_the_first_of_the_month(settings):
    from steering import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["steering-monthly-digest"]
    assert entry["task"] == tasks.send_monthly_digest.name
    assert entry["schedule"].day_of_month == {1}
    refresh = settings.CELERY_BEAT_SCHEDULE["steering-refresh-snapshots"]
    assert refresh["task"] == tasks.refresh_dashboard_snapshots.name
    assert refresh["schedule"] < settings.STEERING_SNAPSHOT_SECONDS
