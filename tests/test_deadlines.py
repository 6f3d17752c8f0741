"""Extension requests (延期申请) on working days, and supervision (督办) of a case."""

from datetime import date, time

import pytest
from django.db import IntegrityError, transaction

from cases import workflow
from cases.deadlines import (
    DeadlineError,
    decide_extension,
    request_extension,
    supervise_case,
    unsupervise,
)
from cases.models import Case, CaseEvent, ExtensionRequest
from talentoffice.models import CalendarDay
from tests import factories
from tests.factories.assign import make_assigned_case, make_case, make_case_in_progress
from tests.factories.shifts import local

NOW = local(date(2026, 4, 27), time(10))  # Monday before the Labour Day holiday


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case(second_assistant):
    """Charlie's case in progress, due on Thursday 30 April, the last workday before the break."""
    case = make_case_in_progress(lead=second_assistant)
    Case.objects.filter(pk=case.pk).update(target_date=date(2026, 4, 30))
    case.refresh_from_db()
    return case


# Asking for more time


def test_the_lead_asks_for_more_working_days_and_the_timeline_shows_it(case, second_assistant):
    request = request_extension(
        case=case, assistant=second_assistant, extra_workdays=4, reason="等待法院调取材料"
    )

    assert (request.status, request.extra_workdays, request.requested_by) == (
        "pending",
        4,
        second_assistant,
    )
    event = case.events.get(kind="extension_requested")
    assert (event.assistant, event.actor) == (second_assistant, second_assistant.user)
    assert "等待法院调取材料" in event.note and "4" in event.note
    case.refresh_from_db()
    assert case.target_date == date(2026, 4, 30)  # nothing moves until staff approve


def test_only_the_lead_may_ask_for_more_time(case, partner_b):
    helper = factories.make_assistant(partner=partner_b)

    with pytest.raises(DeadlineError) as refused:
        request_extension(case=case, assistant=helper, extra_workdays=2, reason="忙")

    assert refused.value.code == "not_lead"
    assert not ExtensionRequest.objects.exists()


def test_a_resolved_case_cannot_ask_for_more_time(case, second_assistant, staff_user):
    workflow.resolve_case(case=case, outcome="resolved", by=staff_user)

    with pytest.raises(DeadlineError) as refused:
        request_extension(case=case, assistant=second_assistant, extra_workdays=2, reason="补材料")

    assert refused.value.code == "case_not_open"


def test_an_extension_request_needs_a_reason_and_a_sensible_number_of_days(case, second_assistant):
    with pytest.raises(DeadlineError):
        request_extension(case=case, assistant=second_assistant, extra_workdays=2, reason="  ")
    for days in (0, 61):
        with pytest.raises(DeadlineError):
            request_extension(
                case=case, assistant=second_assistant, extra_workdays=days, reason="补材料"
            )

    assert not ExtensionRequest.objects.exists()
    assert not CaseEvent.objects.filter(kind="extension_requested").exists()


def test_only_one_extension_request_waits_at_a_time_but_another_may_follow_a_decision(
    case, second_assistant, staff_user
):
    first = request_extension(
        case=case, assistant=second_assistant, extra_workdays=2, reason="补材料"
    )

    with pytest.raises(DeadlineError) as refused:
        request_extension(case=case, assistant=second_assistant, extra_workdays=3, reason="再等")
    assert refused.value.code == "extension_pending"

    decide_extension(request=first, by=staff_user, approve=False, reason="材料可线上调取")
    request_extension(case=case, assistant=second_assistant, extra_workdays=3, reason="再等")

    assert case.extension_requests.filter(status="pending").count() == 1


def test_the_database_refuses_a_second_pending_request_written_around_the_service(
    case, second_assistant
):
    request_extension(case=case, assistant=second_assistant, extra_workdays=2, reason="补材料")

    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            case=case, requested_by=second_assistant, extra_workdays=1, reason="绕过"
        )


# Deciding


def test_approval_moves_the_target_date_over_the_holiday_onto_the_make_up_workday(
    case, second_assistant, staff_user
):
    request = request_extension(
        case=case, assistant=second_assistant, extra_workdays=4, reason="等待法院调取材料"
    )

    decide_extension(request=request, by=staff_user, approve=True)

    case.refresh_from_db()
    # 1 to 5 May are off; 6, 7, 8 May are working days, and Saturday 9 May is the make-up day.
    assert case.target_date == date(2026, 5, 9)
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at) == ("accepted", staff_user, NOW)
    event = case.events.get(kind="extension_decided")
    assert "2026-04-30" in event.note and "2026-05-09" in event.note
    assert event.assistant == second_assistant and event.actor == staff_user


def test_a_day_the_district_adds_as_a_holiday_pushes_the_new_target_date_further(
    case, second_assistant, staff_user
):
    CalendarDay.objects.create(date=date(2026, 5, 9), kind="holiday", name="区内调整")
    request = request_extension(
        case=case, assistant=second_assistant, extra_workdays=4, reason="补材料"
    )

    decide_extension(request=request, by=staff_user, approve=True)

    case.refresh_from_db()
    assert case.target_date == date(2026, 5, 11)


def test_a_refusal_needs_a_reason_and_leaves_the_target_date_alone(
    case, second_assistant, staff_user
):
    request = request_extension(
        case=case, assistant=second_assistant, extra_workdays=4, reason="补材料"
    )

    with pytest.raises(DeadlineError) as refused:
        decide_extension(request=request, by=staff_user, approve=False, reason="")
    assert refused.value.code == "reason_required"
    request.refresh_from_db()
    assert request.status == "pending"

    decide_extension(request=request, by=staff_user, approve=False, reason="材料可线上调取")

    request.refresh_from_db()
    case.refresh_from_db()
    assert (request.status, request.decision_reason) == ("rejected", "材料可线上调取")
    assert case.target_date == date(2026, 4, 30)
    assert "材料可线上调取" in case.events.get(kind="extension_decided").note


def test_a_request_is_decided_once_and_only_by_staff(case, second_assistant, staff_user):
    request = request_extension(
        case=case, assistant=second_assistant, extra_workdays=1, reason="补材料"
    )

    with pytest.raises(DeadlineError) as refused:
        decide_extension(request=request, by=second_assistant.user, approve=True)
    assert refused.value.code == "not_allowed"

    decide_extension(request=request, by=staff_user, approve=True)
    with pytest.raises(DeadlineError) as refused:
        decide_extension(request=request, by=staff_user, approve=True)

    assert refused.value.code == "extension_decided"
    case.refresh_from_db()
    assert case.target_date == date(2026, 5, 6)  # moved once, not twice


def test_approving_more_time_for_a_case_already_resolved_is_refused(
    case, second_assistant, staff_user
):
    request = request_extension(
        case=case, assistant=second_assistant, extra_workdays=1, reason="补材料"
    )
    workflow.resolve_case(case=case, outcome="resolved", by=staff_user)

    with pytest.raises(DeadlineError):
        decide_extension(request=request, by=staff_user, approve=True)
    decide_extension(request=request, by=staff_user, approve=False, reason="已办结")

    request.refresh_from_db()
    assert request.status == "rejected"


# Supervision


def test_staff_supervise_a_case_and_the_lead_and_partner_see_the_note(
    case, second_assistant, staff_user, partner_b_manager
):
    supervise_case(case=case, by=staff_user, note="群众反映强烈，请本周内答复")

    for viewer in (second_assistant.user, partner_b_manager):
        seen = Case.objects.visible_to(viewer).get(pk=case.pk)
        assert seen.supervised
        assert seen.supervision_note == "群众反映强烈，请本周内答复"
    event = case.events.get(kind="supervised")
    assert (event.actor, event.assistant, event.note) == (
        staff_user,
        second_assistant,
        "群众反映强烈，请本周内答复",
    )


def test_supervising_again_replaces_the_note_and_is_recorded_again(case, staff_user):
    supervise_case(case=case, by=staff_user, note="请加快办理")
    supervise_case(case=case, by=staff_user, note="再次催办")

    case.refresh_from_db()
    assert case.supervision_note == "再次催办"
    assert case.events.filter(kind="supervised").count() == 2


def test_supervision_needs_staff_a_note_and_an_open_case(case, second_assistant, staff_user):
    with pytest.raises(DeadlineError):
        supervise_case(case=case, by=second_assistant.user, note="自己督办自己")
    with pytest.raises(DeadlineError):
        supervise_case(case=case, by=staff_user, note="")
    workflow.resolve_case(case=case, outcome="resolved", by=staff_user)
    with pytest.raises(DeadlineError):
        supervise_case(case=case, by=staff_user, note="太迟了")

    case.refresh_from_db()
    assert not case.supervised
    assert not case.events.filter(kind="supervised").exists()


def test_a_new_case_without_a_lead_can_be_supervised_too(staff_user):
    case = make_case()

    supervise_case(case=case, by=staff_user, note="尽快派单")

    assert case.events.get(kind="supervised").assistant is None


def test_lifting_supervision_clears_the_flag_and_is_in_the_timeline(case, staff_user):
    supervise_case(case=case, by=staff_user, note="请加快办理")

    unsupervise(case=case, by=staff_user, note="已按要求答复")

    case.refresh_from_db()
    assert (case.supervised, case.supervision_note) == (False, "")
    lifted = case.events.filter(kind="supervision_lifted").last()
    assert lifted.actor == staff_user and "已按要求答复" in lifted.note
    with pytest.raises(DeadlineError) as refused:
        unsupervise(case=case, by=staff_user)
    assert refused.value.code == "not_supervised"


def test_an_assigned_case_not_yet_accepted_may_ask_for_more_time(second_assistant):
    case = make_assigned_case(lead=second_assistant)

    request = request_extension(
        case=case, assistant=second_assistant, extra_workdays=1, reason="需先核实身份"
    )

    assert request.pk is not None


def test_the_lead_and_the_partner_manager_are_told_of_a_supervision_in_their_inbox(
    case,
    second_assistant,
    staff_user,
    partner_b_manager,
    partner_a_manager,
    django_capture_on_commit_callbacks,
):
    from talentoffice.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        supervise_case(case=case, by=staff_user, note="群众反映强烈，请本周内答复")
    told = Notification.objects.filter(kind="case.supervised")
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [second_assistant.user.username, partner_b_manager.username]
    )
    assert all("群众反映强烈" in notification.body for notification in told)
    # A second supervision is a new message; the same one is never written twice.
    with django_capture_on_commit_callbacks(execute=True):
        supervise_case(case=case, by=staff_user, note="再次催办")
    assert Notification.objects.filter(kind="case.supervised").count() == 4
