"""A whole duty day on a phone-sized browser, then staff reading it in the admin."""

from PIL import Image
from playwright.sync_api import expect

from assistants.choices import ShiftStatus
from cases.choices import CaseState
from tests.browser.phone import (
    AT_THE_POINT,
    fill_visit,
    log_in,
    make_duty_day,
    make_photo,
    tid,
    visits_of,
)


def test_an_assistant_does_a_duty_day_from_the_phone_and_staff_see_the_visit_in_the_admin(
    page, context, staff_page, shot, assistant, staff_user, tmp_path, live_server
):
    shift, case = make_duty_day(assistant=assistant, staff=staff_user)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation(AT_THE_POINT)

    # Log in with the phone number on file and land on today's page, never the admin.
    page.goto("/m/")
    expect(page.locator(tid("login-form"))).to_be_visible()
    shot("login")
    log_in(page, assistant.phone, "bob-pass-123")
    expect(page).to_have_url("/m/")
    expect(page.locator(tid("shift-summary"))).to_have_attribute("data-shift-id", str(shift.pk))
    expect(page.locator(tid("today-case-item"))).to_have_count(1)
    shot("today")

    # Check in to today's shift; the phone's position goes with it.
    page.locator(tid("check-in-button")).click()
    expect(page.locator(tid("check-out-button"))).to_be_visible()
    shot("checked-in")
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.CHECKED_IN
    assert shift.check_in_distance_m < 100  # the phone's position went with the check-in
    assert not shift.check_in_far

    # Log a visit with a photo from the case.
    page.locator(tid("today-case-item")).locator("a").click()
    expect(page.locator(tid("case-detail"))).to_have_attribute("data-case-id", str(case.pk))
    shot("case")
    page.locator(tid("case-log-visit-link")).click()
    expect(page.locator(tid("visit-target"))).to_have_value(f"case:{case.pk}")
    fill_visit(page, notes="入户核对征收补偿协议条款，居民签字确认。")
    page.locator(tid("visit-photos")).set_input_files(make_photo(tmp_path / "agreement.jpg"))
    shot("visit-form")
    page.locator(tid("visit-submit")).click()
    expect(page.locator(tid("case-detail"))).to_be_visible()
    expect(page.locator(tid("visit-item"))).to_have_count(1)
    shot("visit-saved")
    visit = visits_of(assistant).get()
    assert (visit.case, visit.duration_minutes, visit.people_present) == (case, 45, 2)
    photo = visit.attachments.get()
    assert photo.content_type == "image/jpeg"
    with photo.file.open("rb") as kept:
        assert max(Image.open(kept).size) <= 1600  # resized on the server

    # Move the case to resolved.
    page.locator(tid("case-resolve-outcome")).select_option("resolved")
    page.locator(tid("case-resolve-note")).fill("协议条款已解释清楚，居民无异议。")
    page.locator(tid("case-action-resolve")).click()
    expect(page.locator(tid("case-follow-up-link"))).to_be_visible()
    shot("resolved")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.RESOLVED, "resolved")

    # Record the return visit.
    page.locator(tid("case-follow-up-link")).click()
    form = page.locator(tid("follow-up-form"))
    form.locator(f"{tid('follow-up-method')}[value=phone]").check()
    form.locator(f"{tid('follow-up-satisfaction')}[value='5']").check()
    # The 1–5 scale is one compact row of taps, not five full-width rows.
    tops = {
        round(form.locator(f"{tid('follow-up-satisfaction')}[value='{n}']").bounding_box()["y"])
        for n in range(1, 6)
    }
    assert len(tops) == 1
    form.locator(f"{tid('follow-up-still-solved')}[value=yes]").check()
    form.locator(tid("follow-up-notes")).fill("电话回访，居民表示满意。")
    shot("follow-up-form")
    page.locator(tid("follow-up-submit")).click()
    expect(page.locator(tid("case-action-close"))).to_be_visible()
    shot("followed-up")
    case.refresh_from_db()
    assert case.state == CaseState.FOLLOWED_UP
    follow_up = case.follow_ups.get()
    assert (follow_up.method, follow_up.satisfaction, follow_up.still_solved) == (
        "phone",
        5,
        True,
    )

    # Back to today's page and check out at the end of duty.
    page.locator(tid("nav-today")).click()
    page.locator(tid("check-out-button")).click()
    expect(page.locator(tid("check-out-button"))).to_have_count(0)
    shot("checked-out")
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.COMPLETED

    # Staff, at a desk, find the visit with its photo in the admin.
    staff_page.goto("/admin/cases/visit/")
    staff_page.locator("#id_username").fill("alice")
    staff_page.locator("#id_password").fill("alice-pass-123")
    staff_page.locator("#login-form [type=submit]").click()
    rows = staff_page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    shot("admin-visit-list", on=staff_page)
    rows.first.locator("th a").click()
    expect(staff_page).to_have_url(f"/admin/cases/visit/{visit.pk}/change/")
    download = staff_page.locator(f'.inline-group a[href="{photo.get_absolute_url()}"]')
    expect(download).to_have_count(1)
    shot("admin-visit", on=staff_page)
