"""Swaps: only suitable colleagues are offered a shift, and every step is kept in its history."""

import threading
from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import translation

from assistants import shifts
from assistants.models import Assistant, Shift, ShiftEvent, SwapRequest
from tests import factories
from tests.factories.shifts import dispatch_all, local, make_leave, make_rota, make_shift

NOW = local(date(2026, 3, 2), time(8))  # a Monday morning; the shifts below are on Tuesday


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def point(db):
    return factories.make_service_point(name="台江区人才助理专窗", address="台江区工业路1号")


@pytest.fixture
def dave(partner_a):
    """Dave, a second finance assistant of partner A, with a login."""
    user = get_user_model().objects.create_user("dave", password="dave-pass-123")
    return factories.make_assistant(partner=partner_a, name="戴维", user=user)


@pytest.fixture
def eve(partner_a):
    """Eve, a third finance assistant of partner A, with a login."""
    user = get_user_model().objects.create_user("eve", password="eve-pass-123")
    return factories.make_assistant(partner=partner_a, name="伊娃", user=user)


@pytest.fixture
def shift(point, assistant, second_assistant, dave, eve):
    """Bob's finance shift on Tuesday 09:00–12:00; Bob, Charlie, Dave and Eve serve there."""
    dispatch_all(point, assistant, second_assistant, dave, eve)
    return make_shift(service_point=point, assistant=assistant)


def history(shift):
    return list(ShiftEvent.objects.filter(shift=shift).values_list("kind", "assistant__name"))


def test_suitable_colleagues_are_free_dispatched_active_assistants_of_the_right_specialty(
    shift, point, dave, eve, second_assistant, partner_a, django_assert_num_queries
):
    not_dispatched = factories.make_assistant(partner=partner_a, name="未派驻")
    dispatch_ended = factories.make_assistant(partner=partner_a, name="派驻已结束")
    factories.make_dispatch(
        assistant=dispatch_ended,
        service_point=point,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 2),
    )
    on_leave = factories.make_assistant(partner=partner_a, name="休假")
    leave_asked = factories.make_assistant(partner=partner_a, name="请假待批")
    busy = factories.make_assistant(partner=partner_a, name="有班")
    busy_but_cancelled = factories.make_assistant(partner=partner_a, name="班已取消")
    withdrawn = factories.make_assistant(partner=partner_a, name="已退出", status="withdrawn")
    dispatch_all(point, on_leave, leave_asked, busy, busy_but_cancelled, withdrawn)
    make_leave(assistant=on_leave, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 5))
    make_leave(assistant=leave_asked, status="requested")
    elsewhere = factories.make_service_point()
    make_shift(service_point=elsewhere, assistant=busy, starts=time(11), ends=time(14))
    make_shift(
        service_point=elsewhere, assistant=busy_but_cancelled, status="cancelled", ends=time(14)
    )

    # 1. the assistants, with three EXISTS subqueries (dispatch, leave, overlapping shift)
    with django_assert_num_queries(1):
        names = {a.name for a in shifts.suitable_colleagues(shift)}

    assert names == {dave.name, eve.name, leave_asked.name, busy_but_cancelled.name}
    assert not_dispatched.name not in names

    # The phone's pick list: the same rules from the point's dispatches, the first by id, by name.
    suitable_ids = sorted(a.pk for a in shifts.suitable_colleagues(shift))
    with django_assert_num_queries(1):
        listed = [(a.pk, a.partner.name) for a in shifts.some_suitable_colleagues(shift, 10)]
    by_name = Assistant.objects.order_by("name", "pk")
    assert listed == [(a.pk, a.partner.name) for a in by_name.filter(pk__in=suitable_ids)]
    first_two = [a.pk for a in shifts.some_suitable_colleagues(shift, 2)]
    assert first_two == [a.pk for a in by_name.filter(pk__in=suitable_ids[:2])]


def test_an_assistant_can_offer_only_their_own_shift(shift, dave):
    with pytest.raises(shifts.NotYourShift):
        shifts.offer_shift(shift=shift, by_assistant=dave)

    assert not SwapRequest.objects.exists()
    assert history(shift) == []


@pytest.mark.parametrize(
    "change",
    [
        {"date": date(2026, 3, 1)},
        {"date": date(2026, 3, 2), "starts": time(7), "ends": time(9)},
        {"status": "cancelled"},
        {"draft": True},
    ],
    ids=["yesterday", "already-started", "cancelled", "draft-rota"],
)
def test_only_a_published_shift_that_has_not_started_can_be_offered(point, assistant, dave, change):
    dispatch_all(point, assistant, dave)
    change = dict(change)
    if change.pop("draft", False):
        change["rota"] = make_rota(status="draft")
    shift = make_shift(service_point=point, assistant=assistant, **change)

    with pytest.raises(shifts.ShiftNotOfferable):
        shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)

    assert not SwapRequest.objects.exists()


def test_offering_to_a_colleague_of_another_specialty_is_refused_with_a_clear_message(
    shift, assistant, second_assistant
):
    with pytest.raises(shifts.WrongSpecialty) as refused, translation.override("en"):
        shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=second_assistant)

    with translation.override("en"):
        assert refused.value.messages == ["This shift needs a finance assistant."]
    assert not SwapRequest.objects.exists()
    assert history(shift) == []


def test_offering_to_a_colleague_on_approved_leave_that_day_is_refused(shift, assistant, dave):
    make_leave(assistant=dave)

    with pytest.raises(shifts.OnLeave):
        shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)

    assert not SwapRequest.objects.exists()


def test_a_shift_cannot_be_offered_twice_while_the_first_offer_is_live(shift, assistant, dave):
    shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)

    with pytest.raises(shifts.AlreadyOffered):
        shifts.offer_shift(shift=shift, by_assistant=assistant)

    assert SwapRequest.objects.count() == 1


def test_accepting_a_swap_offered_to_someone_else_is_refused_and_changes_nothing(
    shift, assistant, dave, eve
):
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)

    with pytest.raises(shifts.NotOffered):
        shifts.accept_swap(swap=swap, by_assistant=eve)

    swap.refresh_from_db()
    shift.refresh_from_db()
    assert (swap.status, swap.accepted_by) == ("open", None)
    assert (shift.assistant, shift.sequence) == (assistant, 0)
    assert history(shift) == [("swap_offered", assistant.name)]


def test_an_unsuitable_colleague_cannot_take_an_offer_made_to_everyone(
    shift, assistant, second_assistant
):
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)

    with pytest.raises(shifts.WrongSpecialty):
        shifts.accept_swap(swap=swap, by_assistant=second_assistant)

    swap.refresh_from_db()
    shift.refresh_from_db()
    assert swap.status == "open"
    assert shift.assistant == assistant


def test_a_colleague_who_got_another_shift_at_that_time_cannot_accept(shift, assistant, dave):
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)
    make_shift(service_point=factories.make_service_point(), assistant=dave, starts=time(10))

    with pytest.raises(shifts.DoubleBooked):
        shifts.accept_swap(swap=swap, by_assistant=dave)

    shift.refresh_from_db()
    assert shift.assistant == assistant


def test_the_assistant_cannot_accept_their_own_offer(shift, assistant):
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)

    with pytest.raises(shifts.OwnShift):
        shifts.accept_swap(swap=swap, by_assistant=assistant)


def test_without_approval_an_accepted_swap_hands_the_shift_over_at_once(shift, assistant, dave):
    swap = shifts.offer_shift(
        shift=shift, by_assistant=assistant, to_assistant=dave, note="家里有事"
    )

    swap = shifts.accept_swap(swap=swap, by_assistant=dave)

    shift.refresh_from_db()
    assert swap.status == "approved"
    assert swap.accepted_by == dave
    assert swap.decided_by is None
    assert shift.assistant == dave
    assert shift.sequence == 1
    assert history(shift) == [
        ("swap_offered", assistant.name),
        ("swap_accepted", dave.name),
        ("swap_approved", dave.name),
    ]
    offered = ShiftEvent.objects.get(shift=shift, kind="swap_offered")
    assert offered.actor == assistant.user
    assert offered.note == f"→ {dave.name} 家里有事"


def test_an_offer_to_everyone_goes_to_the_first_suitable_colleague(shift, assistant, dave, eve):
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)

    shifts.accept_swap(swap=swap, by_assistant=eve)

    with pytest.raises(shifts.SwapClosed):
        shifts.accept_swap(swap=swap, by_assistant=dave)
    shift.refresh_from_db()
    assert shift.assistant == eve


def test_where_the_point_needs_approval_the_swap_waits_for_staff(
    shift, point, assistant, dave, staff_user
):
    point.swaps_need_approval = True
    point.save()
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)

    swap = shifts.accept_swap(swap=swap, by_assistant=dave)

    shift.refresh_from_db()
    assert swap.status == "accepted"
    assert (shift.assistant, shift.sequence) == (assistant, 0)

    swap = shifts.approve_swap(swap=swap, by=staff_user)

    shift.refresh_from_db()
    assert (swap.status, swap.decided_by, swap.decided_at) == ("approved", staff_user, NOW)
    assert (shift.assistant, shift.sequence) == (dave, 1)
    assert history(shift) == [
        ("swap_offered", assistant.name),
        ("swap_accepted", dave.name),
        ("swap_approved", dave.name),
    ]
    assert ShiftEvent.objects.get(shift=shift, kind="swap_approved").actor == staff_user


def test_only_staff_may_approve_a_swap(shift, point, assistant, dave):
    point.swaps_need_approval = True
    point.save()
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)
    shifts.accept_swap(swap=swap, by_assistant=dave)

    with pytest.raises(shifts.NotAllowed):
        shifts.approve_swap(swap=swap, by=dave.user)

    swap.refresh_from_db()
    assert swap.status == "accepted"


def test_approval_checks_the_colleague_again_and_refuses_one_gone_on_leave(
    shift, point, assistant, dave, staff_user
):
    point.swaps_need_approval = True
    point.save()
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)
    shifts.accept_swap(swap=swap, by_assistant=dave)
    make_leave(assistant=dave)

    with pytest.raises(shifts.OnLeave):
        shifts.approve_swap(swap=swap, by=staff_user)

    swap.refresh_from_db()
    shift.refresh_from_db()
    assert swap.status == "accepted"
    assert shift.assistant == assistant


def test_staff_rejection_keeps_the_shift_with_its_assistant(
    shift, point, assistant, dave, staff_user
):
    point.swaps_need_approval = True
    point.save()
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=dave)
    shifts.accept_swap(swap=swap, by_assistant=dave)

    swap = shifts.reject_swap(swap=swap, by=staff_user, note="人手不够")

    shift.refresh_from_db()
    assert (swap.status, swap.decided_by) == ("rejected", staff_user)
    assert (shift.assistant, shift.sequence) == (assistant, 0)
    assert history(shift)[-1] == ("swap_rejected", dave.name)
    with pytest.raises(shifts.SwapClosed):
        shifts.approve_swap(swap=swap, by=staff_user)


def test_the_assistant_can_withdraw_an_offer_and_then_nobody_can_take_it(shift, assistant, dave):
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)

    with pytest.raises(shifts.NotYourShift):
        shifts.cancel_swap(swap=swap, by_assistant=dave)
    shifts.cancel_swap(swap=swap, by_assistant=assistant)

    with pytest.raises(shifts.SwapClosed):
        shifts.accept_swap(swap=swap, by_assistant=dave)
    assert history(shift) == [("swap_offered", assistant.name), ("swap_cancelled", assistant.name)]
    # The shift may be offered again once the first offer is withdrawn.
    assert shifts.offer_shift(shift=shift, by_assistant=assistant).status == "open"


def test_an_offer_goes_stale_when_staff_give_the_shift_to_someone_else(
    shift, assistant, dave, eve, staff_user
):
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)

    shifts.assign_shift(shift=shift, assistant=eve, by=staff_user)

    swap.refresh_from_db()
    assert swap.status == "cancelled"
    with pytest.raises(shifts.SwapClosed):
        shifts.accept_swap(swap=swap, by_assistant=dave)


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_accepting_the_same_offer_at_once_get_one_shift_between_them(
    point, assistant, partner_a
):
    colleagues = [factories.make_assistant(partner=partner_a) for _ in range(2)]
    dispatch_all(point, assistant, *colleagues)
    shift = make_shift(service_point=point, assistant=assistant)
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(colleague):
        try:
            barrier.wait()
            shifts.accept_swap(swap=swap, by_assistant=colleague)
            outcomes.append("taken")
        except shifts.ShiftError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(c,)) for c in colleagues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["swap_closed", "taken"]
    shift = Shift.objects.get(pk=shift.pk)
    assert shift.assistant in colleagues
    assert shift.sequence == 1
    assert ShiftEvent.objects.filter(shift=shift, kind="swap_accepted").count() == 1
