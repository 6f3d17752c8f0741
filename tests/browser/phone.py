"""What an assistant does with the phone in every browser test, and the day's data they meet.

Elements are found by data-testid (docs/mobile.md lists them), never by their text, so the
tests read the same in Chinese and English.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from cases.models import Visit
from tests import factories
from tests.factories.visits import make_case_in_progress

# The service point's position, and where the phone says it is: about 30 m away, on duty.
POINT = {"latitude": Decimal("26.052300"), "longitude": Decimal("119.310800")}
AT_THE_POINT = {"latitude": 26.0525, "longitude": 119.3110}


def tid(name: str) -> str:
    return f"[data-testid={name}]"


def make_duty_day(*, assistant, staff):
    """Today's shift for `assistant`, on since 30 minutes, and a case they are working on."""
    point = factories.make_service_point(name="上海街道社区服务点", **POINT)
    factories.make_dispatch(assistant=assistant, service_point=point)
    now = timezone.now()
    starts = now - timedelta(minutes=30)
    shift = factories.make_shift(
        date=timezone.localdate(starts),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        assistant=assistant,
        service_point=point,
    )
    case = make_case_in_progress(
        lead=assistant,
        by=staff,
        title="房屋征收补偿协议咨询",
        resident=factories.make_resident(name="王秀英", phone="13800138000"),
    )
    return shift, case


def make_photo(path, size=(2400, 1800)):
    """A camera-sized JPEG (larger than the server keeps), with something in it to look at."""
    image = Image.new("RGB", size, (210, 225, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill=(159, 29, 36)
    )
    image.save(path, "JPEG", quality=80)
    return path


def log_in(page, username, password):
    """Sign in on /m/login/ and land on today's page."""
    page.goto("/m/login/")
    page.locator(tid("login-username")).fill(username)
    page.locator(tid("login-password")).fill(password)
    page.locator(tid("login-submit")).click()
    expect(page.locator(tid("today-next-shift"))).to_be_visible()


def fill_visit(page, *, notes, minutes=45, people=2):
    """Fill the visit form opened from a case (the case is already chosen)."""
    page.locator(tid("visit-duration")).fill(str(minutes))
    page.locator(tid("visit-people")).fill(str(people))
    page.locator(tid("visit-notes")).fill(notes)


def visits_of(assistant):
    return Visit.objects.filter(assistant=assistant)
