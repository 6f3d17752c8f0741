"""Referrals (转介/转办) to the other specialty or to a government department."""

from datetime import date, time, timedelta

import pytest

from cases import workflow
from cases.models import Case, Referral
from cases.referrals import ReferralError, decide_referral, refer_case
from tests import factories
from tests.factories.assign import make_assigned_case, make_case_in_progress
from tests.factories.shifts import local

NOW = local(date(2026, 3, 3), time(10))


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case(second_assistant):
    """Charlie (legal) is working on a case of a legal item."""
    item = factories.make_service_item(name="房屋征收补偿咨询", specialty="legal", follow_up_days=7)
    return make_case_in_progress(lead=second_assistant, service_item=item)


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


# Referring


def test_the_lead_refers_a_case_to_a_department_and_the_timeline_shows_where_and_why(
    case, second_assistant
):
    referral = refer_case(
        case=case, by=second_assistant.user, reason="涉及征收政策解释", to_department="区征收办"
    )

    assert (referral.status, referral.to_department, referral.to_specialty) == (
        "pending",
        "区征收办",
        "",
    )
    event = case.events.get(kind="referred")
    assert "区征收办" in event.note and "涉及征收政策解释" in event.note
    assert (event.actor, event.assistant) == (second_assistant.user, second_assistant)
    case.refresh_from_db()
    assert case.state == "in_progress"  # nothing moves until staff decide


def test_staff_may_refer_a_case_to_the_other_specialty(case, staff_user):
    referral = refer_case(case=case, by=staff_user, reason="实为融资问题", to_specialty="finance")

    assert referral.to_specialty == "finance"


def test_a_referral_names_exactly_one_target_which_is_not_the_same_specialty(case, staff_user):
    for targets in ({}, {"to_specialty": "finance", "to_department": "区人社局"}):
        with pytest.raises(ReferralError) as refused:
            refer_case(case=case, by=staff_user, reason="转办", **targets)
        assert refused.value.code == "one_target"
    with pytest.raises(ReferralError) as refused:
        refer_case(case=case, by=staff_user, reason="转办", to_specialty="legal")
    assert refused.value.code == "same_specialty"
    with pytest.raises(ReferralError):
        refer_case(case=case, by=staff_user, reason="转办", to_specialty="medical")

    assert not Referral.objects.exists()


def test_a_referral_needs_a_reason(case, staff_user):
    with pytest.raises(ReferralError) as refused:
        refer_case(case=case, by=staff_user, reason="  ", to_department="区人社局")

    assert refused.value.code == "reason_required"


def test_only_the_lead_or_staff_may_refer(case, assistant):
    with pytest.raises(ReferralError) as refused:
        refer_case(case=case, by=assistant.user, reason="不归我管", to_department="区人社局")

    assert refused.value.code == "not_allowed"


def test_an_assigned_case_not_yet_accepted_is_returned_rather_than_referred(
    second_assistant,
):
    assigned = make_assigned_case(lead=second_assistant)

    with pytest.raises(ReferralError) as refused:
        refer_case(case=assigned, by=second_assistant.user, reason="不对口", to_specialty="finance")

    assert refused.value.code == "case_not_in_progress"


def test_only_one_referral_waits_at_a_time(case, staff_user):
    refer_case(case=case, by=staff_user, reason="转办", to_department="区人社局")

    with pytest.raises(ReferralError) as refused:
        refer_case(case=case, by=staff_user, reason="改转", to_specialty="finance")

    assert refused.value.code == "referral_pending"
    assert case.referrals.count() == 1


# Deciding


def test_an_accepted_referral_to_a_department_resolves_the_case_as_referred(
    case, second_assistant, staff_user
):
    referral = refer_case(
        case=case, by=second_assistant.user, reason="涉及征收政策解释", to_department="区征收办"
    )

    decide_referral(referral=referral, by=staff_user, accept=True, reason="属征收办职责")

    case.refresh_from_db()
    assert (case.state, case.outcome) == ("resolved", "referred")
    # The return visit still happens: it checks that the department did handle it.
    assert case.follow_up_due == date(2026, 3, 10)
    assert case.follow_ups.get().due_on == date(2026, 3, 10)
    referral.refresh_from_db()
    assert (referral.status, referral.decided_by, referral.decided_at) == (
        "accepted",
        staff_user,
        NOW,
    )
    assert kinds(case)[-3:] == ["referred", "referral_decided", "transition"]
    assert case.events.last().to_state == "resolved"


def test_an_accepted_referral_to_the_other_specialty_reassigns_the_case_to_the_new_lead(
    case, staff_user, assistant
):
    referral = refer_case(case=case, by=staff_user, reason="实为融资问题", to_specialty="finance")

    decide_referral(referral=referral, by=staff_user, accept=True, lead=assistant)

    case.refresh_from_db()
    assert (case.state, case.lead, case.accepted_at) == ("assigned", assistant, None)
    assert case.accept_by == NOW + timedelta(hours=24)
    assert kinds(case)[-2:] == ["referral_decided", "reassigned"]
    assert case.events.last().note == "实为融资问题"
    # The new lead signs for it like any assignment.
    workflow.accept_case(case=case, assistant=assistant)


def test_accepting_a_specialty_referral_needs_an_active_lead_of_that_specialty(
    case, staff_user, second_assistant, partner_a
):
    referral = refer_case(case=case, by=staff_user, reason="实为融资问题", to_specialty="finance")
    withdrawn = factories.make_assistant(partner=partner_a, status="withdrawn")

    for lead, code in (
        (None, "lead_required"),
        (second_assistant, "wrong_specialty"),
        (withdrawn, "lead_inactive"),
    ):
        with pytest.raises(ReferralError) as refused:
            decide_referral(referral=referral, by=staff_user, accept=True, lead=lead)
        assert refused.value.code == code

    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.status == "pending"
    assert (case.state, case.lead) == ("in_progress", second_assistant)


def test_a_rejected_referral_needs_a_reason_and_the_lead_carries_on(
    case, second_assistant, staff_user
):
    referral = refer_case(
        case=case, by=second_assistant.user, reason="想转出", to_department="区人社局"
    )

    with pytest.raises(ReferralError) as refused:
        decide_referral(referral=referral, by=staff_user, accept=False)
    assert refused.value.code == "reason_required"

    decide_referral(referral=referral, by=staff_user, accept=False, reason="仍属法律咨询范围")

    referral.refresh_from_db()
    case.refresh_from_db()
    assert (referral.status, referral.decision_reason) == ("rejected", "仍属法律咨询范围")
    assert (case.state, case.lead) == ("in_progress", second_assistant)
    assert "仍属法律咨询范围" in case.events.get(kind="referral_decided").note


def test_a_referral_is_decided_once_and_only_by_staff(case, second_assistant, staff_user):
    referral = refer_case(case=case, by=staff_user, reason="转办", to_department="区人社局")

    with pytest.raises(ReferralError) as refused:
        decide_referral(referral=referral, by=second_assistant.user, accept=True)
    assert refused.value.code == "not_allowed"

    decide_referral(referral=referral, by=staff_user, accept=False, reason="不必")
    with pytest.raises(ReferralError) as refused:
        decide_referral(referral=referral, by=staff_user, accept=True)

    assert refused.value.code == "referral_decided"


def test_a_referral_cannot_be_accepted_once_the_case_moved_on(case, staff_user):
    referral = refer_case(case=case, by=staff_user, reason="转办", to_department="区人社局")
    workflow.resolve_case(case=case, outcome="resolved", by=staff_user)

    with pytest.raises(ReferralError) as refused:
        decide_referral(referral=referral, by=staff_user, accept=True)

    assert refused.value.code == "case_moved_on"
    assert Case.objects.get(pk=case.pk).outcome == "resolved"


def test_a_case_referred_to_finance_can_be_referred_back_to_legal(
    case, staff_user, assistant, second_assistant
):
    referral = refer_case(case=case, by=staff_user, reason="实为融资问题", to_specialty="finance")
    decide_referral(referral=referral, by=staff_user, accept=True, lead=assistant)
    workflow.accept_case(case=case, assistant=assistant)

    back = refer_case(case=case, by=assistant.user, reason="仍需法律意见", to_specialty="legal")

    assert back.to_specialty == "legal"
    assert kinds(case).count("referred") == 2
