"""The dashboard on a phone: its per-item table scrolls inside its own box, never the page."""

from playwright.sync_api import expect

from tests import factories
from tests.factories.assign import make_case


def test_the_dashboard_fits_a_412_px_screen_with_the_item_table_scrolling_in_its_box(
    new_context, staff_user
):
    page = new_context(viewport={"width": 412, "height": 915}).new_page()
    point = factories.make_service_point(name="瀛洲社区服务点")
    for number in range(3):
        item = factories.make_service_item(
            specialty="legal", name=f"企业劳动用工合规审查与风险防范咨询{number}"
        )
        make_case(title="劳动合同纠纷", service_item=item, service_point=point)

    page.goto("/admin/login/?next=/staff/dashboard/")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("alice-pass-123")
    page.locator("#login-form [type=submit]").click()
    expect(page.locator('[data-testid="items"]')).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 412
    box = page.locator(".table-scroll")
    assert box.evaluate("el => el.clientWidth") <= 412
