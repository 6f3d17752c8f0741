"""Leave blocks assignment, and approved leave opens the assistant's shifts and alerts staff."""

from datetime import date, time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from assistants import shifts
from assistants.models import ShiftEvent, SwapRequest, Unavailability
from talentoffice.models import Notification
from tests import factories
from tests.factories.shifts import dispatch_all, local, make_leave, make_rota, make_shift

NOW = local(date(2026, 3, 2), time(8))  # Monday morning


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def point(db):
    return factories.make_service_point(name="茶亭社区服务点")


@pytest.fixture
def dave(partner_a):
    return factories.make_assistant(partner=partner_a, name="戴维")


# Asking for leave


def test_an_assistant_asks_for_leave_and_nothing_is_blocked_until_it_is_approved(assistant, point):
    dispatch_all(point, assistant)
    shift = make_shift(service_point=point)

    leave = shifts.request_leave(
        assistant=assistant,
        kind="leave",
        starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 4),
        reason="探亲",
    )

    assert leave.status == "requested"
    assert shifts.suitable_colleagues(shift).filter(pk=assistant.pk).exists()


def test_leave_that_ends_before_it_starts_is_refused(assistant):
    with pytest.raises(shifts.LeaveError):
        shifts.request_leave(
            assistant=assistant, kind="leave", starts_on=date(2026, 3, 4), ends_on=date(2026, 3, 3)
        )

    assert not Unavailability.objects.exists()


def test_leave_overlapping_leave_already_asked_for_is_refused(assistant):
    make_leave(assistant=assistant, status="requested", ends_on=date(2026, 3, 5))
    make_leave(
        assistant=assistant, status="rejected", starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 9)
    )

    with pytest.raises(shifts.LeaveOverlaps):
        shifts.request_leave(
            assistant=assistant, kind="leave", starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 6)
        )
    # A rejected request does not stand in the way of a new one.
    shifts.request_leave(
        assistant=assistant, kind="leave", starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 9)
    )

    assert Unavailability.objects.filter(assistant=assistant).count() == 3


# Approving leave


@pytest.fixture
def bobs_week(assistant, dave, point):
    """Bob's shifts: started today, Tuesday, Wednesday (one offered to Dave), and Friday."""
    dispatch_all(point, assistant, dave)
    return {
        "today": make_shift(
            service_point=point, assistant=assistant, date=date(2026, 3, 2), starts=time(7)
        ),
        "tuesday": make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 3)),
        "wednesday": make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 4)),
        "friday": make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 6)),
        "daves": make_shift(service_point=point, assistant=dave, date=date(2026, 3, 3)),
    }


def test_approved_leave_opens_the_assistants_future_shifts_on_those_days_only(
    assistant, dave, staff_user, bobs_week
):
    swap = shifts.offer_shift(shift=bobs_week["wednesday"], by_assistant=assistant)
    leave = make_leave(
        assistant=assistant,
        status="requested",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 4),
    )

    opened = shifts.approve_leave(unavailability=leave, by=staff_user)

    assert sorted(opened) == sorted([bobs_week["tuesday"].pk, bobs_week["wednesday"].pk])
    for name, shift in bobs_week.items():
        shift.refresh_from_db()
        if shift.pk in opened:
            assert (shift.assistant, shift.status, shift.sequence) == (None, "scheduled", 1)
            assert shift.is_open
        else:
            assert shift.assistant is not None, name
            assert shift.sequence == 0, name
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by, leave.decided_at) == ("approved", staff_user, NOW)
    events = ShiftEvent.objects.filter(kind="opened_by_leave")
    assert sorted(events.values_list("shift_id", flat=True)) == sorted(opened)
    assert {(e.assistant, e.actor) for e in events} == {(assistant, staff_user)}
    # Nobody may take over a shift from an assistant who no longer holds it.
    swap.refresh_from_db()
    assert swap.status == "cancelled"
    assert ShiftEvent.objects.filter(shift=bobs_week["wednesday"], kind="swap_cancelled").exists()


def test_approved_leave_alerts_every_active_staff_member_once(
    assistant, staff_user, bobs_week, limited_staff_user, django_capture_on_commit_callbacks
):
    User = get_user_model()
    User.objects.create_user("gone", is_staff=True, is_active=False)
    User.objects.create_user("not-staff")
    leave = make_leave(
        assistant=assistant,
        status="requested",
        starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 6),
    )

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        shifts.approve_leave(unavailability=leave, by=staff_user)

    alerts = Notification.objects.filter(kind="shifts_opened_by_leave")
    assert {n.recipient for n in alerts} == {staff_user, limited_staff_user}
    assert {(n.target, n.occasion) for n in alerts} == {(leave, "")}
    alert = alerts.get(recipient=staff_user)
    assert assistant.name in alert.subject
    assert "2026-03-03" in alert.body
    assert "assistant__isnull=True" in alert.link


def test_approved_leave_without_shifts_alerts_nobody(
    assistant, staff_user, django_capture_on_commit_callbacks
):
    leave = make_leave(assistant=assistant, status="requested")
    # Staff were told of the request itself; approving it frees nothing and tells nobody more.
    told_of_the_request = set(Notification.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        assert shifts.approve_leave(unavailability=leave, by=staff_user) == []

    assert not Notification.objects.exclude(pk__in=told_of_the_request).exists()


def test_leave_is_decided_once(assistant, staff_user):
    leave = make_leave(assistant=assistant, status="requested")
    shifts.reject_leave(unavailability=leave, by=staff_user)

    with pytest.raises(shifts.LeaveDecided):
        shifts.approve_leave(unavailability=leave, by=staff_user)

    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == ("rejected", staff_user)


def test_rejected_leave_leaves_the_shifts_alone(assistant, staff_user, bobs_week):
    leave = make_leave(
        assistant=assistant,
        status="requested",
        starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 6),
    )

    shifts.reject_leave(unavailability=leave, by=staff_user)

    tuesday = bobs_week["tuesday"]
    tuesday.refresh_from_db()
    assert tuesday.assistant == assistant
    assert not ShiftEvent.objects.exists()


def test_only_staff_decide_on_leave(assistant, partner_a_manager):
    leave = make_leave(assistant=assistant, status="requested")

    with pytest.raises(shifts.NotAllowed):
        shifts.approve_leave(unavailability=leave, by=assistant.user)
    with pytest.raises(shifts.NotAllowed):
        shifts.reject_leave(unavailability=leave, by=partner_a_manager)

    leave.refresh_from_db()
    assert leave.status == "requested"


# Staff assigning a shift


@pytest.fixture
def open_shift(point):
    return make_shift(service_point=point)


def test_staff_assign_a_suitable_assistant_to_an_open_shift(
    open_shift, point, assistant, staff_user
):
    dispatch_all(point, assistant)

    shift = shifts.assign_shift(shift=open_shift, assistant=assistant, by=staff_user)

    open_shift.refresh_from_db()
    assert open_shift.assistant == assistant
    assert shift.sequence == open_shift.sequence == 1
    assert list(ShiftEvent.objects.values_list("kind", "assistant", "actor")) == [
        ("assigned", assistant.pk, staff_user.pk)
    ]


def test_staff_moving_a_shift_to_another_assistant_records_who_lost_it(
    point, assistant, dave, staff_user
):
    dispatch_all(point, assistant, dave)
    shift = make_shift(service_point=point, assistant=assistant)

    shifts.assign_shift(shift=shift, assistant=dave, by=staff_user)

    assert list(ShiftEvent.objects.values_list("kind", "assistant")) == [
        ("unassigned", assistant.pk),
        ("assigned", dave.pk),
    ]


def test_staff_cannot_assign_an_assistant_on_approved_leave_that_day(
    open_shift, point, assistant, staff_user
):
    dispatch_all(point, assistant)
    make_leave(assistant=assistant, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 3))

    with pytest.raises(shifts.OnLeave) as refused, translation.override("en"):
        shifts.assign_shift(shift=open_shift, assistant=assistant, by=staff_user)

    with translation.override("en"):
        assert refused.value.messages == [f"{assistant.name} is on approved leave on 2026-03-03."]
    open_shift.refresh_from_db()
    assert (open_shift.assistant, open_shift.sequence) == (None, 0)
    assert not ShiftEvent.objects.exists()


def test_staff_cannot_assign_an_assistant_of_the_wrong_specialty(
    open_shift, point, second_assistant, staff_user
):
    dispatch_all(point, second_assistant)

    with pytest.raises(shifts.WrongSpecialty):
        shifts.assign_shift(shift=open_shift, assistant=second_assistant, by=staff_user)

    open_shift.refresh_from_db()
    assert open_shift.assistant is None


def test_staff_cannot_assign_an_assistant_not_dispatched_to_the_point(
    open_shift, assistant, staff_user
):
    with pytest.raises(shifts.NotDispatched):
        shifts.assign_shift(shift=open_shift, assistant=assistant, by=staff_user)

    open_shift.refresh_from_db()
    assert open_shift.assistant is None


def test_staff_cannot_double_book_an_assistant(open_shift, point, assistant, staff_user):
    dispatch_all(point, assistant)
    make_shift(service_point=factories.make_service_point(), assistant=assistant, starts=time(11))

    with pytest.raises(shifts.DoubleBooked):
        shifts.assign_shift(shift=open_shift, assistant=assistant, by=staff_user)

    open_shift.refresh_from_db()
    assert open_shift.assistant is None


def test_a_double_booking_that_slips_past_the_check_is_refused_by_the_database(
    open_shift, point, assistant, staff_user
):
    # As if another transaction booked the assistant between our check and our write.
    dispatch_all(point, assistant)
    # A draft's shift: not visible to the suitability check's callers, but the database counts it.
    make_shift(
        service_point=factories.make_service_point(),
        assistant=assistant,
        starts=time(11),
        rota=make_rota(status="draft"),
    )

    with (
        mock.patch.object(shifts, "check_suitable"),
        pytest.raises(shifts.DoubleBooked) as refused,
        translation.override("en"),
    ):
        shifts.assign_shift(shift=open_shift, assistant=assistant, by=staff_user)

    with translation.override("en"):
        assert refused.value.messages == [f"{assistant.name} already has a shift at that time."]
    open_shift.refresh_from_db()
    assert open_shift.assistant is None
    assert not ShiftEvent.objects.exists()


def test_a_cancelled_shift_cannot_be_assigned(point, assistant, staff_user):
    dispatch_all(point, assistant)
    shift = make_shift(service_point=point, status="cancelled")

    with pytest.raises(shifts.ShiftNotAssignable):
        shifts.assign_shift(shift=shift, assistant=assistant, by=staff_user)


def test_only_staff_assign_shifts(open_shift, point, assistant, partner_a_manager):
    dispatch_all(point, assistant)

    with pytest.raises(shifts.NotAllowed):
        shifts.assign_shift(shift=open_shift, assistant=assistant, by=partner_a_manager)

    assert not SwapRequest.objects.exists()
    open_shift.refresh_from_db()
    assert open_shift.assistant is None
