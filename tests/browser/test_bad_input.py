"""Bad input on the phone: a clear message, nothing typed lost, nothing saved wrong."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import workflow
from cases.choices import CaseEventKind, CaseState
from tests.browser.phone import fill_visit, log_in, make_duty_day, make_photo, tid, visits_of


@pytest.fixture
def duty_day(assistant, staff_user):
    return make_duty_day(assistant=assistant, staff=staff_user)


def test_a_visit_in_the_future_with_a_file_that_is_no_photo_is_refused_and_nothing_typed_is_lost(
    page, problems, shot, assistant, duty_day, tmp_path
):
    _shift, case = duty_day
    log_in(page, "bob", "bob-pass-123")
    page.goto(f"/m/visits/new/?target=case:{case.pk}")
    fill_visit(page, notes="居民出示的材料照片。", minutes=50)
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.locator(tid("visit-occurred-at")).fill(f"{tomorrow:%Y-%m-%dT%H:%M}")
    page.locator(tid("visit-photos")).set_input_files(
        {"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00 not a photo"}
    )
    problems.allow(r"HTTP 400 POST .*/m/visits/new/")
    page.locator(tid("visit-submit")).click()

    errors = page.locator(tid("visit-errors"))
    expect(errors).to_be_visible()
    # Both mistakes at once: the date, and the file (its content is checked, not its name).
    expect(errors.locator("p")).to_have_count(3)
    shot("refused-for-the-date-and-the-file")
    expect(page.locator(tid("visit-notes"))).to_have_value("居民出示的材料照片。")
    expect(page.locator(tid("visit-duration"))).to_have_value("50")
    assert not visits_of(assistant).exists()

    # The date put right, the file is still refused.
    date_error = errors.inner_text()
    page.locator(tid("visit-occurred-at")).fill(f"{timezone.localtime():%Y-%m-%dT%H:%M}")
    with page.expect_response("**/m/visits/new/") as answer:
        page.locator(tid("visit-submit")).click()
    assert answer.value.status == 400
    expect(errors).not_to_have_text(date_error)
    shot("refused-for-the-file")
    expect(page.locator(tid("visit-notes"))).to_have_value("居民出示的材料照片。")
    assert not visits_of(assistant).exists()

    page.locator(tid("visit-photos")).set_input_files(make_photo(tmp_path / "scan.jpg"))
    page.locator(tid("visit-submit")).click()
    expect(page.locator(tid("visit-item"))).to_have_count(1)
    shot("corrected-and-saved")
    visit = visits_of(assistant).get()
    assert (visit.notes, visit.duration_minutes, visit.attachments.count()) == (
        "居民出示的材料照片。",
        50,
        1,
    )


def test_a_check_in_far_from_the_service_point_is_kept_and_flagged_for_staff(
    page, context, shot, assistant, duty_day, live_server
):
    shift, _case = duty_day
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 26.0900, "longitude": 119.3500})  # about 5.7 km away
    log_in(page, "bob", "bob-pass-123")

    page.locator(tid("check-in-button")).click()

    expect(page.locator(tid("check-out-button"))).to_be_visible()
    expect(page.locator(tid("check-in-far"))).to_be_visible()
    shot("checked-in-far-away")
    shift.refresh_from_db()
    assert shift.status == "checked_in"
    assert shift.check_in_far
    assert 5000 < shift.check_in_distance_m < 6500


def test_a_step_made_stale_by_staff_changes_nothing_and_shows_the_case_as_it_is_now(
    page, problems, shot, assistant, staff_user, duty_day
):
    _shift, case = duty_day
    log_in(page, "bob", "bob-pass-123")
    page.goto(f"/m/cases/{case.pk}/")
    page.locator(tid("case-resolve-outcome")).select_option("resolved")
    page.locator(tid("case-resolve-note")).fill("已为居民办结。")

    # Meanwhile staff resolve the case from the admin.
    workflow.resolve_case(case=case, outcome="referred", by=staff_user, note="转交街道处理。")
    problems.allow(r"HTTP 409 POST .*/m/cases/\d+/action/")
    page.locator(tid("case-action-resolve")).click()

    expect(page.locator(tid("message"))).to_be_visible()
    expect(page.locator(tid("case-state"))).to_have_class("m-status m-status--resolved")
    expect(page.locator(tid("case-action-resolve"))).to_have_count(0)
    # What was typed under "What was done" is given back, in the note form still drawn.
    expect(page.locator(tid("case-kept-text-hint"))).to_be_visible()
    expect(page.locator(tid("case-note"))).to_have_value("已为居民办结。")
    shot("stale-step-refused")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.RESOLVED, "referred")
    resolutions = case.events.filter(kind=CaseEventKind.TRANSITION, to_state=CaseState.RESOLVED)
    assert resolutions.count() == 1
