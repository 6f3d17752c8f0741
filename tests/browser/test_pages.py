"""The rest of an assistant's pages on a phone: shifts and swaps, calendar, cases, inbox, language.

Each step leaves a screenshot, so that a person can judge every /m/ page as a phone shows it.
"""

from datetime import time, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from assistants import shifts
from assistants.models import Shift
from cases import visits
from cases.models import Case
from talentoffice.models import Notification
from tests import factories
from tests.browser.phone import log_in, make_duty_day, tid
from tests.factories.shifts import local
from tests.factories.visits import make_assigned_case


def test_an_assistant_sees_their_shifts_takes_a_colleagues_offer_and_finds_the_calendar_code(
    page, shot, assistant, staff_user, partner_a
):
    today_shift, _case = make_duty_day(assistant=assistant, staff=staff_user)
    point = today_shift.service_point
    day = timezone.localdate()
    tomorrow = factories.make_shift(
        date=day + timedelta(days=1),
        starts_at=local(day + timedelta(days=1), time(9)),
        ends_at=local(day + timedelta(days=1), time(12)),
        assistant=assistant,
        service_point=point,
    )
    colleague = factories.make_assistant(partner=partner_a, name="郑丽")
    factories.make_dispatch(assistant=colleague, service_point=point)
    offered = factories.make_shift(
        date=day + timedelta(days=2),
        starts_at=local(day + timedelta(days=2), time(14)),
        ends_at=local(day + timedelta(days=2), time(17)),
        assistant=colleague,
        service_point=point,
    )
    shifts.offer_shift(shift=offered, by_assistant=colleague, note="家中有事，麻烦帮忙顶班。")
    log_in(page, "bob", "bob-pass-123")

    page.locator(tid("nav-shifts")).click()
    expect(page.locator(tid("swap-offer-item"))).to_have_count(1)
    expect(page.locator(f"{tid('shift-upcoming')} {tid('shift-item')}")).to_have_count(2)
    shot("shifts-with-an-offer")

    # Every offer, a page at a time (the shifts page shows the first five).
    page.goto("/m/swaps/")
    expect(page.locator(tid("swap-offer-item"))).to_have_count(1)
    expect(page.locator(tid("swap-offer-item"))).to_contain_text("家中有事")
    shot("offers-to-me")

    page.locator(tid("nav-shifts")).click()
    page.locator(tid("swap-accept-button")).click()
    expect(page.locator(tid("swap-offer-item"))).to_have_count(0)
    expect(page.locator(f"{tid('shift-upcoming')} {tid('shift-item')}")).to_have_count(3)
    shot("offer-taken")
    assert Shift.objects.get(pk=offered.pk).assistant == assistant

    page.locator(f"{tid('shift-item')}[data-shift-id='{tomorrow.pk}'] a").click()
    expect(page.locator(tid("shift-offer-form"))).to_be_visible()
    shot("shift-detail")

    page.locator(tid("calendar-link")).click()
    expect(page.locator(f"{tid('calendar-qr')} svg")).to_be_visible()
    expect(page.locator(tid("calendar-url"))).to_contain_text(assistant.calendar_token)
    shot("calendar")


def test_an_assistant_works_through_cases_visits_and_the_inbox_in_chinese_and_english(
    page, shot, assistant, staff_user
):
    _shift, case = make_duty_day(assistant=assistant, staff=staff_user)
    waiting = make_assigned_case(
        lead=assistant,
        by=staff_user,
        title="小微企业贷款贴息申请",
        enterprise=factories.make_enterprise(name="福州闽江茶业有限公司"),
    )
    visits.log_visit(
        assistant=assistant,
        kind="consultation",
        occurred_at=timezone.now() - timedelta(hours=1),
        duration_minutes=30,
        case=case,
        resident=case.resident,
        notes="电话预约上门时间。",
    )
    Notification.objects.create(
        recipient=assistant.user,
        kind="case.warning",
        target=case,
        occasion="browser",
        subject="诉求即将到期",
        body=f"{case.number} 将于两个工作日内到期，请尽快办理。",
    )
    # Both cases were given to bob, and he was told; he has read those two already.
    Notification.objects.filter(recipient=assistant.user, kind="case.assigned").update(
        read_at=timezone.now()
    )
    log_in(page, "bob", "bob-pass-123")
    expect(page.locator(tid("unread-count"))).to_have_text("1")

    # Cases: the list, a filter, accepting the one that waits.
    page.locator(tid("nav-cases")).click()
    expect(page.locator(tid("case-item"))).to_have_count(2)
    shot("cases")
    # The filters wrap on a 390 px screen rather than cut "Any due date" short, and only the
    # tab of the page shown looks current (not "Log visit" everywhere).
    assert page.locator(tid("case-filter-due")).bounding_box()["width"] >= 150
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator(tid("nav-cases"))).to_have_attribute("aria-current", "page")
    tab_background = "el => getComputedStyle(el).backgroundColor"
    assert page.locator(tid("nav-visit")).evaluate(tab_background) == page.locator(
        tid("nav-today")
    ).evaluate(tab_background)
    page.locator(tid("case-filter-state")).select_option("assigned")
    page.locator(tid("case-filter-submit")).click()
    expect(page.locator(tid("case-item"))).to_have_count(1)
    page.locator(tid("case-item")).locator("a").click()
    page.locator(tid("case-action-accept")).click()
    expect(page.locator(tid("case-resolve-form"))).to_be_visible()
    shot("case-accepted")
    waiting.refresh_from_db()
    assert waiting.state == "in_progress"

    # A new case: the resident is found among mine by phone number, and recognised by it.
    page.locator(tid("nav-cases")).click()
    page.locator(tid("case-new-link")).click()
    page.locator(tid("case-new-search")).fill("13800138000")
    page.locator(tid("case-new-search-button")).click()
    expect(page.locator(tid("case-new-match"))).to_have_count(1)
    shot("new-case-search")
    page.locator(tid("case-new-match")).locator("a").click()
    expect(page.locator(tid("case-new-chosen"))).to_be_visible()
    expect(page.locator(tid("case-new-kind"))).to_have_count(0)
    page.locator(tid("case-new-item")).select_option(index=1)
    page.locator(tid("case-new-title")).fill("征收安置房交房时间咨询")
    page.locator(tid("case-new-description")).fill("居民询问安置房预计交房时间。")
    shot("new-case")
    page.locator(tid("case-new-submit")).click()
    expect(page.locator(tid("case-detail"))).to_be_visible()
    shot("new-case-opened")
    opened = Case.objects.get(title="征收安置房交房时间咨询")
    assert (opened.lead, opened.resident, opened.state) == (assistant, case.resident, "in_progress")

    # My visits, and one of them.
    page.locator(tid("my-visits-link")).click()
    expect(page.locator(tid("visit-item"))).to_have_count(1)
    shot("my-visits")
    page.locator(tid("visit-item")).locator("a").click()
    expect(page.locator(tid("visit-detail"))).to_be_visible()
    shot("visit-detail")

    # The inbox: a notification leads to its case and is read.
    page.locator(tid("nav-inbox")).click()
    expect(page.locator(f"{tid('inbox-item')}[data-unread='1']")).to_have_count(1)
    shot("inbox")
    page.locator(f"{tid('inbox-item')}[data-unread='1']").locator("a").click()
    expect(page.locator(tid("case-detail"))).to_have_attribute("data-case-id", str(case.pk))
    page.locator(tid("nav-today")).click()
    expect(page.locator(tid("unread-count"))).to_have_text("0")

    page.locator(tid("password-change-link")).click()
    expect(page.locator(tid("password-form"))).to_be_visible()
    shot("password-change")

    # English, and back to Chinese.
    page.locator(tid("nav-today")).click()
    page.locator(tid("lang-en")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(tid("lang-en"))).to_have_attribute("aria-pressed", "true")
    shot("today-in-english")
    page.locator(tid("nav-cases")).click()
    shot("cases-in-english")
    page.locator(tid("lang-zh")).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
