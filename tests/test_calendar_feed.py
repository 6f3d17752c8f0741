"""The private calendar feed, fetched like a phone would and read back with a real parser."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assistants import shifts
from assistants.calendar import reset_calendar_token
from talentoffice.models import NotificationPreference
from tests import factories
from tests.factories.shifts import dispatch_all, local, make_leave, make_rota, make_shift

NOW = local(date(2026, 3, 2), time(8))
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def point(db):
    return factories.make_service_point(
        name="台江区人才助理专窗", address="台江区工业路1号", latitude=26.06, longitude=119.31
    )


@pytest.fixture
def dave(partner_a):
    user = get_user_model().objects.create_user("dave", password="dave-pass-123")
    return factories.make_assistant(partner=partner_a, name="戴维", user=user)


@pytest.fixture
def bobs_shift(point, assistant, dave):
    dispatch_all(point, assistant, dave)
    return make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 3))


def feed_url(assistant):
    return reverse("calendar:feed", kwargs={"token": assistant.calendar_token})


def fetch(client, assistant) -> icalendar.Calendar:
    response = client.get(feed_url(assistant))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_of(calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_is_a_calendar_in_shanghai_time_needing_no_login(client, assistant, bobs_shift):
    calendar = fetch(client, assistant)

    assert str(calendar["VERSION"]) == "2.0"
    assert "TalentOffice" in str(calendar["PRODID"])
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert assistant.name in str(calendar["X-WR-CALNAME"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"shift-{bobs_shift.pk}@talentoffice"
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
    assert event.start == datetime(2026, 3, 3, 9, tzinfo=SHANGHAI)
    assert event.end == datetime(2026, 3, 3, 12, tzinfo=SHANGHAI)
    assert event.start.utcoffset() == timedelta(hours=8)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert str(event["LOCATION"]) == "台江区工业路1号"
    assert event["LAST-MODIFIED"].dt == bobs_shift.updated_at
    assert event["DTSTAMP"].dt == bobs_shift.updated_at


def test_the_summary_names_the_point_and_specialty_in_chinese_by_default(
    client, assistant, bobs_shift
):
    [event] = fetch(client, assistant).walk("VEVENT")

    assert "台江区人才助理专窗" in str(event["SUMMARY"])
    assert "金融" in str(event["SUMMARY"])


def test_the_summary_follows_the_assistants_language(client, assistant, bobs_shift):
    NotificationPreference.objects.create(user=assistant.user, language="en")

    [event] = fetch(client, assistant).walk("VEVENT")

    assert str(event["SUMMARY"]) == "台江区人才助理专窗 · finance duty"


def test_uids_and_content_are_stable_across_fetches(client, assistant, bobs_shift, point):
    make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 5))

    first = client.get(feed_url(assistant)).content
    second = client.get(feed_url(assistant)).content

    assert first == second
    uids = set(events_of(icalendar.Calendar.from_ical(first)))
    assert len(uids) == 2
    assert f"shift-{bobs_shift.pk}@talentoffice" in uids


def test_a_shift_swapped_away_is_cancelled_with_a_higher_sequence(
    client, assistant, dave, bobs_shift
):
    uid = f"shift-{bobs_shift.pk}@talentoffice"
    before = events_of(fetch(client, assistant))[uid]
    swap = shifts.offer_shift(shift=bobs_shift, by_assistant=assistant, to_assistant=dave)
    shifts.accept_swap(swap=swap, by_assistant=dave)

    after = events_of(fetch(client, assistant))[uid]
    daves = events_of(fetch(client, dave))[uid]

    assert str(after["STATUS"]) == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(daves["STATUS"]) == "CONFIRMED"
    assert daves["SEQUENCE"] == after["SEQUENCE"]


def test_a_shift_opened_by_leave_is_cancelled_in_the_feed(
    client, assistant, bobs_shift, staff_user
):
    leave = make_leave(assistant=assistant, status="requested")
    shifts.approve_leave(unavailability=leave, by=staff_user)

    event = events_of(fetch(client, assistant))[f"shift-{bobs_shift.pk}@talentoffice"]

    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_a_cancelled_shift_is_cancelled_in_the_feed(client, assistant, point):
    dispatch_all(point, assistant)
    make_shift(service_point=point, assistant=assistant, status="cancelled", sequence=2)

    [event] = fetch(client, assistant).walk("VEVENT")

    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 2)


def test_an_offer_turned_down_leaves_the_shift_confirmed(client, assistant, dave, bobs_shift):
    swap = shifts.offer_shift(shift=bobs_shift, by_assistant=assistant)
    shifts.cancel_swap(swap=swap, by_assistant=assistant)

    [event] = fetch(client, assistant).walk("VEVENT")

    assert str(event["STATUS"]) == "CONFIRMED"
    assert fetch(client, dave).walk("VEVENT") == []


def test_the_feed_never_shows_other_assistants_shifts_drafts_or_far_away_dates(
    client, assistant, second_assistant, point, bobs_shift
):
    dispatch_all(point, second_assistant)
    make_shift(service_point=point, assistant=second_assistant, date=date(2026, 3, 3))
    make_shift(service_point=point, date=date(2026, 3, 4))
    make_shift(
        service_point=point,
        assistant=assistant,
        date=date(2026, 3, 10),
        rota=make_rota(status="draft"),
    )
    make_shift(service_point=point, assistant=assistant, date=date(2025, 12, 1))
    make_shift(service_point=point, assistant=assistant, date=date(2026, 9, 30))
    recent = make_shift(service_point=point, assistant=assistant, date=date(2026, 1, 5))

    uids = set(events_of(fetch(client, assistant)))

    assert uids == {
        f"shift-{bobs_shift.pk}@talentoffice",
        f"shift-{recent.pk}@talentoffice",
    }


def test_the_feed_runs_two_queries_whatever_the_number_of_shifts(
    client, assistant, point, django_assert_num_queries
):
    dispatch_all(point, assistant)
    for day in range(2, 30):
        make_shift(service_point=point, assistant=assistant, date=date(2026, 3, day))

    # 1. the assistant by token, with their login and language preference
    # 2. their shifts in the window, with service points, and the ones they lost
    with django_assert_num_queries(2):
        calendar = fetch(client, assistant)

    assert len(calendar.walk("VEVENT")) == 28


def test_resetting_the_token_makes_the_old_url_answer_404(client, assistant, bobs_shift):
    old_url = feed_url(assistant)

    new_token = reset_calendar_token(assistant=assistant)

    assistant.refresh_from_db()
    assert assistant.calendar_token == new_token
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(assistant)).status_code == 200


def test_an_unknown_token_answers_404(client, db):
    response = client.get(reverse("calendar:feed", kwargs={"token": "not-a-real-token"}))

    assert response.status_code == 404


def test_a_withdrawn_assistants_feed_answers_404(client, assistant, bobs_shift):
    assistant.status = "withdrawn"
    assistant.save()

    assert client.get(feed_url(assistant)).status_code == 404


def test_the_feed_may_not_be_cached_by_shared_caches(client, assistant):
    response = client.get(feed_url(assistant))

    assert "private" in response["Cache-Control"]
    assert client.post(feed_url(assistant)).status_code == 405
