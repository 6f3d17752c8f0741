"""The case state machine: every allowed transition, refused ones with their message, the
accept/return rules, follow-ups and reopening, case numbers, working-day target dates and
amounts, and a property-based walk over random action sequences."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cases import workflow
from cases.choices import CaseEventKind, CaseOutcome, CaseState
from cases.models import Case, CaseEvent, CaseNumberSequence, FollowUp
from talentoffice.models import CalendarDay
from tests import factories
from tests.factories.intake import make_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN = {CaseState.NEW, CaseState.ASSIGNED, CaseState.IN_PROGRESS}


@pytest.fixture
def item(db):
    return factories.make_service_item(name="劳动纠纷调解", target_days=10, follow_up_days=7)


@pytest.fixture
def withdrawn_assistant(partner_a):
    return factories.make_assistant(partner=partner_a, name="退出者", status="withdrawn")


def timeline(case):
    return list(case.events.values_list("kind", "from_state", "to_state"))


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- building a case in any state through the workflow --------------------------------------------


def to_assigned(case, lead, staff):
    return workflow.assign_case(case=case, lead=lead, by=staff)


def to_in_progress(case, lead, staff):
    return workflow.accept_case(case=to_assigned(case, lead, staff), assistant=lead)


def to_resolved(case, lead, staff, outcome=CaseOutcome.RESOLVED):
    case = to_in_progress(case, lead, staff)
    return workflow.resolve_case(case=case, outcome=outcome, by=staff, assistant=lead)


def to_followed_up(case, lead, staff):
    case = to_resolved(case, lead, staff)
    workflow.record_follow_up(
        follow_up=case.follow_ups.get(), method="phone", satisfaction=5, still_solved=True, by=lead
    )
    return Case.objects.get(pk=case.pk)


def to_closed(case, lead, staff):
    return workflow.close_case(case=to_followed_up(case, lead, staff), by=staff)


BUILD = {
    CaseState.NEW: lambda case, lead, staff: case,
    CaseState.ASSIGNED: to_assigned,
    CaseState.IN_PROGRESS: to_in_progress,
    CaseState.RESOLVED: to_resolved,
    CaseState.FOLLOWED_UP: to_followed_up,
    CaseState.CLOSED: to_closed,
}


@pytest.fixture
def case_in(item, assistant, staff_user):
    """A case of the item brought to the given state by bob, the lead, and alice, staff."""

    def build(state):
        return BUILD[state](make_case(service_item=item), assistant, staff_user)

    return build


# --- every allowed transition ---------------------------------------------------------------------


def assign(case, bob, charlie, staff):
    return workflow.assign_case(case=case, lead=bob, by=staff)


def accept(case, bob, charlie, staff):
    return workflow.accept_case(case=case, assistant=bob)


def return_(case, bob, charlie, staff):
    return workflow.return_case(case=case, assistant=bob, reason="不属于金融类")


def reassign(case, bob, charlie, staff):
    return workflow.reassign_case(case=case, lead=charlie, by=staff, reason="需要法务助理")


def resolve(case, bob, charlie, staff):
    return workflow.resolve_case(case=case, outcome=CaseOutcome.RESOLVED, by=staff)


def resolve_withdrawn_then_close(case, bob, charlie, staff):
    case = workflow.resolve_case(case=case, outcome=CaseOutcome.WITHDRAWN, by=staff)
    return workflow.close_case(case=case, by=staff)


def follow_up_satisfied(case, bob, charlie, staff):
    workflow.record_follow_up(
        follow_up=case.follow_ups.get(), method="phone", satisfaction=4, still_solved=True, by=bob
    )
    return Case.objects.get(pk=case.pk)


def follow_up_not_solved(case, bob, charlie, staff):
    workflow.record_follow_up(
        follow_up=case.follow_ups.get(), method="visit", satisfaction=2, still_solved=False, by=bob
    )
    return Case.objects.get(pk=case.pk)


def close(case, bob, charlie, staff):
    return workflow.close_case(case=case, by=staff)


# (from, to) → the step that makes it, and the event kind it writes.
TRANSITION_STEPS = {
    (CaseState.NEW, CaseState.ASSIGNED): (assign, CaseEventKind.ASSIGNED),
    (CaseState.ASSIGNED, CaseState.IN_PROGRESS): (accept, CaseEventKind.ACCEPTED),
    (CaseState.ASSIGNED, CaseState.NEW): (return_, CaseEventKind.RETURNED),
    (CaseState.ASSIGNED, CaseState.ASSIGNED): (reassign, CaseEventKind.REASSIGNED),
    (CaseState.IN_PROGRESS, CaseState.RESOLVED): (resolve, CaseEventKind.TRANSITION),
    (CaseState.IN_PROGRESS, CaseState.ASSIGNED): (reassign, CaseEventKind.REASSIGNED),
    (CaseState.RESOLVED, CaseState.FOLLOWED_UP): (follow_up_satisfied, CaseEventKind.FOLLOW_UP),
    (CaseState.RESOLVED, CaseState.CLOSED): (
        resolve_withdrawn_then_close,
        CaseEventKind.TRANSITION,
    ),
    (CaseState.FOLLOWED_UP, CaseState.CLOSED): (close, CaseEventKind.TRANSITION),
    (CaseState.FOLLOWED_UP, CaseState.IN_PROGRESS): (follow_up_not_solved, CaseEventKind.REOPENED),
}


def test_every_allowed_transition_of_the_table_has_a_step_here():
    allowed = {(start, end) for start, ends in workflow.ALLOWED_TRANSITIONS.items() for end in ends}

    assert set(TRANSITION_STEPS) == allowed


@pytest.mark.parametrize(("start", "end"), list(TRANSITION_STEPS), ids=lambda s: str(s))
def test_an_allowed_transition_moves_the_case_and_writes_its_event(
    case_in, assistant, second_assistant, staff_user, start, end
):
    step, kind = TRANSITION_STEPS[(start, end)]
    # The withdrawn close starts from in progress: it resolves first, then closes.
    before = CaseState.IN_PROGRESS if step is resolve_withdrawn_then_close else start
    before = CaseState.RESOLVED if step is follow_up_not_solved else before
    case = case_in(before)

    case = step(case, assistant, second_assistant, staff_user)

    case.refresh_from_db()
    assert case.state == end
    last = case.events.order_by("-at", "-pk").first()
    assert (last.kind, last.from_state, last.to_state) == (kind, start, end)


def test_assigning_sets_the_lead_the_acceptance_deadline_and_the_helpers(
    item, assistant, second_assistant, staff_user
):
    moment = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)

    with time_machine.travel(moment, tick=False):
        case = make_case(service_item=item)
        workflow.assign_case(
            case=case,
            lead=assistant,
            by=staff_user,
            helpers=[assistant, second_assistant],
            note="请尽快联系",
        )

    case.refresh_from_db()
    assert case.lead == assistant
    assert case.assigned_at == moment
    assert case.accept_by == moment + timedelta(hours=settings.CASE_ACCEPT_HOURS)
    # The lead is not their own helper.
    assert list(case.helpers.all()) == [second_assistant]
    assert list(case.events.values_list("kind", "assistant", "actor", "note")) == [
        (CaseEventKind.CREATED, None, None, ""),
        (CaseEventKind.ASSIGNED, assistant.pk, staff_user.pk, "请尽快联系"),
        (CaseEventKind.HELPER_ADDED, second_assistant.pk, staff_user.pk, ""),
    ]


def test_returning_clears_the_lead_the_deadline_and_the_helpers(
    item, assistant, second_assistant, staff_user
):
    case = workflow.assign_case(
        case=make_case(service_item=item), lead=assistant, by=staff_user, helpers=[second_assistant]
    )

    workflow.return_case(case=case, assistant=assistant, reason="不属于金融类")

    case.refresh_from_db()
    assert (case.state, case.lead, case.assigned_at, case.accept_by) == (
        CaseState.NEW,
        None,
        None,
        None,
    )
    assert not case.helpers.exists()
    returned = case.events.get(kind=CaseEventKind.RETURNED)
    assert (returned.actor, returned.assistant, returned.note) == (
        assistant.user,
        assistant,
        "不属于金融类",
    )


def test_reassigning_an_accepted_case_waits_for_the_new_leads_acceptance(
    case_in, assistant, second_assistant, staff_user
):
    case = case_in(CaseState.IN_PROGRESS)

    workflow.reassign_case(case=case, lead=second_assistant, by=staff_user, reason="需要法务助理")

    case.refresh_from_db()
    assert (case.state, case.lead, case.accepted_at) == (
        CaseState.ASSIGNED,
        second_assistant,
        None,
    )
    with pytest.raises(workflow.CaseError):
        workflow.accept_case(case=case, assistant=assistant)
    workflow.accept_case(case=case, assistant=second_assistant)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_resolving_schedules_the_return_visit_from_the_items_delay(case_in, staff_user):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        case = case_in(CaseState.RESOLVED)

    assert case.outcome == CaseOutcome.RESOLVED
    assert case.follow_up_due == date(2026, 3, 9)
    assert list(case.follow_ups.values_list("due_on", "done_at")) == [(date(2026, 3, 9), None)]


def test_a_withdrawn_case_needs_no_return_visit_and_closes_at_once(case_in, staff_user):
    case = case_in(CaseState.IN_PROGRESS)

    case = workflow.resolve_case(case=case, outcome=CaseOutcome.WITHDRAWN, by=staff_user)
    assert case.follow_up_due is None
    assert not case.follow_ups.exists()
    workflow.close_case(case=case, by=staff_user)

    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.closed_at is not None


def test_a_whole_lifecycle_leaves_one_timeline_entry_per_step(case_in):
    case = case_in(CaseState.CLOSED)

    assert timeline(case) == [
        (CaseEventKind.CREATED, "", CaseState.NEW),
        (CaseEventKind.ASSIGNED, CaseState.NEW, CaseState.ASSIGNED),
        (CaseEventKind.ACCEPTED, CaseState.ASSIGNED, CaseState.IN_PROGRESS),
        (CaseEventKind.TRANSITION, CaseState.IN_PROGRESS, CaseState.RESOLVED),
        (CaseEventKind.FOLLOW_UP, CaseState.RESOLVED, CaseState.FOLLOWED_UP),
        (CaseEventKind.TRANSITION, CaseState.FOLLOWED_UP, CaseState.CLOSED),
    ]


# --- refused transitions --------------------------------------------------------------------------


def snapshot(case):
    """Everything a refused step must leave as it was."""
    case = Case.objects.get(pk=case.pk)
    return (
        case.state,
        case.outcome,
        case.lead_id,
        case.assigned_at,
        case.accept_by,
        case.accepted_at,
        case.resolved_at,
        case.follow_up_due,
        case.closed_at,
        sorted(case.helpers.values_list("pk", flat=True)),
        list(case.follow_ups.values_list("pk", "done_at")),
        case.events.count(),
    )


@pytest.mark.parametrize(
    ("state", "step", "allowed"),
    [
        (CaseState.NEW, resolve, "Allowed next states: assigned."),
        (CaseState.NEW, close, "Allowed next states: assigned."),
        (CaseState.ASSIGNED, resolve, "Allowed next states: assigned、in progress、new."),
        (CaseState.IN_PROGRESS, close, "Allowed next states: assigned、resolved."),
        (CaseState.IN_PROGRESS, return_, "Allowed next states: assigned、resolved."),
        (CaseState.RESOLVED, reassign, "Allowed next states: closed、followed up."),
        (CaseState.CLOSED, resolve, "Allowed next states: none."),
        (CaseState.CLOSED, reassign, "Allowed next states: none."),
    ],
)
def test_an_illegal_transition_is_refused_naming_the_allowed_ones(
    case_in, assistant, second_assistant, staff_user, state, step, allowed
):
    case = case_in(state)
    before = snapshot(case)

    # The workflow words its message when it raises, so the step itself runs in English.
    with pytest.raises(workflow.IllegalTransition) as refused, translation.override("en"):
        step(case, assistant, second_assistant, staff_user)

    assert refused.value.code == "illegal_transition"
    message = messages_of(refused.value)
    assert "cannot become" in message
    assert allowed in message
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (CaseState.NEW, accept),
        (CaseState.NEW, return_),
        (CaseState.NEW, reassign),
        (CaseState.IN_PROGRESS, accept),
        (CaseState.RESOLVED, accept),
        (CaseState.FOLLOWED_UP, accept),
        (CaseState.FOLLOWED_UP, resolve),
        (CaseState.CLOSED, close),
        (CaseState.CLOSED, accept),
    ],
)
def test_a_step_that_does_not_fit_the_state_is_refused_and_changes_nothing(
    case_in, assistant, second_assistant, staff_user, state, step
):
    case = case_in(state)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError):
        step(case, assistant, second_assistant, staff_user)

    assert snapshot(case) == before


@pytest.mark.parametrize("state", [CaseState.ASSIGNED, CaseState.IN_PROGRESS])
def test_a_case_with_a_lead_is_not_assigned_again_without_a_reason(
    case_in, second_assistant, staff_user, state
):
    case = case_in(state)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError):
        workflow.assign_case(case=case, lead=second_assistant, by=staff_user)

    assert snapshot(case) == before


# --- accept and return rules ----------------------------------------------------------------------


def test_only_the_lead_can_accept(case_in, second_assistant):
    case = case_in(CaseState.ASSIGNED)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused, translation.override("en"):
        workflow.accept_case(case=case, assistant=second_assistant)

    assert refused.value.code == "not_lead"
    assert "Only the lead assistant can accept" in messages_of(refused.value)
    assert snapshot(case) == before


def test_only_the_lead_can_return(case_in, second_assistant):
    case = case_in(CaseState.ASSIGNED)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused:
        workflow.return_case(case=case, assistant=second_assistant, reason="不是我的")

    assert refused.value.code == "not_lead"
    assert snapshot(case) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_returning_needs_a_reason(case_in, assistant, reason):
    case = case_in(CaseState.ASSIGNED)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused:
        workflow.return_case(case=case, assistant=assistant, reason=reason)

    assert refused.value.code == "reason_required"
    assert snapshot(case) == before


@pytest.mark.parametrize("reason", ["", "  "])
def test_reassigning_needs_a_reason(case_in, second_assistant, staff_user, reason):
    case = case_in(CaseState.ASSIGNED)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused:
        workflow.reassign_case(case=case, lead=second_assistant, by=staff_user, reason=reason)

    assert refused.value.code == "reason_required"
    assert snapshot(case) == before


def test_reassigning_to_the_same_lead_is_refused(case_in, assistant, staff_user):
    case = case_in(CaseState.IN_PROGRESS)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused:
        workflow.reassign_case(case=case, lead=assistant, by=staff_user, reason="再来一次")

    assert refused.value.code == "same_lead"
    assert snapshot(case) == before


def test_an_assistant_who_is_not_active_cannot_lead(case_in, withdrawn_assistant, staff_user):
    new = case_in(CaseState.NEW)
    assigned = case_in(CaseState.ASSIGNED)
    before = (snapshot(new), snapshot(assigned))

    with pytest.raises(workflow.CaseError) as refused:
        workflow.assign_case(case=new, lead=withdrawn_assistant, by=staff_user)
    assert refused.value.code == "lead_inactive"
    with pytest.raises(workflow.CaseError) as refused:
        workflow.reassign_case(
            case=assigned, lead=withdrawn_assistant, by=staff_user, reason="换人"
        )
    assert refused.value.code == "lead_inactive"

    assert (snapshot(new), snapshot(assigned)) == before


# --- resolving and following up -------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["", None, "solved-ish"])
def test_resolving_without_an_outcome_is_refused(case_in, staff_user, outcome):
    case = case_in(CaseState.IN_PROGRESS)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused, translation.override("en"):
        workflow.resolve_case(case=case, outcome=outcome, by=staff_user)

    assert refused.value.message_dict["outcome"] == ["Choose an outcome to resolve the case."]
    assert snapshot(case) == before


def test_a_follow_up_on_an_unresolved_case_is_refused(case_in, assistant):
    case = case_in(CaseState.IN_PROGRESS)
    stray = FollowUp.objects.create(case=case, due_on=date(2026, 3, 9))
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused:
        workflow.record_follow_up(
            follow_up=stray, method="phone", satisfaction=5, still_solved=True, by=assistant
        )

    assert refused.value.code == "not_resolved"
    assert snapshot(case) == before
    stray.refresh_from_db()
    assert (stray.done_at, stray.satisfaction, stray.method) == (None, None, "")


def test_a_follow_up_is_recorded_once(case_in, assistant):
    case = case_in(CaseState.FOLLOWED_UP)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused:
        workflow.record_follow_up(
            follow_up=case.follow_ups.get(),
            method="phone",
            satisfaction=1,
            still_solved=False,
            by=assistant,
        )

    assert refused.value.code == "follow_up_done"
    assert snapshot(case) == before


@pytest.mark.parametrize(("satisfaction", "method"), [(0, "phone"), (6, "phone"), (3, "fax")])
def test_a_follow_up_with_an_impossible_answer_saves_nothing(
    case_in, assistant, satisfaction, method
):
    case = case_in(CaseState.RESOLVED)
    before = snapshot(case)

    with pytest.raises(ValidationError):
        workflow.record_follow_up(
            follow_up=case.follow_ups.get(),
            method=method,
            satisfaction=satisfaction,
            still_solved=True,
            by=assistant,
        )

    assert snapshot(case) == before


def test_a_case_is_not_closed_before_its_return_visit(case_in, staff_user):
    case = case_in(CaseState.RESOLVED)
    before = snapshot(case)

    with pytest.raises(workflow.CaseError) as refused:
        workflow.close_case(case=case, by=staff_user)

    assert refused.value.code == "follow_up_missing"
    assert snapshot(case) == before


def test_a_follow_up_that_finds_the_problem_back_reopens_the_case(case_in, assistant, staff_user):
    case = case_in(CaseState.RESOLVED)
    first = case.follow_ups.get()

    workflow.record_follow_up(
        follow_up=first, method="visit", satisfaction=2, still_solved=False, by=assistant
    )

    case.refresh_from_db()
    assert (case.state, case.outcome, case.resolved_at, case.follow_up_due) == (
        CaseState.IN_PROGRESS,
        "",
        None,
        None,
    )
    first.refresh_from_db()
    assert (first.satisfaction, first.still_solved, first.by) == (2, False, assistant)
    assert timeline(case)[-2:] == [
        (CaseEventKind.FOLLOW_UP, CaseState.RESOLVED, CaseState.FOLLOWED_UP),
        (CaseEventKind.REOPENED, CaseState.FOLLOWED_UP, CaseState.IN_PROGRESS),
    ]
    # Resolved again, it gets a fresh return visit.
    workflow.resolve_case(case=case, outcome=CaseOutcome.RESOLVED, by=staff_user)
    assert case.follow_ups.filter(done_at__isnull=True).count() == 1
    assert case.follow_ups.count() == 2


def test_notes_need_text_and_go_into_the_timeline(case_in, staff_user):
    case = case_in(CaseState.IN_PROGRESS)

    with pytest.raises(workflow.CaseError):
        workflow.add_note(case=case, by=staff_user, note="  ")
    event = workflow.add_note(case=case, by=staff_user, note="已电话联系居民")

    assert (event.kind, event.note, event.actor) == (
        CaseEventKind.NOTE,
        "已电话联系居民",
        staff_user,
    )
    assert case.events.filter(kind=CaseEventKind.NOTE).count() == 1


# --- numbers, target dates, amounts ---------------------------------------------------------------


def test_case_numbers_run_on_within_a_year_and_start_again_in_the_next(item):
    with time_machine.travel(datetime(2026, 12, 31, 23, 50, tzinfo=SHANGHAI), tick=False):
        first = make_case(service_item=item)
        second = make_case(service_item=item)
    # 1 January in Shanghai is still 31 December in UTC: the local year counts.
    with time_machine.travel(datetime(2027, 1, 1, 0, 10, tzinfo=SHANGHAI), tick=False):
        third = make_case(service_item=item)

    assert [first.number, second.number, third.number] == [
        "TJ-2026-000001",
        "TJ-2026-000002",
        "TJ-2027-000001",
    ]
    assert dict(CaseNumberSequence.objects.values_list("year", "last_number")) == {
        2026: 2,
        2027: 1,
    }


def test_a_refused_case_does_not_use_up_a_number(item):
    financial = factories.make_service_item(is_financial=True)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(ValidationError):
            make_case(service_item=item, title="")
        case = make_case(service_item=financial, amount=Decimal("1"))

    assert case.number == "TJ-2026-000001"


def official_workdays_after(start: date, count: int) -> date:
    """The oracle: count working days on the official calendar alone."""
    day = start
    while count:
        day += timedelta(days=1)
        count -= chinese_calendar.is_workday(day)
    return day


def test_the_target_date_counts_working_days_across_national_day_and_its_make_up_day(db):
    five_days = factories.make_service_item(target_days=5)

    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), tick=False):
        case = make_case(service_item=five_days)

    # 8 and 9 October, Saturday 10 October (make-up workday), 12 and 13 October.
    assert case.target_date == date(2026, 10, 13)
    assert case.target_date == official_workdays_after(date(2026, 9, 30), 5)


def test_the_target_date_follows_the_staffs_own_calendar_days(db):
    five_days = factories.make_service_item(target_days=5)
    CalendarDay.objects.create(date=date(2026, 10, 12), kind="holiday", name="区庆")

    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), tick=False):
        case = make_case(service_item=five_days)

    assert case.target_date == date(2026, 10, 14)


def test_an_amount_is_recorded_only_for_a_financial_item(item):
    loan = factories.make_service_item(name="拆迁安置贷", specialty="finance", is_financial=True)

    with pytest.raises(workflow.CaseError) as refused:
        make_case(service_item=item, amount=Decimal("300000.00"))
    case = make_case(service_item=loan, amount=Decimal("300000.00"))

    assert "amount" in refused.value.message_dict
    assert Case.objects.get().pk == case.pk
    case.refresh_from_db()
    assert case.amount == Decimal("300000.00")


def test_a_negative_amount_is_refused(db):
    loan = factories.make_service_item(is_financial=True)

    with pytest.raises(ValidationError) as refused:
        make_case(service_item=loan, amount=Decimal("-1"))

    assert "amount" in refused.value.message_dict
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


# --- property-based: random action sequences ------------------------------------------------------

LEADS = ["bob", "charlie", "withdrawn"]
REASONS = ["", "  ", "理由"]

actions = st.one_of(
    st.tuples(st.just("assign"), st.sampled_from(LEADS)),
    st.tuples(st.just("accept"), st.sampled_from(LEADS)),
    st.tuples(st.just("return"), st.sampled_from(LEADS), st.sampled_from(REASONS)),
    st.tuples(st.just("reassign"), st.sampled_from(LEADS), st.sampled_from(REASONS)),
    st.tuples(st.just("resolve"), st.sampled_from([*CaseOutcome.values, "", "bogus"])),
    st.tuples(st.just("follow_up"), st.booleans()),
    st.tuples(st.just("close")),
    st.tuples(st.just("note"), st.sampled_from(REASONS)),
)


class Model:
    """What the workflow should do, written independently of it: state, lead and outcome."""

    def __init__(self, active):
        self.state, self.lead, self.outcome, self.active = CaseState.NEW, None, "", active

    def expect(self, action) -> tuple[bool, int]:
        """Apply the action; return whether it is allowed and how many events it writes."""
        name, *args = action
        s = self.state
        if name == "assign":
            if s == CaseState.NEW and args[0] in self.active:
                self.state, self.lead = CaseState.ASSIGNED, args[0]
                return True, 1
        elif name == "accept":
            if s == CaseState.ASSIGNED and args[0] == self.lead:
                self.state = CaseState.IN_PROGRESS
                return True, 1
        elif name == "return":
            if s == CaseState.ASSIGNED and args[0] == self.lead and args[1].strip():
                self.state, self.lead = CaseState.NEW, None
                return True, 1
        elif name == "reassign":
            lead, reason = args
            has_lead = s in (CaseState.ASSIGNED, CaseState.IN_PROGRESS)
            if has_lead and reason.strip() and lead != self.lead and lead in self.active:
                self.state, self.lead = CaseState.ASSIGNED, lead
                return True, 1
        elif name == "resolve":
            if s == CaseState.IN_PROGRESS and args[0] in CaseOutcome.values:
                self.state, self.outcome = CaseState.RESOLVED, args[0]
                return True, 1
        elif name == "follow_up":
            if s == CaseState.RESOLVED and self.outcome != CaseOutcome.WITHDRAWN:
                if args[0]:
                    self.state = CaseState.FOLLOWED_UP
                    return True, 1
                self.state, self.outcome = CaseState.IN_PROGRESS, ""
                return True, 2
        elif name == "close":
            if s == CaseState.FOLLOWED_UP or (
                s == CaseState.RESOLVED and self.outcome == CaseOutcome.WITHDRAWN
            ):
                self.state = CaseState.CLOSED
                return True, 1
        elif name == "note" and args[0].strip():
            return True, 1
        return False, 0


def perform(action, case, people, staff):
    name, *args = action
    if name == "assign":
        workflow.assign_case(case=case, lead=people[args[0]], by=staff)
    elif name == "accept":
        workflow.accept_case(case=case, assistant=people[args[0]])
    elif name == "return":
        workflow.return_case(case=case, assistant=people[args[0]], reason=args[1])
    elif name == "reassign":
        workflow.reassign_case(case=case, lead=people[args[0]], by=staff, reason=args[1])
    elif name == "resolve":
        workflow.resolve_case(case=case, outcome=args[0], by=staff)
    elif name == "follow_up":
        # The waiting return visit if there is one, else the latest (already recorded) one.
        follow_up = case.follow_ups.order_by(F("done_at").asc(nulls_first=True), "-pk").first()
        if follow_up is None:
            raise workflow.CaseError("no follow-up to record")  # nothing to call: a refusal
        workflow.record_follow_up(
            follow_up=follow_up, method="phone", satisfaction=3, still_solved=args[0]
        )
    elif name == "close":
        workflow.close_case(case=case, by=staff)
    elif name == "note":
        workflow.add_note(case=case, by=staff, note=args[0])


def assert_consistent(case, model, people):
    """The case in the database agrees with the model and with the rules the constraints state."""
    case = Case.objects.get(pk=case.pk)
    lead_name = next((key for key, person in people.items() if person.pk == case.lead_id), None)
    assert (case.state, lead_name, case.outcome) == (model.state, model.lead, model.outcome)
    resolved_or_later = case.state in (CaseState.RESOLVED, CaseState.FOLLOWED_UP, CaseState.CLOSED)
    assert bool(case.outcome) == resolved_or_later
    assert (case.lead_id is not None) == (case.state != CaseState.NEW)
    waiting = case.follow_ups.filter(done_at__isnull=True).count()
    expects_visit = case.state == CaseState.RESOLVED and case.outcome != CaseOutcome.WITHDRAWN
    assert waiting == (1 if expects_visit else 0)
    # The transitions in the timeline chain up from "new" to the current state.
    state = ""
    for from_state, to_state in case.events.exclude(to_state="").values_list(
        "from_state", "to_state"
    ):
        assert from_state == state
        state = to_state
    assert state == case.state


@hypothesis_settings(
    max_examples=80,
    deadline=None,
    database=None,  # no example store written into the project folder
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(actions, max_size=20))
def test_random_action_sequences_keep_the_case_consistent_and_the_timeline_complete(
    item, assistant, second_assistant, withdrawn_assistant, staff_user, sequence
):
    people = {"bob": assistant, "charlie": second_assistant, "withdrawn": withdrawn_assistant}
    # Each example runs in a transaction rolled back at its end, so examples start from scratch.
    with transaction.atomic():
        case = make_case(service_item=item)
        model = Model(active={"bob", "charlie"})
        for action in sequence:
            events_before = CaseEvent.objects.filter(case=case).count()
            before = snapshot(case)
            allowed, new_events = model.expect(action)
            if allowed:
                perform(action, case, people, staff_user)
                assert CaseEvent.objects.filter(case=case).count() == events_before + new_events
            else:
                with pytest.raises(workflow.CaseError):
                    perform(action, case, people, staff_user)
                assert snapshot(case) == before, action
            assert_consistent(case, model, people)
        transaction.set_rollback(True)
