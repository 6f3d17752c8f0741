"""Staff pages in a browser: the rota form keeps its dates in zh-hans; the dashboard fits
a phone."""

import re

from playwright.sync_api import expect

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_the_generate_form_shows_its_dates_in_zh_hans_and_sends_them(
    staff_page, shot, staff_user, problems
):
    page = staff_page
    page.goto("/admin/login/?next=/rota/")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("alice-pass-123")
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url("/rota/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    first, last = page.locator("#id_starts_on"), page.locator("#id_ends_on")
    # A value the date picker cannot read leaves it blank: value "" and nothing to send.
    assert ISO_DAY.match(first.input_value()), first.input_value()
    assert ISO_DAY.match(last.input_value()), last.input_value()
    assert first.evaluate("input => input.validity.valid")
    shot("generate-form", on=page)

    # Sent back with an error (the last day before the first), the form keeps both dates.
    last.fill("2027-01-01")
    first.fill("2027-01-31")
    last.evaluate("input => input.form.requestSubmit()")
    # The server's answer to a form with an error is a 400 with the form: expected here.
    problems.allow(r"HTTP 400 POST .*/rota/generate/")
    expect(page.locator("#id_starts_on")).to_have_value("2027-01-31")
    expect(page.locator("#id_ends_on")).to_have_value("2027-01-01")
    shot("generate-form-sent-back", on=page)


def test_the_dashboard_fits_a_412_px_wide_phone(new_context, shot, staff_user):
    page = new_context(
        viewport={"width": 412, "height": 915}, locale="zh-CN", timezone_id="Asia/Shanghai"
    ).new_page()
    page.goto("/admin/login/?next=/staff/dashboard/")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("alice-pass-123")
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url("/staff/dashboard/")

    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 412, wide
    shot("dashboard-412", on=page)
