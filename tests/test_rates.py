"""The four standard rates, counted from a hand-built timeline with exact expected numbers."""

from datetime import date, datetime, time, timedelta

import pytest

from cases import workflow
from cases.models import Case, CaseEvent, FollowUp
from cases.rates import (
    Rate,
    actual_resolution,
    on_time_acceptance,
    on_time_completion,
    satisfaction,
    standard_rates,
)
from tests import factories
from tests.factories.assign import make_case
from tests.factories.shifts import local

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
NOW = local(date(2026, 4, 1), time(8))


@pytest.fixture(autouse=True)
def _frozen(time_machine, settings):
    settings.CASE_ACCEPT_HOURS = 24
    time_machine.move_to(NOW, tick=False)


def at(month, day, hour, minute=0) -> datetime:
    return local(date(2026, month, day), time(hour, minute))


@pytest.fixture
def point(db):
    return factories.make_service_point(name="茶亭社区服务点")


@pytest.fixture
def bob(partner_b):
    return factories.make_assistant(partner=partner_b, name="包律师")


@pytest.fixture
def dave(partner_b):
    return factories.make_assistant(partner=partner_b, name="戴律师")


class Timeline:
    """Writes events for one case at given moments, as the workflow would have."""

    def __init__(self, case):
        self.case = case

    def event(self, kind, when, assistant=None, **fields):
        CaseEvent.objects.create(case=self.case, kind=kind, at=when, assistant=assistant, **fields)
        return self

    def assigned(self, when, assistant):
        return self.event("assigned", when, assistant, from_state="new", to_state="assigned")

    def reassigned(self, when, assistant):
        return self.event("reassigned", when, assistant, to_state="assigned")

    def accepted(self, when, assistant):
        return self.event(
            "accepted", when, assistant, from_state="assigned", to_state="in_progress"
        )

    def returned(self, when, assistant):
        return self.event("returned", when, assistant, from_state="assigned", to_state="new")

    def resolved(self, when):
        return self.event("transition", when, from_state="in_progress", to_state="resolved")

    def follow_up(self, done_at, satisfaction_given, still_solved=True):
        FollowUp.objects.create(
            case=self.case,
            due_on=done_at.date(),
            done_at=done_at,
            method="phone",
            satisfaction=satisfaction_given,
            still_solved=still_solved,
        )
        return self


def case_now(point, *, state, lead, outcome="", target=None) -> Case:
    """A case whose current fields say where it ended; its history is written separately."""
    case = make_case(service_point=point)
    Case.objects.filter(pk=case.pk).update(
        state=state, lead=lead, outcome=outcome, target_date=target
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def timeline(point, bob, dave):
    """Eight cases at the point and one elsewhere, with March 2026 as the period counted.

    Acceptance (24-hour window), per assignment:
      A on time; B late; C returned (late) then reassigned to Dave, on time; D never accepted;
      E assigned on 31 March at 20:00, still inside its window on 1 April at 08:00: not counted;
      F assigned in February: not counted; G Bob on time, then reassigned to Dave who was late;
      H returned by Bob, assigned to Bob again, accepted: the acceptance counts for the second
      assignment only.                                    → 4 on time of 9.
    Completion, per resolution in March against the target date:
      A on the day (on time); B at 00:30 local on the day after (late, although still the
      target date in UTC); C on time, later reopened; G late; H on time; D in February.
                                                          → 3 on time of 5.
    Actual resolution, cases resolved in March and still resolved:
      A resolved, B cannot be resolved, G referred, H resolved (C reopened, D February).
                                                          → 2 of 4.
    Satisfaction, return visits done in March:
      A 5, B 4, C 2 (problem back), D 3; G's on 1 April; H's not done yet.
                                                          → 2 of 4.
    The case at another point is perfect on every count and must not be counted.
    """
    a = case_now(point, state="closed", lead=bob, outcome="resolved", target=date(2026, 3, 20))
    Timeline(a).assigned(at(3, 2, 9), bob).accepted(at(3, 2, 15), bob).resolved(
        at(3, 20, 10)
    ).follow_up(at(3, 25, 10), 5)

    b = case_now(
        point, state="followed_up", lead=bob, outcome="unresolvable", target=date(2026, 3, 21)
    )
    Timeline(b).assigned(at(3, 3, 9), bob).accepted(at(3, 5, 9), bob).resolved(
        at(3, 22, 0, 30)
    ).follow_up(at(3, 26, 10), 4)

    c = case_now(point, state="in_progress", lead=dave, target=date(2026, 3, 30))
    Timeline(c).assigned(at(3, 4, 9), bob).returned(at(3, 4, 10), bob).assigned(
        at(3, 4, 11), dave
    ).accepted(at(3, 4, 12), dave).resolved(at(3, 25, 9)).follow_up(
        at(3, 27, 9), 2, still_solved=False
    ).event("reopened", at(3, 27, 9), dave, from_state="followed_up", to_state="in_progress")

    d = case_now(point, state="closed", lead=bob, outcome="resolved", target=date(2026, 2, 27))
    Timeline(d).assigned(at(3, 10, 9), bob).resolved(at(2, 26, 9)).follow_up(at(3, 5, 9), 3)

    e = case_now(point, state="assigned", lead=bob, target=date(2026, 4, 14))
    Timeline(e).assigned(at(3, 31, 20), bob)

    f = case_now(point, state="in_progress", lead=bob, target=date(2026, 3, 13))
    Timeline(f).assigned(at(2, 27, 9), bob).accepted(at(3, 1, 8), bob)

    g = case_now(point, state="resolved", lead=dave, outcome="referred", target=date(2026, 3, 27))
    Timeline(g).assigned(at(3, 12, 9), bob).accepted(at(3, 12, 10), bob).reassigned(
        at(3, 13, 9), dave
    ).accepted(at(3, 15, 9), dave).resolved(at(3, 28, 9)).follow_up(at(4, 1, 7), 5)

    h = case_now(point, state="resolved", lead=bob, outcome="resolved", target=date(2026, 3, 31))
    Timeline(h).assigned(at(3, 16, 9), bob).returned(at(3, 16, 10), bob).assigned(
        at(3, 16, 11), bob
    ).accepted(at(3, 16, 12), bob).resolved(at(3, 29, 9))
    FollowUp.objects.create(case=h, due_on=date(2026, 4, 5))

    elsewhere = case_now(
        factories.make_service_point(),
        state="closed",
        lead=bob,
        outcome="resolved",
        target=date(2026, 3, 31),
    )
    Timeline(elsewhere).assigned(at(3, 2, 9), bob).accepted(at(3, 2, 10), bob).resolved(
        at(3, 10, 9)
    ).follow_up(at(3, 12, 9), 5)

    return Case.objects.filter(service_point=point)


def test_on_time_acceptance_counts_each_decided_assignment_of_the_period(timeline):
    assert on_time_acceptance(timeline, **MARCH) == Rate(4, 9)


def test_an_assignment_whose_window_has_passed_since_counts_as_late(timeline):
    # A day later, E's window (until 1 April 20:00) is over and it was never accepted.
    later = on_time_acceptance(timeline, **MARCH, now=NOW + timedelta(days=1))

    assert later == Rate(4, 10)


def test_on_time_completion_compares_the_local_day_of_each_resolution_with_the_target(
    timeline,
):
    assert on_time_completion(timeline, **MARCH) == Rate(3, 5)


def test_actual_resolution_counts_resolved_outcomes_among_cases_still_resolved(timeline):
    assert actual_resolution(timeline, **MARCH) == Rate(2, 4)


def test_satisfaction_counts_four_and_five_among_return_visits_done_in_the_period(timeline):
    assert satisfaction(timeline, **MARCH) == Rate(2, 4)


def test_the_case_elsewhere_counts_when_the_set_of_cases_includes_it(timeline):
    everything = Case.objects.all()

    rates = standard_rates(everything, **MARCH)

    assert rates["on_time_acceptance"] == Rate(5, 10)
    assert rates["on_time_completion"] == Rate(4, 6)
    assert rates["actual_resolution"] == Rate(3, 5)
    assert rates["satisfaction"] == Rate(3, 5)


def test_a_ratio_is_the_share_and_none_when_nothing_was_counted():
    assert Rate(3, 4).ratio == 0.75
    assert Rate(0, 0).ratio is None


def test_a_period_with_nothing_in_it_gives_empty_rates(timeline):
    rates = standard_rates(timeline, start=date(2025, 1, 1), end=date(2025, 1, 31))

    assert all(rate == Rate(0, 0) for rate in rates.values())


def test_the_four_rates_take_four_queries_whatever_the_number_of_cases(
    timeline, django_assert_num_queries
):
    # 1. assignments with their acceptance subqueries; 2. resolutions joined to their cases;
    # 3. cases resolved in the period; 4. follow-ups done in the period.
    with django_assert_num_queries(4):
        standard_rates(timeline, **MARCH)


def test_the_rates_read_the_timeline_the_real_workflow_writes(time_machine, point, bob, staff_user):
    item = factories.make_service_item(target_days=5, follow_up_days=3)
    time_machine.move_to(at(3, 2, 9), tick=False)  # Monday
    case = make_case(service_item=item, service_point=point)  # target: Monday 9 March
    workflow.assign_case(case=case, lead=bob, by=staff_user)
    time_machine.move_to(at(3, 2, 11), tick=False)
    workflow.accept_case(case=case, assistant=bob)
    time_machine.move_to(at(3, 9, 16), tick=False)
    workflow.resolve_case(case=case, outcome="resolved", by=staff_user)
    time_machine.move_to(at(3, 12, 10), tick=False)
    workflow.record_follow_up(
        follow_up=case.follow_ups.get(), method="phone", satisfaction=5, still_solved=True, by=bob
    )

    rates = standard_rates(Case.objects.filter(pk=case.pk), **MARCH)

    assert rates == {
        "on_time_acceptance": Rate(1, 1),
        "on_time_completion": Rate(1, 1),
        "actual_resolution": Rate(1, 1),
        "satisfaction": Rate(1, 1),
    }
