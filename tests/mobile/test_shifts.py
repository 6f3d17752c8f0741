"""Today and shifts on the phone: check in (location flagged when far), check out, swaps."""

from datetime import date, time

from assistants import shifts
from assistants.models import Shift, SwapRequest
from mobile.views.shifts import SWAP_OFFERS_ON_SHIFTS
from mobile.views.swaps import SWAP_OFFERS_PER_PAGE
from tests import factories
from tests.factories.shifts import local, make_shift, make_swap
from tests.mobile.conftest import english_client


def test_today_shows_the_next_shift_with_its_check_in_button(bob, shift):
    page = bob.get("/m/").content.decode()
    assert "台江区人才助理专窗" in page
    assert 'data-testid="check-in-button"' in page


def test_the_check_in_button_waits_until_half_an_hour_before_the_shift(bob, shift, time_machine):
    time_machine.move_to(local(date(2026, 3, 3), time(8, 0)), tick=False)
    page = bob.get("/m/").content.decode()
    assert 'data-testid="check-in-button"' not in page
    assert "Check-in opens at 2026-03-03 08:30" in page


def test_checking_in_near_the_point_keeps_the_location_without_a_flag(bob, shift):
    response = bob.post(
        f"/m/shifts/{shift.pk}/check-in/", {"latitude": "26.063100", "longitude": "119.310100"}
    )
    assert response["Location"] == "/m/"
    shift.refresh_from_db()
    assert shift.status == "checked_in"
    assert shift.check_in_distance_m < 50
    assert not shift.check_in_far
    page = bob.get("/m/").content.decode()
    assert "Checked in" in page
    assert 'data-testid="check-out-button"' in page


def test_checking_in_far_from_the_point_is_allowed_but_flagged_for_staff(bob, shift):
    response = bob.post(
        f"/m/shifts/{shift.pk}/check-in/",
        {"latitude": "26.100000", "longitude": "119.310000"},
        follow=True,
    )
    shift.refresh_from_db()
    assert shift.status == "checked_in"
    assert shift.check_in_far
    assert 4000 < shift.check_in_distance_m < 4200
    page = response.content.decode()
    assert "staff will see that it was far from the service point" in page
    assert "placed you 4.1 km from" in page


def test_checking_in_without_a_location_works(bob, shift):
    bob.post(f"/m/shifts/{shift.pk}/check-in/", {"latitude": "", "longitude": ""})
    shift.refresh_from_db()
    assert shift.status == "checked_in"
    assert shift.check_in_latitude is None
    assert not shift.check_in_far


def test_a_refused_check_in_says_why_and_changes_nothing(bob, shift, time_machine):
    time_machine.move_to(local(date(2026, 3, 3), time(7)), tick=False)
    response = bob.post(f"/m/shifts/{shift.pk}/check-in/", {}, follow=True)
    assert "Check-in is open from 2026-03-03 08:30" in response.content.decode()
    shift.refresh_from_db()
    assert shift.status == "scheduled"


def test_checking_out_completes_the_shift(shift, assistant, time_machine):
    shifts.check_in(shift=shift, assistant=assistant)
    time_machine.move_to(local(date(2026, 3, 3), time(12, 5)), tick=False)
    bob = english_client(assistant.user)  # a phone's session ends after an idle hour
    response = bob.post(f"/m/shifts/{shift.pk}/check-out/", {"next": f"/m/shifts/{shift.pk}/"})
    assert response["Location"] == f"/m/shifts/{shift.pk}/"
    shift.refresh_from_db()
    assert shift.status == "completed"


def test_a_check_in_never_goes_back_to_an_outside_address(bob, shift):
    response = bob.post(f"/m/shifts/{shift.pk}/check-in/", {"next": "https://evil.example/m/"})
    assert response["Location"] == "/m/"


def test_the_shift_list_shows_upcoming_and_past_shifts(bob, shift, assistant, point):
    past = make_shift(date=date(2026, 3, 2), service_point=point, assistant=assistant)
    page = bob.get("/m/shifts/").content.decode()
    assert f'data-shift-id="{shift.pk}"' in page
    assert f'data-shift-id="{past.pk}"' in page


def test_an_assistant_offers_a_shift_to_a_colleague_who_takes_it(bob, shift, assistant, dave):
    later = make_shift(
        date=date(2026, 3, 5), service_point=shift.service_point, assistant=assistant
    )
    response = bob.post(f"/m/shifts/{later.pk}/offer/", {"to_assistant": dave.pk, "note": "出差"})
    assert response["Location"] == f"/m/shifts/{later.pk}/"
    swap = SwapRequest.objects.get(shift=later)
    assert swap.offered_to == dave

    dave_phone = english_client(dave.user)
    page = dave_phone.get("/m/shifts/").content.decode()
    assert f'data-swap-id="{swap.pk}"' in page
    dave_phone.post(f"/m/swaps/{swap.pk}/accept/")
    later.refresh_from_db()
    assert later.assistant == dave


def test_the_shift_list_offers_what_i_may_take_soonest_first(
    bob, shift, assistant, dave, partner_a, point
):
    """Named to me, or open to anyone of my specialty at a point I serve; never my own, nor
    offers at other points, for another specialty, named to someone else or already past."""
    other_point = factories.make_service_point(name="上海新村社区人才助理服务点")
    lawyer = factories.make_assistant(partner=partner_a, specialty="legal")

    def offer(day, **fields):
        fields.setdefault("service_point", point)
        fields.setdefault("assistant", dave)
        swap_fields = {"offered_to": fields.pop("offered_to", None)}
        return make_swap(shift=make_shift(date=date(2026, 3, day), **fields), **swap_fields)

    open_later = offer(9)
    named_sooner = offer(6, service_point=other_point, offered_to=assistant)
    open_sooner = offer(5)
    hidden = [
        offer(7, service_point=other_point),
        offer(8, assistant=lawyer, specialty="legal"),
        offer(10, offered_to=lawyer),
        offer(2),  # yesterday's shift: too late to take
        make_swap(
            shift=make_shift(date=date(2026, 3, 11), service_point=point, assistant=assistant)
        ),
    ]
    page = bob.get("/m/shifts/").content.decode()
    shown = [f'data-swap-id="{swap.pk}"' for swap in (open_sooner, named_sooner, open_later)]
    assert all(marker in page for marker in shown)
    assert [page.index(marker) for marker in shown] == sorted(page.index(m) for m in shown)
    assert not any(f'data-swap-id="{swap.pk}"' in page for swap in hidden)


def test_the_shift_list_shows_the_first_offers_and_links_to_all_of_them(
    bob, shift, assistant, dave
):
    offers = [
        make_swap(
            shift=make_shift(
                date=date(2026, 3, 4 + n), service_point=shift.service_point, assistant=dave
            ),
            offered_to=assistant,
        )
        for n in range(SWAP_OFFERS_ON_SHIFTS + 1)
    ]
    page = bob.get("/m/shifts/").content.decode()
    assert [f'data-swap-id="{o.pk}"' in page for o in offers] == [True] * 5 + [False]
    assert 'href="/m/swaps/"' in page

    first = bob.get("/m/swaps/").content.decode()
    assert all(f'data-swap-id="{o.pk}"' in first for o in offers)
    assert 'data-testid="pager-next"' not in first


def test_the_offers_page_pages_without_counting(bob, shift, assistant, dave, settings):
    offers = [
        make_swap(
            shift=make_shift(
                date=date(2026, 3, 4 + n), service_point=shift.service_point, assistant=dave
            )
        )
        for n in range(SWAP_OFFERS_PER_PAGE + 1)
    ]
    first = bob.get("/m/swaps/").content.decode()
    assert 'data-testid="pager-next"' in first
    assert f'data-swap-id="{offers[-1].pk}"' not in first
    second = bob.get("/m/swaps/?page=2").content.decode()
    assert f'data-swap-id="{offers[-1].pk}"' in second
    assert f'data-swap-id="{offers[0].pk}"' not in second
    assert "No open offers for you." in bob.get("/m/swaps/?page=3").content.decode()


def test_an_offer_can_be_withdrawn(bob, shift, assistant):
    later = make_shift(
        date=date(2026, 3, 5), service_point=shift.service_point, assistant=assistant
    )
    swap = make_swap(shift=later)
    bob.post(f"/m/swaps/{swap.pk}/cancel/")
    swap.refresh_from_db()
    assert swap.status == "cancelled"


def test_an_offer_to_another_colleague_cannot_be_taken(bob, shift, assistant, dave, partner_a):
    other = factories.make_assistant(partner=partner_a)
    later = make_shift(date=date(2026, 3, 5), service_point=shift.service_point, assistant=dave)
    swap = make_swap(shift=later, offered_to=other)
    assert bob.post(f"/m/swaps/{swap.pk}/accept/").status_code == 404
    assert Shift.objects.get(pk=later.pk).assistant == dave


def test_the_calendar_page_shows_the_private_feed_address_and_its_qr_code(bob, assistant):
    page = bob.get("/m/calendar/").content.decode()
    assert f"/calendar/{assistant.calendar_token}.ics" in page
    assert "webcal://" in page
    assert "<svg viewBox=" in page and 'class="m-qr"' in page
    assert "style=" not in page


def test_a_shift_ended_long_ago_is_not_offered_for_check_in(bob, assistant, point):
    make_shift(date=date(2026, 3, 2), service_point=point, assistant=assistant, status="completed")
    page = bob.get("/m/").content.decode()
    assert "No duty ahead" in page


def test_staff_find_far_check_ins_in_the_shift_admin_with_their_distance(
    bob, shift, staff_user, assistant, point
):
    near = make_shift(service_point=point, assistant=assistant, starts=time(14), ends=time(17))
    bob.post(f"/m/shifts/{shift.pk}/check-in/", {"latitude": "26.1", "longitude": "119.31"})
    shift.refresh_from_db()
    page = english_client(staff_user).get("/admin/assistants/shift/?check_in_far__exact=1")
    page = page.content.decode()
    assert "check_in_far__exact=0" in page  # the filter is offered
    assert f"/admin/assistants/shift/{shift.pk}/change/" in page
    assert f"/admin/assistants/shift/{near.pk}/change/" not in page
    assert f'<td class="field-check_in_distance_m">{shift.check_in_distance_m}</td>' in page
