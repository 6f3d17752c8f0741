"""Attendance: check-in in its window by the shift's own assistant, check-out, missed shifts."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from assistants import shifts
from assistants.models import Shift, ShiftEvent
from tests import factories
from tests.factories.shifts import local, make_rota, make_shift

DAY = date(2026, 3, 3)
START = local(DAY, time(9))
END = local(DAY, time(12))


@pytest.fixture
def shift(assistant):
    """Bob's shift on Tuesday from 09:00 to 12:00."""
    return make_shift(assistant=assistant, date=DAY)


def events(shift):
    return list(ShiftEvent.objects.filter(shift=shift).values_list("kind", "assistant_id"))


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (START - timedelta(minutes=31), False),
        (START - timedelta(minutes=30), True),
        (START + timedelta(minutes=40), True),
        (END - timedelta(seconds=1), True),
        (END, False),
    ],
    ids=["31-min-early", "30-min-early", "40-min-late", "last-second", "at-the-end"],
)
def test_check_in_is_open_from_half_an_hour_before_the_start_until_the_end(
    shift, assistant, at, allowed
):
    if allowed:
        shifts.check_in(shift=shift, assistant=assistant, at=at)
    else:
        with pytest.raises(shifts.OutsideCheckInWindow):
            shifts.check_in(shift=shift, assistant=assistant, at=at)

    shift.refresh_from_db()
    assert shift.status == ("checked_in" if allowed else "scheduled")
    assert shift.checked_in_at == (at if allowed else None)


def test_check_in_uses_the_current_time_and_keeps_the_location(shift, assistant, time_machine):
    time_machine.move_to(START - timedelta(minutes=5), tick=False)

    shifts.check_in(shift=shift, assistant=assistant, latitude=26.0614, longitude="119.3061")

    shift.refresh_from_db()
    assert shift.checked_in_at == START - timedelta(minutes=5)
    assert (shift.check_in_latitude, shift.check_in_longitude) == (
        Decimal("26.061400"),
        Decimal("119.306100"),
    )
    assert events(shift) == [("checked_in", assistant.pk)]


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(91, 119), (26, -181), ("north", 119), (26, None), (float("nan"), 119)],
    ids=["latitude-too-big", "longitude-too-small", "not-a-number", "half-a-pair", "nan"],
)
def test_a_check_in_with_a_bad_location_is_refused(shift, assistant, latitude, longitude):
    with pytest.raises(shifts.BadLocation):
        shifts.check_in(
            shift=shift, assistant=assistant, at=START, latitude=latitude, longitude=longitude
        )

    shift.refresh_from_db()
    assert shift.status == "scheduled"


def test_only_the_shifts_assistant_can_check_in(shift, second_assistant):
    with pytest.raises(shifts.NotYourShift):
        shifts.check_in(shift=shift, assistant=second_assistant, at=START)

    shift.refresh_from_db()
    assert shift.status == "scheduled"
    assert events(shift) == []


def test_a_shift_of_an_unpublished_rota_cannot_be_checked_in(assistant):
    shift = make_shift(assistant=assistant, date=DAY, rota=make_rota(status="draft"))

    with pytest.raises(shifts.NotYourShift):
        shifts.check_in(shift=shift, assistant=assistant, at=START)


def test_an_assistant_checks_in_only_once(shift, assistant):
    shifts.check_in(shift=shift, assistant=assistant, at=START)

    with pytest.raises(shifts.AlreadyCheckedIn):
        shifts.check_in(shift=shift, assistant=assistant, at=START + timedelta(minutes=5))

    shift.refresh_from_db()
    assert shift.checked_in_at == START
    assert events(shift) == [("checked_in", assistant.pk)]


def test_a_cancelled_shift_cannot_be_checked_in(assistant):
    shift = make_shift(assistant=assistant, date=DAY, status="cancelled")

    with pytest.raises(shifts.CheckInError):
        shifts.check_in(shift=shift, assistant=assistant, at=START)


def test_check_out_needs_a_check_in_first_and_completes_the_shift(shift, assistant):
    with pytest.raises(shifts.NotCheckedIn):
        shifts.check_out(shift=shift, assistant=assistant, at=END)

    shifts.check_in(shift=shift, assistant=assistant, at=START)
    with pytest.raises(shifts.CheckInError):
        shifts.check_out(shift=shift, assistant=assistant, at=START - timedelta(minutes=1))
    shifts.check_out(shift=shift, assistant=assistant, at=END + timedelta(minutes=3))

    shift.refresh_from_db()
    assert shift.status == "completed"
    assert shift.checked_out_at == END + timedelta(minutes=3)
    assert events(shift) == [("checked_in", assistant.pk), ("checked_out", assistant.pk)]
    with pytest.raises(shifts.NotCheckedIn):
        shifts.check_out(shift=shift, assistant=assistant, at=END + timedelta(minutes=5))
    with pytest.raises(shifts.AlreadyCheckedIn):
        shifts.check_in(shift=shift, assistant=assistant, at=END - timedelta(minutes=5))


def test_only_the_shifts_assistant_can_check_out(shift, assistant, second_assistant):
    shifts.check_in(shift=shift, assistant=assistant, at=START)

    with pytest.raises(shifts.NotYourShift):
        shifts.check_out(shift=shift, assistant=second_assistant, at=END)

    shift.refresh_from_db()
    assert shift.status == "checked_in"


# Missed shifts


@pytest.fixture
def tuesday(assistant, second_assistant, partner_a):
    """Shifts of Tuesday morning in every state the sweep must tell apart."""
    point = factories.make_service_point()
    others = [factories.make_assistant(partner=partner_a) for _ in range(4)]
    return {
        "late": make_shift(service_point=point, assistant=assistant, date=DAY),
        "late_legal": make_shift(service_point=point, assistant=second_assistant, date=DAY),
        "checked_in": make_shift(
            service_point=point,
            assistant=others[0],
            date=DAY,
            status="checked_in",
            checked_in_at=START,
        ),
        "open": make_shift(service_point=point, date=DAY),
        "cancelled": make_shift(
            service_point=point, assistant=others[1], date=DAY, status="cancelled"
        ),
        "draft": make_shift(
            service_point=point, assistant=others[2], date=DAY, rota=make_rota(status="draft")
        ),
        "later": make_shift(service_point=point, assistant=others[3], date=DAY, starts=time(9, 10)),
    }


def test_assigned_published_shifts_unchecked_past_the_grace_time_are_marked_missed(
    tuesday, time_machine, django_assert_num_queries
):
    now = START + timedelta(minutes=15, seconds=30)
    time_machine.move_to(now, tick=False)

    # 1. SAVEPOINT (the test runs in a transaction), 2. claim the due rows with
    # SELECT ... FOR UPDATE OF shift SKIP LOCKED, 3. one UPDATE, 4. one INSERT of their history,
    # 5. one INSERT of their audit entries, 6. RELEASE SAVEPOINT: the same six for two shifts or
    # ten thousand.
    with django_assert_num_queries(6) as captured:
        missed = shifts.mark_missed_shifts(now=now)

    if connection.vendor == "postgresql":  # SQLite has no row locks, and needs none
        assert "FOR UPDATE" in captured.captured_queries[1]["sql"]
    expected = {tuesday["late"].pk, tuesday["late_legal"].pk}
    assert set(missed) == expected
    statuses = dict(Shift.objects.values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == "missed"} == expected
    assert statuses[tuesday["later"].pk] == "scheduled"
    history = ShiftEvent.objects.filter(kind="missed")
    assert {(e.shift_id, e.assistant_id, e.at) for e in history} == {
        (tuesday["late"].pk, tuesday["late"].assistant_id, now),
        (tuesday["late_legal"].pk, tuesday["late_legal"].assistant_id, now),
    }


def test_a_second_sweep_marks_nothing_again_and_the_grace_time_is_a_parameter(
    tuesday, time_machine
):
    now = START + timedelta(minutes=16)
    time_machine.move_to(now, tick=False)
    first = shifts.mark_missed_shifts(now=now)

    assert shifts.mark_missed_shifts(now=now) == []
    # The 09:10 shift is 6 minutes late: missed with a 5-minute grace, not with the default.
    assert shifts.mark_missed_shifts(now=now, grace_minutes=5) == [tuesday["later"].pk]
    assert ShiftEvent.objects.filter(kind="missed").count() == len(first) + 1


def test_nothing_is_missed_before_the_grace_time_is_over(tuesday, time_machine):
    now = START + timedelta(minutes=14, seconds=59)
    time_machine.move_to(now, tick=False)

    assert shifts.mark_missed_shifts(now=now) == []

    assert not Shift.objects.filter(status="missed").exists()


def test_an_assistant_marked_missed_can_still_check_in_late(shift, assistant):
    shifts.mark_missed_shifts(now=START + timedelta(minutes=20))

    shifts.check_in(shift=shift, assistant=assistant, at=START + timedelta(minutes=25))

    shift.refresh_from_db()
    assert shift.status == "checked_in"
    assert [kind for kind, _who in events(shift)] == ["missed", "checked_in"]
    assert ShiftEvent.objects.get(shift=shift, kind="checked_in").note == "late"
