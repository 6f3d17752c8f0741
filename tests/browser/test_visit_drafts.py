"""A visit typed on a phone is never lost and never saved twice ("Log a visit").

No network, a double tap, an answer lost on the way back, a session that ended while the form
was open: each time the visit waits on the phone, is sent when it can be, and exactly one Visit
row is saved.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.phone import fill_visit, log_in, make_duty_day, make_photo, tid, visits_of


@pytest.fixture
def case(assistant, staff_user):
    _shift, case = make_duty_day(assistant=assistant, staff=staff_user)
    return case


def open_visit_form(page, case):
    """Bob, signed in, opens the visit form from his case."""
    log_in(page, "bob", "bob-pass-123")
    page.goto(f"/m/visits/new/?target=case:{case.pk}")
    expect(page.locator(tid("visit-target"))).to_have_value(f"case:{case.pk}")


def test_a_visit_saved_offline_waits_on_the_phone_and_is_sent_once_when_the_network_returns(
    page, context, shot, assistant, case, tmp_path
):
    open_visit_form(page, case)
    fill_visit(page, notes="地下室信号差，走访记录先存在手机上。")
    page.locator(tid("visit-photos")).set_input_files(
        make_photo(tmp_path / "site.jpg", size=(800, 600))
    )

    key = page.locator(tid("visit-idempotency-key")).input_value()
    context.set_offline(True)
    page.locator(tid("visit-submit")).click()
    expect(page.locator(tid("draft-status"))).to_have_attribute("data-state", "waiting")
    expect(page.locator(tid("draft-pending"))).to_have_attribute("data-state", "waiting")
    expect(page.locator(tid("draft-pending"))).to_be_visible()
    # The visit is kept; the form starts over for the next one, with a new submission key.
    cleared = page.locator("body").get_attribute("data-msg-cleared")
    expect(page.locator(tid("draft-status"))).to_contain_text(cleared)
    expect(page.locator(tid("visit-notes"))).to_have_value("")
    expect(page.locator(tid("visit-photos"))).to_have_value("")
    assert page.locator(tid("visit-idempotency-key")).input_value() not in ("", key)
    shot("waiting-to-send")
    assert not visits_of(assistant).exists()

    context.set_offline(False)
    expect(page.locator(tid("case-detail"))).to_be_visible()
    expect(page.locator(tid("visit-item"))).to_have_count(1)
    expect(page.locator(tid("draft-pending"))).to_be_hidden()
    shot("sent-when-back-online")
    visit = visits_of(assistant).get()
    assert visit.notes == "地下室信号差，走访记录先存在手机上。"
    assert visit.attachments.count() == 1  # the photo waited on the phone too


def test_a_visit_kept_offline_survives_closing_the_page_and_goes_with_the_next_page_opened(
    page, context, shot, assistant, case
):
    open_visit_form(page, case)
    fill_visit(page, notes="关掉页面也不丢。")
    context.set_offline(True)
    page.locator(tid("visit-submit")).click()
    expect(page.locator(tid("draft-status"))).to_have_attribute("data-state", "waiting")
    page.close()

    context.set_offline(False)
    later = context.new_page()
    later.goto("/m/")
    expect(later.locator(tid("draft-pending"))).to_have_attribute("data-state", "sent")
    shot("sent-from-the-next-page", on=later)
    assert visits_of(assistant).get().notes == "关掉页面也不丢。"


def test_a_double_tap_on_save_logs_one_visit(page, shot, assistant, case):
    open_visit_form(page, case)
    fill_visit(page, notes="双击保存。")

    page.locator(tid("visit-submit")).dblclick()

    expect(page.locator(tid("case-detail"))).to_be_visible()
    expect(page.locator(tid("visit-item"))).to_have_count(1)
    shot("saved-once")
    assert visits_of(assistant).count() == 1


def test_a_visit_whose_answer_was_lost_is_sent_again_with_its_key_and_saved_once(
    page, problems, shot, assistant, case
):
    open_visit_form(page, case)
    fill_visit(page, notes="服务器已保存，但回应在路上丢了。")
    answers_lost = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and not answers_lost:
            answers_lost.append(route.fetch().status)  # the server saves the visit…
            route.abort("timedout")  # …and the phone never hears back
        else:
            route.continue_()

    page.route("**/m/visits/new/", lose_the_first_answer)
    problems.allow(r"request failed: net::ERR_TIMED_OUT POST .*/m/visits/new/")
    page.locator(tid("visit-submit")).click()
    expect(page.locator(tid("draft-status"))).to_have_attribute("data-state", "waiting")
    shot("answer-lost")
    assert answers_lost == [201]
    assert visits_of(assistant).count() == 1

    # The next page the assistant opens sends what the phone still keeps, with the same key.
    page.locator(tid("nav-today")).click()
    expect(page.locator(tid("draft-pending"))).to_have_attribute("data-state", "sent")
    shot("sent-again")
    assert visits_of(assistant).count() == 1


@pytest.mark.parametrize(
    "forget",
    [
        pytest.param("sessionid", id="session-expired"),
        pytest.param(None, id="all-cookies-cleared"),
    ],
)
def test_a_visit_sent_after_the_session_ended_waits_for_the_login_and_is_sent_once(
    page, context, problems, shot, assistant, case, forget
):
    open_visit_form(page, case)
    fill_visit(page, notes="填表时会话过期。")

    if forget:
        context.clear_cookies(name=forget)  # the CSRF cookie outlives the session
    else:
        context.clear_cookies()
    # Without a session the view answers 401; without any cookie CSRF refuses it first (403).
    problems.allow(r"HTTP 40[13] POST .*/m/visits/new/")
    page.locator(tid("visit-submit")).click()
    expect(page.locator(tid("draft-status"))).to_have_attribute("data-state", "login")
    expect(page.locator(tid("draft-pending"))).to_have_attribute("data-state", "login")
    # It waits for the login, not for the network: the banner says so and nothing else.
    waits_for_login = page.locator("body").get_attribute("data-msg-waiting-login")
    expect(page.locator(tid("draft-pending-text"))).to_have_text(
        waits_for_login.replace("{count}", "1")
    )
    shot("session-ended")
    assert not visits_of(assistant).exists()

    page.locator(tid("draft-login-link")).click()
    page.locator(tid("login-username")).fill("bob")
    page.locator(tid("login-password")).fill("bob-pass-123")
    page.locator(tid("login-submit")).click()
    expect(page.locator(tid("draft-pending"))).to_have_attribute("data-state", "sent")
    shot("sent-after-login")
    visit = visits_of(assistant).get()
    assert (visit.case, visit.notes) == (case, "填表时会话过期。")
