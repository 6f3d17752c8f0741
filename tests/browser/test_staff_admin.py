"""Staff in the admin, in a real browser: the proof that the browser harness works."""

from playwright.sync_api import expect

from tests.factories.assign import make_case_in_progress


def test_staff_log_in_to_the_admin_and_see_the_index_and_the_case_list(
    staff_page, shot, staff_user, assistant
):
    page = staff_page  # staff work at a desk, in a desktop-sized window
    case = make_case_in_progress(lead=assistant, by=staff_user)

    page.goto("/admin/")
    expect(page.locator("#login-form")).to_be_visible()
    shot("login", on=page)
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("alice-pass-123")
    page.locator("#login-form [type=submit]").click()

    expect(page).to_have_url("/admin/")
    case_list = page.locator('#content-main a[href="/admin/cases/case/"]').first
    expect(case_list).to_be_visible()
    shot("index", on=page)

    case_list.click()
    expect(page).to_have_url("/admin/cases/case/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    shot("case-list", on=page)


def test_the_harness_notices_failed_requests_errors_and_pages_wider_than_the_phone(
    page, problems, shot
):
    page.goto("/m/login/")
    page.evaluate("fetch('/static/no-such-file.js')")
    page.evaluate("setTimeout(() => { throw new Error('boom') })")
    page.evaluate(
        "() => { const wide = document.createElement('div');"
        " wide.style.width = '2000px'; wide.textContent = '宽'; document.body.append(wide); }"
    )
    page.wait_for_timeout(200)
    shot("wider-than-the-phone")

    found = problems.unexpected()
    assert any("HTTP 404 GET" in text for text in found), found
    assert any("boom" in text for text in found), found
    assert any("page wider than the window" in text for text in found), found
    problems.allow(r"HTTP 404 GET .*/static/no-such-file\.js")
    problems.allow(r"uncaught exception: .*boom")
    problems.allow(r"page wider than the window")
    assert problems.unexpected() == []
