"""A staff member's morning in a real browser: log in, land on the workspace, assign a new case
from its suggestions, approve a leave request, find a case by search; axe-core finds no serious
or critical accessibility problem on the workspace, a queue page and the search page."""

from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.factories.assign import make_case
from tests.factories.shifts import dispatch_all, make_leave, make_shift

# axe-core, vendored for the tests only (tests/browser/vendor/README.md); the site never serves it.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")


def serious_violations(page):
    """axe-core's serious and critical findings on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(
        """() => axe.run(document).then(result => result.violations
            .filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"""
    )


def test_a_staff_morning_on_the_workspace(staff_page, shot, staff_user):
    page = staff_page
    point = factories.make_service_point(name="瀛洲社区服务点")
    partner = factories.make_partner(sector="legal", kind="law_firm", name="闽众律所")
    lawyer = factories.make_assistant(partner=partner, name="陈律师")
    dispatch_all(point, lawyer, starts_on=date(2026, 1, 1))
    item = factories.make_service_item(specialty="legal", name="法律咨询")
    case = make_case(title="房屋征收补偿咨询", service_item=item, service_point=point)
    today = timezone.localdate()
    make_shift(
        service_point=point, assistant=lawyer, specialty="legal", date=today + timedelta(days=3)
    )
    make_leave(
        assistant=lawyer,
        status="requested",
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=3),
    )

    page.goto("/admin/login/?next=/staff/")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("alice-pass-123")
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url("/staff/")
    expect(page.locator('[data-queue="new"] .queue-count')).to_have_text("1")
    shot("workspace")
    assert serious_violations(page) == []

    page.locator('[data-queue="new"] a').click()
    expect(page).to_have_url("/staff/queues/new/")
    assert serious_violations(page) == []
    shot("new-cases")
    page.get_by_role("button", name="分派给陈律师").click()
    expect(page.locator(".messagelist")).to_contain_text(f"案件{case.number}已分派给陈律师")
    shot("assigned")

    page.goto("/staff/queues/leave/")
    page.get_by_role("button", name="批准").click()
    expect(page.locator(".messagelist")).to_contain_text("陈律师的请假已批准")
    shot("leave-approved")

    page.locator("#site-search-q").fill("征收")
    page.locator("#site-search-q").press("Enter")
    expect(page.locator('[data-kind="cases"]')).to_contain_text(case.number)
    assert serious_violations(page) == []
    shot("search")
