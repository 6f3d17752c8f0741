"""Each assistant's private iCalendar (RFC 5545) feed of their duty shifts.

A phone subscribes once to /calendar/<token>.ics and polls it. Every shift keeps one UID for
life, so a change replaces the phone's copy instead of adding a second one; SEQUENCE (bumped by
the services in `assistants.shifts`) tells the phone which copy is newer. A shift the assistant
lost (handed over by a swap, opened by leave, moved to someone by staff) stays in their feed as
STATUS:CANCELLED for the feed's window, so calendar apps remove it rather than keep a stale one.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from talentoffice.notifications import language_of

from .choices import ShiftEventKind, ShiftStatus
from .models import Assistant, Shift, ShiftEvent, new_calendar_token

PRODID = "-//TalentOffice//Duty rota//ZH"
FEED_DAYS_BACK = 60
FEED_DAYS_AHEAD = 180
FEED_TIMEZONE = "Asia/Shanghai"

# Events that prove the assistant held the shift at that moment: if they no longer hold it,
# they lost it. (SWAP_ACCEPTED is not one: the colleague may have been turned down.)
HELD_KINDS = (
    ShiftEventKind.ASSIGNED,
    ShiftEventKind.UNASSIGNED,
    ShiftEventKind.SWAP_OFFERED,
    ShiftEventKind.SWAP_APPROVED,
    ShiftEventKind.OPENED_BY_LEAVE,
    ShiftEventKind.CHECKED_IN,
)


def uid_of(shift) -> str:
    """The shift's UID in every feed, for good."""
    return f"shift-{shift.pk}@talentoffice"


def feed_shifts(*, assistant, now=None) -> list[tuple[Shift, bool]]:
    """The assistant's published shifts in the feed window, each with "cancelled for them"."""
    now = now or timezone.now()
    start = now - timedelta(days=FEED_DAYS_BACK)
    end = now + timedelta(days=FEED_DAYS_AHEAD)
    once_held = ShiftEvent.objects.filter(assistant=assistant, kind__in=HELD_KINDS).values(
        "shift_id"
    )
    shifts = (
        Shift.objects.published()
        .between(start, end)
        .filter(Q(assistant=assistant) | Q(pk__in=once_held))
        .select_related("service_point")
        .order_by("starts_at", "pk")
    )
    return [
        (shift, shift.assistant_id != assistant.pk or shift.status == ShiftStatus.CANCELLED)
        for shift in shifts
    ]


def _event(shift, *, cancelled: bool) -> icalendar.Event:
    tz = ZoneInfo(FEED_TIMEZONE)
    point = shift.service_point
    summary = gettext("%(point)s · %(specialty)s duty") % {
        "point": point.name,
        "specialty": shift.get_specialty_display(),
    }
    event = icalendar.Event.new(
        uid=uid_of(shift),
        start=shift.starts_at.astimezone(tz),
        end=shift.ends_at.astimezone(tz),
        summary=summary,
        location=point.address,
        sequence=shift.sequence,
        stamp=shift.updated_at,
        last_modified=shift.updated_at,
    )
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    if point.latitude is not None and point.longitude is not None:
        event.add("GEO", (float(point.latitude), float(point.longitude)))
    return event


def render_feed(*, assistant, now=None) -> bytes:
    """The whole feed as iCalendar bytes, written in the assistant's language (zh-hans default)."""
    now = now or timezone.now()
    language = language_of(assistant.user) if assistant.user_id else settings.LANGUAGE_CODE
    with translation.override(language):
        name = gettext("%(name)s · duty shifts") % {"name": assistant.name}
        calendar = icalendar.Calendar.new(
            prodid=PRODID,
            name=name,
            # A fixed UID: a random one would make every fetch look like another calendar.
            uid=f"calendar-{assistant.pk}@talentoffice",
            refresh_interval=timedelta(hours=1),
        )
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # required by RFC 7986
        calendar.add("X-WR-TIMEZONE", FEED_TIMEZONE)
        calendar.add("X-PUBLISHED-TTL", "PT1H")
        # Only the years the window touches: the VTIMEZONE stays one short STANDARD block
        # instead of China's whole history since 1970 (summer time in 1986–1991).
        first = (now - timedelta(days=FEED_DAYS_BACK)).date().replace(month=1, day=1)
        last = (now + timedelta(days=FEED_DAYS_AHEAD)).date().replace(month=12, day=31)
        calendar.add_component(
            icalendar.Timezone.from_tzid(FEED_TIMEZONE, first_date=first, last_date=last)
        )
        for shift, cancelled in feed_shifts(assistant=assistant, now=now):
            calendar.add_component(_event(shift, cancelled=cancelled))
    return calendar.to_ical()


@transaction.atomic
def reset_calendar_token(*, assistant) -> str:
    """Give the assistant a new feed URL; the old one answers 404 from now on."""
    assistant.calendar_token = new_calendar_token()
    Assistant.objects.filter(pk=assistant.pk).update(
        calendar_token=assistant.calendar_token, updated_at=timezone.now()
    )
    return assistant.calendar_token
