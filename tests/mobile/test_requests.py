"""Asking staff from the phone: leave and more time on a case reach staff through the services
and, once decided, change the shifts and the deadline."""

from datetime import date

import pytest

from assistants import shifts
from assistants.models import ShiftEvent, Unavailability
from cases import deadlines
from cases.models import Case, CaseEvent, ExtensionRequest
from talentoffice.access import district_staff
from talentoffice.models import Notification
from tests.factories.shifts import dispatch_all, make_shift
from tests.factories.visits import make_assigned_case, make_case_in_progress

LEAVE = {"kind": "leave", "starts_on": "2026-03-10", "ends_on": "2026-03-11", "reason": "探亲"}


@pytest.fixture
def on_duty(point, assistant):
    dispatch_all(point, assistant)
    return make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 10))


def test_the_shifts_page_links_to_the_leave_form(bob):
    assert 'href="/m/leave/"' in bob.get("/m/shifts/").content.decode()


def test_leave_asked_on_the_phone_reaches_staff_and_once_approved_frees_the_shift(
    bob, assistant, staff_user, on_duty, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bob.post("/m/leave/", LEAVE)

    assert response.status_code == 302
    leave = Unavailability.objects.get(assistant=assistant)
    assert (leave.status, leave.reason) == ("requested", "探亲")
    told = Notification.objects.filter(kind="leave.to_decide")
    assert {n.recipient for n in told} == set(district_staff())
    assert staff_user in {n.recipient for n in told}
    page = bob.get("/m/leave/").content.decode()
    assert "2026-03-10–2026-03-11" in page

    shifts.approve_leave(unavailability=leave, by=staff_user)

    on_duty.refresh_from_db()
    assert on_duty.assistant_id is None
    assert ShiftEvent.objects.filter(shift=on_duty, kind="opened_by_leave").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": "2026-03-09"}, "Leave cannot end before it starts."),
        ({"starts_on": "2026-03-02", "ends_on": "2026-03-04"}, "Leave cannot start in the past."),
    ],
)
def test_leave_with_bad_dates_is_refused_and_nothing_is_asked(bob, assistant, change, message):
    response = bob.post("/m/leave/", LEAVE | change)

    assert response.status_code in (400, 409)
    assert message in response.content.decode()
    assert not Unavailability.objects.exists()


def test_leave_overlapping_leave_already_asked_is_refused_so_a_retry_creates_nothing(
    bob, assistant
):
    assert bob.post("/m/leave/", LEAVE).status_code == 302
    again = bob.post("/m/leave/", LEAVE)

    assert again.status_code == 409
    assert 'data-testid="form-errors"' in again.content.decode()
    assert Unavailability.objects.filter(assistant=assistant).count() == 1


def test_the_lead_asks_for_more_time_and_the_approval_moves_the_target_date(
    bob, assistant, staff_user, django_capture_on_commit_callbacks
):
    case = make_case_in_progress(lead=assistant)
    target = Case.objects.get(pk=case.pk).target_date
    detail = bob.get(f"/m/cases/{case.pk}/").content.decode()
    assert f'href="/m/cases/{case.pk}/extension/"' in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = bob.post(
            f"/m/cases/{case.pk}/extension/", {"extra_workdays": 5, "reason": "需补充材料"}
        )

    assert response.status_code == 302
    request = ExtensionRequest.objects.get(case=case)
    assert (request.extra_workdays, request.status) == (5, "pending")
    assert CaseEvent.objects.filter(case=case, kind="extension_requested").exists()
    told = {n.recipient for n in Notification.objects.filter(kind="case.extension_requested")}
    assert staff_user in told

    deadlines.decide_extension(request=request, by=staff_user, approve=True)

    assert Case.objects.get(pk=case.pk).target_date > target


def test_a_second_extension_while_one_waits_is_refused_with_the_reason(bob, assistant):
    case = make_case_in_progress(lead=assistant)
    url = f"/m/cases/{case.pk}/extension/"
    bob.post(url, {"extra_workdays": 3, "reason": "等待回复"})

    again = bob.post(url, {"extra_workdays": 3, "reason": "等待回复"})

    assert again.status_code == 409
    assert "already has an extension request waiting" in again.content.decode()
    assert ExtensionRequest.objects.filter(case=case).count() == 1


def test_more_time_beyond_sixty_days_or_without_reason_is_refused(bob, assistant):
    case = make_case_in_progress(lead=assistant)
    response = bob.post(f"/m/cases/{case.pk}/extension/", {"extra_workdays": 61, "reason": ""})

    assert response.status_code == 400
    assert not ExtensionRequest.objects.exists()


def test_a_helper_cannot_ask_for_more_time(bob, assistant, second_assistant):
    case = make_case_in_progress(lead=second_assistant)
    case.helpers.add(assistant)

    response = bob.post(f"/m/cases/{case.pk}/extension/", {"extra_workdays": 2, "reason": "x"})

    assert response.status_code == 302
    assert not ExtensionRequest.objects.exists()


def test_after_returning_a_case_the_assistant_lands_on_their_case_list_with_the_confirmation(
    bob, assistant
):
    case = make_assigned_case(lead=assistant)

    response = bob.post(
        f"/m/cases/{case.pk}/action/",
        {"action": "return", "state": "assigned", "reason": "不属于我的专业"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/m/cases/"
    assert "Case returned to staff." in response.content.decode()
