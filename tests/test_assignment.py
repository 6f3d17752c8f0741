"""Suggesting who should lead a case, and handing cases over when an assistant leaves."""

from datetime import date, time

import pytest
from django.utils import translation

from assistants.models import Skill
from cases import workflow
from cases.assignment import (
    DISPATCHED_POINTS,
    LOAD_PENALTY,
    ON_DUTY_NOW_POINTS,
    ON_DUTY_SOON_POINTS,
    SKILL_POINTS,
    HandOverError,
    hand_over_cases,
    open_cases_for_hand_over,
    suggest_assistants,
    suggest_for_cases,
)
from cases.models import Case, CaseEvent
from tests import factories
from tests.factories.assign import make_assigned_case, make_case, make_case_in_progress
from tests.factories.shifts import dispatch_all, local, make_leave, make_rota, make_shift

NOW = local(date(2026, 3, 3), time(10))  # Tuesday morning


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def point(db):
    return factories.make_service_point(name="茶亭社区服务点")


@pytest.fixture
def lease_item(db):
    return factories.make_service_item(name="租赁纠纷调解", specialty="legal")


@pytest.fixture
def case(point, lease_item):
    return make_case(
        title="征收范围内店面租赁合同纠纷",
        description="房东要求提前解除租约",
        service_item=lease_item,
        service_point=point,
    )


def legal(partner_b, name, *skills):
    assistant = factories.make_assistant(partner=partner_b, name=name)
    for skill in skills:
        assistant.skills.add(Skill.objects.get_or_create(name=skill)[0])
    return assistant


def names(suggestions):
    return [suggestion.assistant.name for suggestion in suggestions]


# Who is suggested at all


def test_only_active_assistants_of_the_items_specialty_are_suggested(
    case, partner_b, assistant, second_assistant
):
    withdrawn = legal(partner_b, "撤回")
    withdrawn.status = "withdrawn"
    withdrawn.save()

    suggestions = suggest_assistants(case)

    # Bob is finance, the item is legal; the withdrawn lawyer is out of the programme.
    assert names(suggestions) == [second_assistant.name]


def test_assistants_on_approved_leave_today_are_left_out_but_asked_leave_does_not_count(
    case, partner_b
):
    on_leave = legal(partner_b, "休假")
    asked = legal(partner_b, "请假中")
    make_leave(assistant=on_leave, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 4))
    make_leave(assistant=asked, status="requested")
    make_leave(
        assistant=asked, status="approved", starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 6)
    )

    assert names(suggest_assistants(case)) == ["请假中"]


def test_the_current_lead_is_not_suggested_for_reassignment(case, partner_b):
    lead = legal(partner_b, "现任")
    other = legal(partner_b, "另一位")
    case = workflow.assign_case(case=case, lead=lead, by=None)

    assert names(suggest_assistants(case)) == [other.name]


def test_a_referral_can_ask_for_the_other_specialty(case, assistant, second_assistant):
    suggestions = suggest_assistants(case, specialty="finance")

    assert names(suggestions) == [assistant.name]


def test_the_list_is_cut_at_the_limit(case, partner_b):
    for number in range(5):
        legal(partner_b, f"律师{number}")

    assert len(suggest_assistants(case, limit=3)) == 3


# How they are ranked


def test_a_skill_tag_found_in_the_case_text_ranks_an_assistant_first_and_says_so(case, partner_b):
    plain = legal(partner_b, "甲律师", "知识产权")
    expert = legal(partner_b, "乙律师", "征收", "租赁", "股权")

    with translation.override("en"):
        suggestions = suggest_assistants(case)

    assert names(suggestions) == [expert.name, plain.name]
    first = suggestions[0]
    # 征收 is in the title, 租赁 in the item's name; 股权 appears nowhere.
    assert first.skills == ["征收", "租赁"]
    assert first.score == 2 * SKILL_POINTS
    assert "Skills matching the case: 征收、租赁" in first.reasons
    assert suggestions[1].skills == []


def test_being_on_duty_at_the_point_now_beats_soon_which_beats_not_at_all(case, point, partner_b):
    now_on = legal(partner_b, "丙在岗")
    soon_on = legal(partner_b, "丁稍后")
    off = legal(partner_b, "戊不在")
    elsewhere = legal(partner_b, "己别处")
    make_shift(assistant=now_on, service_point=point, starts=time(9), ends=time(12))
    make_shift(assistant=soon_on, service_point=point, starts=time(14), ends=time(17))
    # Beyond the 24-hour horizon, at another point, or cancelled: none of these count.
    make_shift(assistant=off, service_point=point, date=date(2026, 3, 5))
    make_shift(assistant=elsewhere, starts=time(9), ends=time(12))
    make_shift(
        assistant=off, service_point=point, starts=time(13), ends=time(14), status="cancelled"
    )

    with translation.override("en"):
        suggestions = suggest_assistants(case)

    assert names(suggestions) == [now_on.name, soon_on.name, elsewhere.name, off.name]
    assert [s.score for s in suggestions] == [ON_DUTY_NOW_POINTS, ON_DUTY_SOON_POINTS, 0, 0]
    assert "On duty at 茶亭社区服务点 now" in suggestions[0].reasons
    assert "On duty at 茶亭社区服务点 from 03-03 14:00" in suggestions[1].reasons
    assert suggestions[1].on_duty_from == local(date(2026, 3, 3), time(14))


def test_a_shift_of_a_draft_rota_does_not_count_as_being_on_duty(case, point, partner_b):
    drafted = legal(partner_b, "草稿")
    make_shift(assistant=drafted, service_point=point, rota=make_rota(status="draft"))

    [suggestion] = suggest_assistants(case)

    assert suggestion.on_duty_from is None
    assert suggestion.score == 0


def test_being_dispatched_to_the_point_counts_while_the_dispatch_lasts(case, point, partner_b):
    posted = legal(partner_b, "派驻")
    ended = legal(partner_b, "已结束")
    dispatch_all(point, posted)
    factories.make_dispatch(
        assistant=ended, service_point=point, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 2)
    )

    with translation.override("en"):
        suggestions = suggest_assistants(case)

    assert names(suggestions) == [posted.name, ended.name]
    assert suggestions[0].dispatched and suggestions[0].score == DISPATCHED_POINTS
    assert "Dispatched to 茶亭社区服务点" in suggestions[0].reasons
    assert not suggestions[1].dispatched


def test_fewer_open_cases_led_ranks_higher_and_finished_cases_do_not_weigh(
    case, partner_b, staff_user
):
    busy = legal(partner_b, "忙碌")
    free = legal(partner_b, "空闲")
    make_assigned_case(lead=busy)
    make_case_in_progress(lead=busy)
    done = make_case_in_progress(lead=free)
    workflow.resolve_case(case=done, outcome="withdrawn", by=staff_user)

    with translation.override("en"):
        suggestions = suggest_assistants(case)

    assert names(suggestions) == [free.name, busy.name]
    assert [s.open_cases for s in suggestions] == [0, 2]
    assert suggestions[1].score == -2 * LOAD_PENALTY
    assert "Leads 2 open cases" in suggestions[1].reasons
    assert "Leads no open case" in suggestions[0].reasons


def test_a_case_without_a_service_point_is_ranked_on_skills_and_load_alone(partner_b, lease_item):
    case = make_case(title="租赁合同审查", service_item=lease_item)
    skilled = legal(partner_b, "租赁专家", "租赁")
    legal(partner_b, "普通")
    make_shift(assistant=skilled, starts=time(9), ends=time(12))

    suggestions = suggest_assistants(case)

    assert names(suggestions)[0] == skilled.name
    assert suggestions[0].score == SKILL_POINTS
    assert suggestions[0].on_duty_from is None


def _crowd(partner_b, point, count):
    for number in range(count):
        assistant = legal(partner_b, f"律师{number:03d}", "征收", f"技能{number}")
        dispatch_all(point, assistant)
        make_shift(assistant=assistant, service_point=point, starts=time(9), ends=time(12))
        make_case_in_progress(lead=assistant)


@pytest.mark.parametrize("count", [3, 30])
def test_suggestions_take_two_queries_whatever_the_number_of_assistants(
    case, partner_b, point, count, django_assert_max_num_queries
):
    _crowd(partner_b, point, count)
    case = Case.objects.select_related("service_item", "service_point").get(pk=case.pk)

    # 1. assistants scored, ordered and limited (skills, load, leave, duty, dispatch as
    #    subqueries); 2. the matched skill tags of the assistants kept.
    with django_assert_max_num_queries(2):
        suggestions = suggest_assistants(case, limit=10)

    assert len(suggestions) == min(count, 10)
    assert all(s.skills == ["征收"] for s in suggestions)


def _facts(suggestions):
    return [
        (s.assistant.pk, s.score, s.open_cases, s.skills, s.on_duty_from, s.dispatched, s.reasons)
        for s in suggestions
    ]


@pytest.fixture
def mixed_page(case, point, partner_b, assistant, second_assistant, staff_user):
    """Cases on two points and none, led and not, legal and finance, among assistants with every
    fact the ranking weighs, and ties of score broken by load and name."""
    other_point = factories.make_service_point(name="龙腰社区服务点")
    finance_item = factories.make_service_item(name="征收补偿款理财咨询", specialty="finance")
    skilled = legal(partner_b, "乙征收", "征收", "租赁")
    on_duty = legal(partner_b, "甲在岗", "合同")
    soon = legal(partner_b, "丙稍后")
    posted = legal(partner_b, "丁派驻", "理财")
    legal(partner_b, "戊同分")
    legal(partner_b, "己同分")
    on_leave = legal(partner_b, "庚休假", "征收")
    make_leave(assistant=on_leave, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 4))
    make_shift(assistant=on_duty, service_point=point, starts=time(9), ends=time(12))
    make_shift(assistant=soon, service_point=other_point, starts=time(15), ends=time(18))
    make_shift(assistant=skilled, service_point=other_point, starts=time(9), ends=time(11))
    dispatch_all(point, posted)
    dispatch_all(other_point, soon)
    make_case_in_progress(lead=skilled)
    second_assistant.skills.add(Skill.objects.get_or_create(name="理财")[0])
    led = workflow.assign_case(
        case=make_case(title="合同租赁纠纷", service_item=case.service_item, service_point=point),
        lead=on_duty,
        by=staff_user,
    )
    cases = [
        case,
        make_case(title="征收公告咨询", service_item=case.service_item, service_point=other_point),
        make_case(title="店面租赁", service_item=case.service_item),
        make_case(title="补偿款怎么理财", service_item=finance_item, service_point=point),
        led,
    ]
    return list(
        Case.objects.select_related("service_item", "service_point")
        .filter(pk__in=[c.pk for c in cases])
        .order_by("pk")
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_page_of_cases_is_ranked_exactly_as_each_case_alone(mixed_page, language):
    with translation.override(language):
        for limit in (3, 10):
            page = suggest_for_cases(mixed_page, limit=limit)
            for case in mixed_page:
                assert _facts(page[case.pk]) == _facts(suggest_assistants(case, limit=limit))
    # The page is not trivially alike: skills, duty, dispatch and load all moved someone.
    assert {s.score for ranked in page.values() for s in ranked} >= {
        2 * SKILL_POINTS - LOAD_PENALTY,
        ON_DUTY_NOW_POINTS,
        DISPATCHED_POINTS,
        0,
    }


def test_a_page_of_referred_cases_is_ranked_for_the_specialty_asked(mixed_page):
    first, second = mixed_page[:2]
    page = suggest_for_cases(mixed_page[:2], specialties={first.pk: "finance"})

    assert _facts(page[first.pk]) == _facts(suggest_assistants(first, specialty="finance"))
    assert _facts(page[second.pk]) == _facts(suggest_assistants(second))


@pytest.mark.parametrize("size", [1, 5])
def test_a_page_of_suggestions_takes_four_queries_whatever_its_number_of_cases(
    mixed_page, partner_b, point, size, django_assert_num_queries
):
    _crowd(partner_b, point, 12)
    # 1. the active assistants of the page's specialties not on leave, with their open load;
    # 2. their skill tags; 3. their shifts at the page's points soon; 4. their dispatches there.
    with django_assert_num_queries(4):
        page = suggest_for_cases(mixed_page[:size], limit=3)

    assert len(page) == size and all(page.values())


# Hand-over


@pytest.fixture
def leaving(partner_b):
    return legal(partner_b, "离任")


@pytest.fixture
def successor(partner_b):
    return legal(partner_b, "接任")


def test_the_hand_over_list_holds_the_open_cases_an_assistant_leads_or_helps(
    leaving, successor, staff_user
):
    led = make_assigned_case(lead=leaving)
    working = make_case_in_progress(lead=leaving)
    helped = workflow.assign_case(
        case=make_case(), lead=successor, by=staff_user, helpers=[leaving]
    )
    resolved = make_case_in_progress(lead=leaving)
    workflow.resolve_case(case=resolved, outcome="resolved", by=staff_user)
    make_assigned_case(lead=successor)

    listed = list(open_cases_for_hand_over(leaving))

    assert sorted(c.pk for c in listed) == sorted([led.pk, working.pk, helped.pk])


def test_handing_over_reassigns_led_cases_and_gives_the_helper_seat_to_the_colleague(
    leaving, successor, staff_user, partner_b
):
    led = make_case_in_progress(lead=leaving)
    other_lead = legal(partner_b, "牵头")
    helped = workflow.assign_case(
        case=make_case(), lead=other_lead, by=staff_user, helpers=[leaving]
    )

    handed = hand_over_cases(
        cases=open_cases_for_hand_over(leaving),
        from_assistant=leaving,
        to_assistant=successor,
        by=staff_user,
        reason="派驻期满",
    )

    assert {c.pk for c in handed} == {led.pk, helped.pk}
    led.refresh_from_db()
    assert (led.state, led.lead, led.accepted_at) == ("assigned", successor, None)
    reassigned = led.events.get(kind="reassigned")
    assert (reassigned.assistant, reassigned.note, reassigned.actor) == (
        successor,
        "派驻期满",
        staff_user,
    )
    helped.refresh_from_db()
    assert helped.lead == other_lead
    assert list(helped.helpers.all()) == [successor]
    assert helped.events.filter(kind="helper_added", assistant=successor, note="派驻期满").exists()
    assert not open_cases_for_hand_over(leaving).exists()


def test_a_hand_over_with_one_case_that_is_not_theirs_moves_nothing(
    leaving, successor, staff_user, partner_b
):
    mine = make_case_in_progress(lead=leaving)
    not_mine = make_case_in_progress(lead=legal(partner_b, "旁人"))
    events_before = CaseEvent.objects.count()

    with pytest.raises(HandOverError):
        hand_over_cases(
            cases=[mine, not_mine],
            from_assistant=leaving,
            to_assistant=successor,
            by=staff_user,
            reason="撤回",
        )

    mine.refresh_from_db()
    assert mine.lead == leaving and mine.state == "in_progress"
    assert CaseEvent.objects.count() == events_before


def test_a_hand_over_needs_staff_a_reason_and_an_active_colleague(
    leaving, successor, staff_user, second_assistant
):
    case = make_case_in_progress(lead=leaving)
    cases = [case]

    with pytest.raises(HandOverError):
        hand_over_cases(
            cases=cases,
            from_assistant=leaving,
            to_assistant=successor,
            by=second_assistant.user,
            reason="撤回",
        )
    with pytest.raises(HandOverError):
        hand_over_cases(
            cases=cases, from_assistant=leaving, to_assistant=successor, by=staff_user, reason=" "
        )
    successor.status = "withdrawn"
    successor.save()
    with pytest.raises(HandOverError):
        hand_over_cases(
            cases=cases,
            from_assistant=leaving,
            to_assistant=successor,
            by=staff_user,
            reason="撤回",
        )

    case.refresh_from_db()
    assert case.lead == leaving
