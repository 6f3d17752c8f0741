"""Every headline figure agrees with a count made independently, in Python, from the rows."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from assistants.models import Dispatch, Shift
from cases.models import Case, CaseEvent, FollowUp, Visit
from steering.figures import Filters, Period, Sources, compute_figures
from steering.models import Activity

from .conftest import QUARTER


def _bounds(period):
    start = timezone.make_aware(datetime.combine(period.start, time.min))
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    return start, end


def _within(moment, period):
    start, end = _bounds(period)
    return moment is not None and start <= moment < end


def _case_street(case):
    if case.enterprise_id:
        return case.enterprise.street_id
    if case.resident_id and case.resident.community_id:
        return case.resident.community.street_id
    return None


def _case_matches(case, filters):
    if filters.street_id and _case_street(case) != filters.street_id:
        return False
    if filters.partner_id and (case.lead is None or case.lead.partner_id != filters.partner_id):
        return False
    return not (filters.specialty and case.service_item.specialty != filters.specialty)


def _visit_streets(visit):
    streets = set()
    if visit.enterprise_id:
        streets.add(visit.enterprise.street_id)
    if visit.resident_id and visit.resident.community_id:
        streets.add(visit.resident.community.street_id)
    if visit.service_point_id:
        streets.add(visit.service_point.street_id)
    return streets


def _visit_matches(visit, filters):
    if filters.street_id and filters.street_id not in _visit_streets(visit):
        return False
    if filters.partner_id and visit.assistant.partner_id != filters.partner_id:
        return False
    return not (filters.specialty and visit.assistant.specialty != filters.specialty)


def _percent(numerator, denominator):
    return round(100 * numerator / denominator, 1) if denominator else None


def expected_figures(filters: Filters, period: Period) -> dict:
    """Each figure counted from the rows with plain Python, without the module under test."""
    cases = list(
        Case.objects.select_related("enterprise", "resident__community", "lead", "service_item")
    )
    visits = list(
        Visit.objects.select_related(
            "enterprise", "resident__community", "service_point", "assistant"
        )
    )
    matching_cases = [c for c in cases if _case_matches(c, filters)]
    matching_visits = [v for v in visits if _visit_matches(v, filters)]
    figures = {}

    dispatched = set()
    for dispatch in Dispatch.objects.select_related("assistant", "service_point"):
        overlaps = dispatch.starts_on <= period.end and (
            dispatch.ends_on is None or dispatch.ends_on >= period.start
        )
        if not overlaps:
            continue
        if filters.street_id and dispatch.service_point.street_id != filters.street_id:
            continue
        if filters.partner_id and dispatch.assistant.partner_id != filters.partner_id:
            continue
        if filters.specialty and dispatch.assistant.specialty != filters.specialty:
            continue
        dispatched.add(dispatch.assistant_id)
    figures["assistants_dispatched"] = len(dispatched)

    enterprises, households = set(), set()
    for visit in matching_visits:
        if _within(visit.occurred_at, period):
            if visit.enterprise_id:
                enterprises.add(visit.enterprise)
            if visit.resident_id:
                households.add(visit.resident)
    for case in matching_cases:
        if _within(case.created_at, period):
            if case.enterprise_id:
                enterprises.add(case.enterprise)
            if case.resident_id:
                households.add(case.resident)
    if filters.street_id:
        enterprises = {e for e in enterprises if e.street_id == filters.street_id}
        households = {
            r for r in households if r.community and r.community.street_id == filters.street_id
        }
    figures["enterprises_reached"] = len(enterprises)
    figures["households_reached"] = len(households)

    opened = [c for c in matching_cases if _within(c.created_at, period)]
    resolved = [c for c in matching_cases if _within(c.resolved_at, period)]
    figures["cases_opened"] = len(opened)
    figures["cases_resolved"] = len(resolved)
    figures["beneficiaries"] = sum(c.beneficiaries for c in resolved)
    figures["disputes_mediated"] = sum(
        1 for v in matching_visits if v.kind == "mediation" and _within(v.occurred_at, period)
    )

    held = []
    for activity in Activity.objects.prefetch_related("partners"):
        if not period.start <= activity.held_on <= period.end:
            continue
        if filters.street_id and activity.street_id != filters.street_id:
            continue
        partners = list(activity.partners.all())
        if filters.partner_id and filters.partner_id not in {p.pk for p in partners}:
            continue
        if filters.specialty and filters.specialty not in {p.sector for p in partners}:
            continue
        held.append(activity)
    figures["activities_held"] = len(held)
    figures["activity_beneficiaries"] = sum(a.beneficiaries for a in held)

    matching_ids = {c.pk for c in matching_cases}
    follow_ups = [f for f in FollowUp.objects.all() if f.case_id in matching_ids]
    due = [f for f in follow_ups if period.start <= f.due_on <= period.end]
    figures["follow_up_completion"] = _percent(sum(1 for f in due if f.done_at), len(due))
    done = [f for f in follow_ups if _within(f.done_at, period) and f.satisfaction]
    figures["satisfaction"] = _percent(sum(1 for f in done if f.satisfaction >= 4), len(done))

    shifts = []
    for shift in Shift.objects.select_related("service_point", "assistant"):
        if not period.start <= shift.date <= period.end or shift.assistant is None:
            continue
        if shift.status == "cancelled" or shift.starts_at >= timezone.now():
            continue
        if filters.street_id and shift.service_point.street_id != filters.street_id:
            continue
        if filters.partner_id and shift.assistant.partner_id != filters.partner_id:
            continue
        if filters.specialty and shift.specialty != filters.specialty:
            continue
        shifts.append(shift)
    attended = sum(1 for s in shifts if s.status in ("checked_in", "completed"))
    figures["attendance"] = _percent(attended, len(shifts))

    resolutions = [
        e
        for e in CaseEvent.objects.filter(kind="transition", to_state="resolved").select_related(
            "case"
        )
        if e.case_id in matching_ids and _within(e.at, period)
    ]
    on_time = sum(1 for e in resolutions if timezone.localtime(e.at).date() <= e.case.target_date)
    figures["on_time_completion"] = _percent(on_time, len(resolutions))
    resolved_cases = {e.case for e in resolutions if e.case.outcome}
    figures["actual_resolution"] = _percent(
        sum(1 for c in resolved_cases if c.outcome == "resolved"), len(resolved_cases)
    )
    return figures


FILTER_CASES = [
    {},
    {"street": 0},
    {"street": 1},
    {"partner": 0},
    {"partner": 1},
    {"specialty": "finance"},
    {"specialty": "legal"},
    {"street": 0, "partner": 0, "specialty": "finance"},
]


def _filters(district, period, spec):
    return Filters(
        period,
        street_id=district.streets[spec["street"]].pk if "street" in spec else None,
        partner_id=district.partners[spec["partner"]].pk if "partner" in spec else None,
        specialty=spec.get("specialty"),
    )


@pytest.mark.parametrize("spec", FILTER_CASES, ids=[str(spec) for spec in FILTER_CASES])
def test_each_headline_figure_matches_a_count_made_from_the_rows(district, spec):
    filters = _filters(district, QUARTER, spec)
    figures = compute_figures(filters, Sources())
    current = expected_figures(filters, QUARTER)
    previous = expected_figures(filters, QUARTER.previous())
    for key, value in current.items():
        assert figures[key].value == value, (key, spec)
        assert figures[key].previous == previous[key], (key, spec, "previous")


def test_the_hand_built_quarter_is_not_trivially_empty(district, quarter):
    figures = compute_figures(quarter, Sources())
    for key in (
        "assistants_dispatched",
        "enterprises_reached",
        "households_reached",
        "cases_opened",
        "cases_resolved",
        "disputes_mediated",
        "activities_held",
    ):
        assert figures[key].value > 0, key
    assert figures["attendance"].denominator > 0
    assert figures["follow_up_completion"].denominator > 0


def test_the_previous_period_is_as_long_and_ends_the_day_before():
    period = Period(date(2026, 4, 1), date(2026, 6, 30))
    assert period.previous() == Period(date(2025, 12, 31), date(2026, 3, 31))
    assert period.previous().days == period.days == 91


def test_a_period_with_nothing_recorded_counts_zero_and_leaves_rates_empty(district):
    figures = compute_figures(Filters(Period(date(2030, 1, 1), date(2030, 1, 31))), Sources())
    assert figures["cases_opened"].value == 0
    assert figures["enterprises_reached"].value == 0
    assert figures["satisfaction"].value is None
    assert figures["attendance"].value is None


def test_a_partner_manager_sees_nothing_through_the_staff_figures(district, partner_a_manager):
    # The dashboard is for staff; a partner's own figures come only through its digest filter.
    figures = compute_figures(Filters(QUARTER), Sources(partner_a_manager))
    assert figures["enterprises_reached"].value == 0
    assert figures["activities_held"].value == 0
