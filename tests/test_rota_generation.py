"""Rota generation, preview, publishing and discarding (the assistants.rota package)."""

import itertools
import threading
from collections import Counter, defaultdict
from datetime import date, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistants.models import Rota, Shift, ShiftEvent
from assistants.rota import (
    MAX_RANGE_DAYS,
    RotaError,
    discard_rota,
    generate_rota,
    publish_rota,
    rota_preview,
)
from assistants.rota import generation as rota_generation
from talentoffice.models import CalendarDay, Notification, NotificationPreference
from tests import factories
from tests.factories.rota import make_shift, make_template, make_unavailability

# March 2026 has no public holiday, so every weekday works and every weekend is ordinary.
START = date(2026, 3, 2)  # a Monday
# Non-overlapping windows, so that templates of one point never overlap (a database rule);
# templates of different points may well overlap, which is what tests double booking.
WINDOWS = [(time(8), time(10)), (time(10), time(12)), (time(14), time(17, 30))]


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched against their English msgids; the catalogue may translate them."""
    with translation.override("en"):
        yield


PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# -- building small districts ------------------------------------------------------------------


@st.composite
def districts(draw):
    """A few points with templates, assistants of both specialties, postings, leave."""
    point_count = draw(st.integers(1, 3))
    templates = []
    for point in range(point_count):
        slots = draw(
            st.sets(st.tuples(st.integers(0, 6), st.integers(0, 2)), min_size=1, max_size=5)
        )
        for weekday, window in sorted(slots):
            finance, legal = draw(
                st.tuples(st.integers(0, 2), st.integers(0, 2)).filter(lambda seats: any(seats))
            )
            templates.append((point, weekday, window, finance, legal))
    days = draw(st.integers(1, 21))
    assistants = []
    for _ in range(draw(st.integers(1, 8))):
        postings = []
        for point in sorted(draw(st.sets(st.integers(0, point_count - 1), min_size=1))):
            first = draw(st.integers(-5, 12))
            length = draw(st.none() | st.integers(0, 20))
            postings.append((point, first, length))
        assistants.append(
            {
                "specialty": draw(st.sampled_from(["finance", "legal"])),
                "partner": draw(st.integers(0, 1)),
                "status": draw(st.sampled_from(["active"] * 4 + ["on_leave", "withdrawn"])),
                "max_per_week": draw(st.integers(1, 5)),
                "postings": postings,
                "leave": draw(
                    st.lists(
                        st.tuples(
                            st.integers(-3, 20),
                            st.integers(0, 6),
                            st.sampled_from(["approved", "requested", "rejected"]),
                        ),
                        max_size=2,
                    )
                ),
            }
        )
    held = draw(
        st.none()
        | st.tuples(
            st.integers(0, len(assistants) - 1), st.integers(0, days - 1), st.integers(0, 2)
        )
    )
    return {"templates": templates, "assistants": assistants, "days": days, "held": held}


def build(district):
    """Write the district to the database; return what the checks need."""
    street = factories.make_street()
    points = [factories.make_service_point(street=street) for _ in range(3)]
    partners = {("finance", n): factories.make_partner() for n in range(2)} | {
        ("legal", n): factories.make_partner(sector="legal", kind="law_firm") for n in range(2)
    }
    templates = [
        make_template(
            service_point=points[point],
            weekday=weekday,
            starts_at=WINDOWS[window][0],
            ends_at=WINDOWS[window][1],
            finance_needed=finance,
            legal_needed=legal,
        )
        for point, weekday, window, finance, legal in district["templates"]
    ]
    assistants = []
    for spec in district["assistants"]:
        assistant = factories.make_assistant(
            partner=partners[spec["specialty"], spec["partner"]],
            status=spec["status"],
            max_shifts_per_week=spec["max_per_week"],
        )
        for point, first, length in spec["postings"]:
            factories.make_dispatch(
                assistant=assistant,
                service_point=points[point],
                starts_on=START + timedelta(days=first),
                ends_on=None if length is None else START + timedelta(days=first + length),
            )
        for first, length, status in spec["leave"]:
            make_unavailability(
                assistant=assistant,
                starts_on=START + timedelta(days=first),
                ends_on=START + timedelta(days=first + length),
                status=status,
            )
        assistants.append(assistant)
    if district["held"] is not None:
        index, day, window = district["held"]
        make_shift(
            assistant=assistants[index],
            service_point=points[0],
            day=START + timedelta(days=day),
            starts=WINDOWS[window][0],
            ends=WINDOWS[window][1],
        )
    return templates, assistants


def expected_seats(templates, starts_on, ends_on):
    """(date, template, specialty) -> seats, for a range without holidays."""
    seats = Counter()
    day = starts_on
    while day <= ends_on:
        for template in templates:
            if template.weekday == day.weekday():
                seats[day, template.pk, "finance"] += template.finance_needed
                seats[day, template.pk, "legal"] += template.legal_needed
        day += timedelta(days=1)
    return +seats


def can_serve(assistant, point_id, day):
    """Active, posted to the point that day, and not on approved leave."""
    if assistant.status != "active":
        return False
    posted = any(
        d.service_point_id == point_id
        and d.starts_on <= day
        and (d.ends_on is None or day <= d.ends_on)
        for d in assistant.dispatches.all()
    )
    on_leave = any(
        u.status == "approved" and u.starts_on <= day <= u.ends_on
        for u in assistant.unavailabilities.all()
    )
    return posted and not on_leave


def check_rules(rota, templates, assistants):
    """Every rule a generated rota obeys, checked from the rows in the database."""
    by_pk = {a.pk: a for a in assistants}
    shifts = list(rota.shifts.all())
    live = list(Shift.objects.live().filter(assistant__isnull=False))
    held = defaultdict(list)
    week_count = Counter()
    for shift in live:
        held[shift.assistant_id].append(shift)
        week_count[shift.assistant_id, shift.date.isocalendar()[:2]] += 1

    # Every seat is there, filled or open.
    got = Counter((s.date, s.template_id, s.specialty) for s in shifts)
    assert got == expected_seats(templates, rota.starts_on, rota.ends_on)

    for shift in shifts:
        if shift.assistant_id is None:
            continue
        assistant = by_pk[shift.assistant_id]
        assert assistant.specialty == shift.specialty
        assert can_serve(assistant, shift.service_point_id, shift.date)
    # Nobody on two overlapping shifts, counting shifts held before the rota.
    for assistant_shifts in held.values():
        ordered = sorted(assistant_shifts, key=lambda s: s.starts_at)
        for before, after in itertools.pairwise(ordered):
            assert before.ends_at <= after.starts_at
    for (pk, _week), count in week_count.items():
        assert count <= by_pk[pk].max_shifts_per_week

    # An open seat is open because nobody could take it, not because the search gave up.
    for shift in shifts:
        if shift.assistant_id is not None:
            continue
        for assistant in assistants:
            if assistant.specialty != shift.specialty or not can_serve(
                assistant, shift.service_point_id, shift.date
            ):
                continue
            clash = any(
                other.starts_at < shift.ends_at and shift.starts_at < other.ends_at
                for other in held[assistant.pk]
            )
            full = (
                week_count[assistant.pk, shift.date.isocalendar()[:2]]
                >= assistant.max_shifts_per_week
            )
            assert clash or full, (shift.date, shift.specialty, assistant.pk)


def assignment(rota):
    return Counter(rota.shifts.values_list("date", "template_id", "specialty", "assistant_id"))


# -- properties --------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(district=districts())
def test_generated_rotas_keep_every_rule_and_come_out_the_same_twice(db, district):
    with transaction.atomic():
        templates, assistants = build(district)
        ends_on = START + timedelta(days=district["days"] - 1)
        if not expected_seats(templates, START, ends_on):
            with pytest.raises(RotaError):
                generate_rota(starts_on=START, ends_on=ends_on)
            assert not Rota.objects.exists()
        else:
            rota = generate_rota(starts_on=START, ends_on=ends_on)
            check_rules(rota, templates, assistants)
            first = assignment(rota)
            discard_rota(rota=rota)
            again = generate_rota(starts_on=START, ends_on=ends_on)
            assert assignment(again) == first
        transaction.set_rollback(True)


@st.composite
def roomy_districts(draw):
    """One point, everybody posted for the whole range, no leave, room to spare each week."""
    slots = draw(st.sets(st.tuples(st.integers(0, 6), st.integers(0, 2)), min_size=1, max_size=8))
    finance = draw(st.integers(1, 6))
    legal = draw(st.integers(1, 6))
    templates = [
        (
            weekday,
            window,
            draw(st.integers(0, min(2, finance))),
            draw(st.integers(0, min(2, legal))),
        )
        for weekday, window in sorted(slots)
    ]
    return {
        "templates": [t for t in templates if t[2] or t[3]] or [(0, 0, 1, 1)],
        "finance": finance,
        "legal": legal,
        "partners": [draw(st.integers(0, 1)) for _ in range(finance + legal)],
        "days": draw(st.integers(1, 28)),
    }


@PROPERTY_SETTINGS
@given(district=roomy_districts())
def test_when_everyone_can_take_every_seat_shift_counts_differ_by_at_most_one(db, district):
    with transaction.atomic():
        point = factories.make_service_point()
        for weekday, window, finance, legal in district["templates"]:
            make_template(
                service_point=point,
                weekday=weekday,
                starts_at=WINDOWS[window][0],
                ends_at=WINDOWS[window][1],
                finance_needed=finance,
                legal_needed=legal,
            )
        partners = {("finance", n): factories.make_partner() for n in range(2)} | {
            ("legal", n): factories.make_partner(sector="legal", kind="law_firm") for n in range(2)
        }
        specialties = ["finance"] * district["finance"] + ["legal"] * district["legal"]
        people = []
        for specialty, partner in zip(specialties, district["partners"], strict=True):
            # At most eight templates a week, one seat each per person: 14 a week never binds.
            assistant = factories.make_assistant(
                partner=partners[specialty, partner], max_shifts_per_week=14
            )
            factories.make_dispatch(assistant=assistant, service_point=point, starts_on=START)
            people.append(assistant)
        ends_on = START + timedelta(days=district["days"] - 1)
        try:
            rota = generate_rota(starts_on=START, ends_on=ends_on)
        except RotaError:
            # No template falls in a short range: nothing to share out.
            assert district["days"] < 7
        else:
            assert not rota.shifts.filter(assistant__isnull=True).exists()
            counts = Counter(rota.shifts.values_list("assistant_id", flat=True))
            for specialty in ("finance", "legal"):
                group = [counts[p.pk] for p in people if p.specialty == specialty]
                assert max(group) - min(group) <= 1, (specialty, group)
        transaction.set_rollback(True)


# -- fairness and booking examples -------------------------------------------------------------


def test_a_tie_between_idle_assistants_goes_to_the_partner_with_fewer_shifts(db):
    point = factories.make_service_point()
    make_template(service_point=point, weekday=0, finance_needed=2, legal_needed=0)
    big, small = factories.make_partner(), factories.make_partner()
    for partner in (big, big, small, small):
        factories.make_dispatch(
            assistant=factories.make_assistant(partner=partner), service_point=point
        )

    rota = generate_rota(starts_on=START, ends_on=START)

    partners = sorted(rota.shifts.values_list("assistant__partner_id", flat=True))
    assert partners == sorted([big.pk, small.pk])


def test_an_assistant_booked_in_another_draft_is_not_booked_again_at_the_same_time(db):
    here, there = factories.make_service_point(), factories.make_service_point()
    make_template(service_point=here, weekday=0, finance_needed=1, legal_needed=0)
    make_template(service_point=there, weekday=0, finance_needed=1, legal_needed=0)
    bob = factories.make_assistant()
    factories.make_dispatch(assistant=bob, service_point=here)
    factories.make_dispatch(assistant=bob, service_point=there)

    first = generate_rota(starts_on=START, ends_on=START, service_point=here)
    second = generate_rota(starts_on=START, ends_on=START, service_point=there)

    assert list(first.shifts.values_list("assistant", flat=True)) == [bob.pk]
    assert list(second.shifts.values_list("assistant", flat=True)) == [None]


def test_approved_leave_blocks_and_requested_leave_does_not(db):
    point = factories.make_service_point()
    make_template(service_point=point, weekday=0, finance_needed=1, legal_needed=0)
    bob, dan = factories.make_assistant(), factories.make_assistant()
    for assistant in (bob, dan):
        factories.make_dispatch(assistant=assistant, service_point=point)
    make_unavailability(assistant=bob, starts_on=START, ends_on=START, status="approved")
    make_unavailability(assistant=dan, starts_on=START, ends_on=START, status="requested")

    rota = generate_rota(starts_on=START, ends_on=START)

    assert list(rota.shifts.values_list("assistant", flat=True)) == [dan.pk]


def test_an_unfillable_seat_is_kept_as_an_open_shift(db):
    point = factories.make_service_point()
    make_template(service_point=point, weekday=0, finance_needed=1, legal_needed=2)
    factories.make_dispatch(assistant=factories.make_assistant(), service_point=point)

    rota = generate_rota(starts_on=START, ends_on=START)

    assert rota.shifts.count() == 3
    assert set(rota.shifts.filter(assistant__isnull=True).values_list("specialty", flat=True)) == {
        "legal"
    }
    assert rota.shifts.filter(assistant__isnull=False).get().specialty == "finance"


def test_shifts_carry_shanghai_wall_clock_times_and_a_created_event(db, staff_user):
    point = factories.make_service_point()
    template = make_template(service_point=point, weekday=0, starts_at=time(9), ends_at=time(12))
    factories.make_dispatch(assistant=factories.make_assistant(), service_point=point)

    rota = generate_rota(starts_on=START, ends_on=START, created_by=staff_user, name="三月")

    shift = rota.shifts.get(specialty="finance")
    assert shift.template == template and shift.date == START
    # 09:00 in Shanghai is 01:00 UTC.
    assert shift.starts_at.isoformat() == "2026-03-02T01:00:00+00:00"
    assert shift.ends_at.isoformat() == "2026-03-02T04:00:00+00:00"
    assert rota.status == "draft" and rota.created_by == staff_user and rota.name == "三月"
    events = ShiftEvent.objects.filter(shift__rota=rota)
    assert events.count() == 2
    assert set(events.values_list("kind", "actor")) == {("created", staff_user.pk)}


# -- holidays -----------------------------------------------------------------------------------


def point_open_every_day():
    """A point whose template on weekday w starts at 08:00 + w hours, to tell them apart."""
    point = factories.make_service_point()
    for weekday in range(7):
        make_template(
            service_point=point,
            weekday=weekday,
            starts_at=time(8 + weekday),
            ends_at=time(8 + weekday, 30),
            finance_needed=1,
            legal_needed=0,
        )
    return point


def point_open_on_weekdays():
    point = factories.make_service_point()
    for weekday in range(5):
        make_template(
            service_point=point,
            weekday=weekday,
            starts_at=time(8 + weekday),
            ends_at=time(8 + weekday, 30),
            finance_needed=1,
            legal_needed=0,
        )
    return point


def duty(rota):
    """{date: template weekday used}."""
    return dict(rota.shifts.values_list("date", "template__weekday"))


def test_national_day_has_no_duty_and_its_make_up_saturday_works_as_the_day_it_replaces(db):
    point_open_on_weekdays()

    rota = generate_rota(starts_on=date(2026, 9, 28), ends_on=date(2026, 10, 11))

    assert duty(rota) == {
        date(2026, 9, 28): 0,
        date(2026, 9, 29): 1,
        date(2026, 9, 30): 2,
        date(2026, 10, 8): 3,
        date(2026, 10, 9): 4,
        # Saturday 10 October is a make-up workday paying for Wednesday 7 October.
        date(2026, 10, 10): 2,
    }


def test_a_make_up_sunday_keeps_a_points_own_sunday_duty(db):
    weekdays_only, every_day = point_open_on_weekdays(), point_open_every_day()

    rota = generate_rota(starts_on=date(2026, 9, 20), ends_on=date(2026, 9, 20))

    assert dict(rota.shifts.values_list("service_point", "template__weekday")) == {
        weekdays_only.pk: 1,  # works as Tuesday 6 October
        every_day.pk: 6,
    }


def test_weekend_duty_runs_on_ordinary_weekends_but_not_in_a_holiday(db):
    point_open_every_day()

    rota = generate_rota(starts_on=date(2026, 9, 19), ends_on=date(2026, 10, 4))

    days = set(duty(rota))
    assert date(2026, 9, 19) in days  # an ordinary Saturday
    assert not days & {date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)}  # Mid-Autumn
    assert not days & {date(2026, 10, d) for d in range(1, 5)}  # National Day


def test_calendar_days_set_by_staff_win_over_the_official_calendar(db):
    point_open_on_weekdays()
    CalendarDay.objects.create(date=date(2026, 3, 10), kind="holiday", name="区庆")
    CalendarDay.objects.create(date=date(2026, 3, 14), kind="workday", name="补班")

    rota = generate_rota(starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 15))

    assert duty(rota) == {
        date(2026, 3, 9): 0,
        date(2026, 3, 11): 2,
        date(2026, 3, 12): 3,
        date(2026, 3, 13): 4,
        date(2026, 3, 14): 0,  # a make-up day with no official pairing works as a Monday
    }


def test_a_year_the_official_calendar_does_not_know_still_gets_a_rota(db):
    point_open_every_day()

    rota = generate_rota(starts_on=date(2031, 3, 3), ends_on=date(2031, 3, 9))

    assert duty(rota) == {date(2031, 3, d): d - 3 for d in range(3, 10)}


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "message"),
    [
        (START, START - timedelta(days=1), "cannot end before it starts"),
        (START, START + timedelta(days=MAX_RANGE_DAYS), "at most 92 days"),
        (date(2026, 10, 1), date(2026, 10, 7), "no duty in this period"),
    ],
    ids=["reversed", "too-long", "only-holidays"],
)
def test_a_bad_range_is_refused_with_a_message_and_nothing_is_created(
    db, starts_on, ends_on, message
):
    point_open_on_weekdays()

    with pytest.raises(RotaError, match=message):
        generate_rota(starts_on=starts_on, ends_on=ends_on)

    assert not Rota.objects.exists() and not Shift.objects.exists()


def test_generation_without_templates_is_refused(db):
    point = factories.make_service_point()
    make_template(service_point=point, active=False)

    with pytest.raises(RotaError, match="no shift templates"):
        generate_rota(starts_on=START, ends_on=START)
    with pytest.raises(RotaError, match="no shift templates"):
        generate_rota(starts_on=START, ends_on=START, service_point=point)
    assert not Rota.objects.exists()


def test_a_second_rota_over_the_same_point_and_days_is_refused(db):
    point = point_open_on_weekdays()
    first = generate_rota(starts_on=START, ends_on=START + timedelta(days=6), name="三月第一周")

    with pytest.raises(RotaError, match="三月第一周"):
        generate_rota(starts_on=START + timedelta(days=3), ends_on=START + timedelta(days=9))
    with pytest.raises(RotaError, match="三月第一周"):
        generate_rota(starts_on=START, ends_on=START, service_point=point)

    assert list(Rota.objects.all()) == [first]


# -- preview -----------------------------------------------------------------------------------


def staffed_point(assistants):
    point = factories.make_service_point()
    make_template(service_point=point, weekday=0, finance_needed=2, legal_needed=1)
    make_template(service_point=point, weekday=2, finance_needed=1, legal_needed=1)
    partner = factories.make_partner()
    people = [factories.make_assistant(partner=partner) for _ in range(assistants)]
    for person in people:
        factories.make_dispatch(assistant=person, service_point=point)
    return point, people


def test_the_preview_lists_shifts_open_seats_and_fairness(db):
    point, (bob, _dan, _eve) = staffed_point(3)
    idle = factories.make_assistant()
    factories.make_dispatch(assistant=idle, service_point=point)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=13))

    preview = rota_preview(rota)

    # Two weeks of Monday (2 finance + 1 legal) and Wednesday (1 + 1): 10 seats, no lawyer.
    assert len(preview.shifts) == 10
    assert len(preview.open_shifts) == 4
    assert {s.specialty for s in preview.open_shifts} == {"legal"}
    assert preview.filled_count == 6
    per_person = {row.subject.pk: row.shifts for row in preview.per_assistant.rows}
    # Six finance seats over four people: two, two, one, one.
    assert sorted(per_person.values()) == [1, 1, 2, 2]
    assert (preview.per_assistant.minimum, preview.per_assistant.maximum) == (1, 2)
    assert preview.per_assistant.spread == 1
    partner_rows = {row.subject.pk: row for row in preview.per_partner.rows}
    assert partner_rows[bob.partner_id].shifts + partner_rows[idle.partner_id].shifts == 6
    assert partner_rows[bob.partner_id].assistants == 3


def test_an_assistant_who_could_serve_but_got_nothing_shows_with_zero(db):
    point, _people = staffed_point(1)
    late = factories.make_assistant()
    # Posted before the rota ends, so eligible, but only from its last day (a Sunday).
    factories.make_dispatch(
        assistant=late, service_point=point, starts_on=START + timedelta(days=6)
    )
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6))

    preview = rota_preview(rota)

    assert {row.subject.pk: row.shifts for row in preview.per_assistant.rows}[late.pk] == 0
    assert preview.per_assistant.minimum == 0


@pytest.mark.parametrize("assistants", [2, 12])
def test_the_preview_runs_two_queries_whatever_the_rota_size(
    db, django_assert_num_queries, assistants
):
    staffed_point(assistants)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6 * assistants))

    # 1. the shifts with their point, assistant and partner; 2. everyone who could serve.
    with django_assert_num_queries(2):
        preview = rota_preview(rota)
        [row.subject.partner.name for row in preview.per_assistant.rows]
        [(s.service_point.name, s.assistant and s.assistant.partner.name) for s in preview.shifts]


def test_generation_runs_the_same_number_of_queries_for_a_small_and_a_larger_district(db):
    counts = []
    for size in (2, 15):
        with transaction.atomic():
            staffed_point(size)
            with CaptureQueriesContext(connection) as queries:
                generate_rota(starts_on=START, ends_on=START + timedelta(days=4 * size))
            counts.append(len(queries))
            transaction.set_rollback(True)

    # The service's savepoint and its release, the advisory lock, templates, clashing rotas,
    # calendar days, postings, approved leave, shifts already held, the rota, a savepoint with
    # its release around the insert of shifts, and one INSERT ... SELECT of their events. The
    # shifts themselves go in by one COPY, which Django's query log does not see.
    assert counts == [13, 13]


# -- publishing and discarding -----------------------------------------------------------------


def test_publishing_makes_the_rota_binding_and_records_each_assignment(db, staff_user):
    staffed_point(2)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6))
    filled = rota.shifts.filter(assistant__isnull=False).count()

    published = publish_rota(rota=rota, by=staff_user)

    rota.refresh_from_db()
    assert rota.status == "published" and rota.published_by == staff_user
    assert rota.published_at is not None and published.published_at == rota.published_at
    assigned = ShiftEvent.objects.filter(shift__rota=rota, kind="assigned")
    assert assigned.count() == filled > 0
    assert not assigned.exclude(actor=staff_user).exists()
    assert set(assigned.values_list("assistant", flat=True)) == set(
        rota.shifts.filter(assistant__isnull=False).values_list("assistant", flat=True)
    )


@pytest.mark.postgresql_only(
    reason="the entries go in as one INSERT ... SELECT FROM jsonb_to_recordset, PostgreSQL's own"
)
def test_publishing_writes_every_shifts_audit_entry_in_one_insert_whatever_the_rota_size(
    db, staff_user, monkeypatch
):
    # A batch size below the rota's size: the entries must still go in as one statement.
    monkeypatch.setattr("talentoffice.audit.BATCH_SIZE", 2)
    counts = []
    for size in (2, 15):
        with transaction.atomic():
            staffed_point(size)
            rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=4 * size))
            shifts = rota.shifts.count()
            ContentType.objects.clear_cache()
            with CaptureQueriesContext(connection) as queries:
                publish_rota(rota=rota, by=staff_user, notify_assistants=False)
            inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "auditlog')]
            assert len(inserts) == 1
            entries = LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Shift),
                additional_data__bulk__startswith="rota published",
            )
            assert entries.count() == shifts > 4
            counts.append(len(queries))
            transaction.set_rollback(True)

    # Savepoint and release, the rota locked, the rota saved, one INSERT ... SELECT of the
    # assignment events, the shifts read for their entries, their content type, one INSERT of
    # the entries; then the event table tells of the rota in the same transaction: the rota read
    # back, the shifts of the partners who listen, each in its savepoint (and its release).
    assert counts == [14, 14]


def test_publishing_twice_is_refused_and_changes_nothing(db, staff_user, limited_staff_user):
    staffed_point(2)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6))
    publish_rota(rota=rota, by=staff_user)
    rota.refresh_from_db()
    before = (rota.published_at, rota.published_by_id, ShiftEvent.objects.count())

    with pytest.raises(RotaError, match="already published"):
        publish_rota(rota=rota, by=limited_staff_user)

    rota.refresh_from_db()
    assert (rota.published_at, rota.published_by_id, ShiftEvent.objects.count()) == before


def test_discarding_a_draft_removes_it_with_its_shifts_and_history(db):
    staffed_point(2)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6))

    discard_rota(rota=rota)

    assert not Rota.objects.exists()
    assert not Shift.objects.exists() and not ShiftEvent.objects.exists()
    # The dates are free again.
    assert generate_rota(starts_on=START, ends_on=START + timedelta(days=6)).shifts.exists()


def test_discarding_a_draft_writes_no_audit_entries_and_a_few_queries_whatever_its_size(
    db, django_assert_max_num_queries
):
    for _point in range(3):
        staffed_point(4)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=27))
    assert rota.shifts.count() >= 30
    entries_before = LogEntry.objects.count()

    # Lock, three DELETEs with the cascade's look-ups, the rota itself (and its audit entry).
    with django_assert_max_num_queries(15):
        discard_rota(rota=rota)

    assert not Shift.objects.exists()
    shift_type = ContentType.objects.get_for_model(Shift)
    assert not LogEntry.objects.filter(content_type=shift_type).exists()
    assert LogEntry.objects.count() - entries_before <= 1


def test_a_published_rota_cannot_be_discarded(db, staff_user):
    staffed_point(2)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6))
    publish_rota(rota=rota, by=staff_user)
    shifts = Shift.objects.count()

    with pytest.raises(RotaError, match="cannot be discarded"):
        discard_rota(rota=rota)

    assert Rota.objects.filter(pk=rota.pk, status="published").exists()
    assert Shift.objects.count() == shifts


def test_a_clash_the_database_catches_becomes_a_message_and_leaves_nothing(db, monkeypatch):
    point = factories.make_service_point()
    make_template(service_point=point, weekday=0, finance_needed=1, legal_needed=0)
    bob = factories.make_assistant()
    factories.make_dispatch(assistant=bob, service_point=point)
    make_shift(assistant=bob, service_point=point, day=START, starts=time(10), ends=time(11))
    # As if the hand-made shift had been saved after the planner looked: it does not see it.
    load = rota_generation._Planner._load

    def load_blind(planner, point_ids):
        load(planner, point_ids)
        planner.busy.clear()

    monkeypatch.setattr(rota_generation._Planner, "_load", load_blind)

    with pytest.raises(RotaError, match="changed while the rota was being generated"):
        generate_rota(starts_on=START, ends_on=START)

    assert not Rota.objects.exists()
    assert Shift.objects.count() == 1


def test_publishing_tells_each_assigned_assistant_with_a_login_once_in_their_language(
    db, staff_user, assistant, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=assistant.user, language="en")
    point = factories.make_service_point()
    make_template(service_point=point, weekday=0, finance_needed=1, legal_needed=1)
    make_template(service_point=point, weekday=2, finance_needed=1, legal_needed=1)
    factories.make_dispatch(assistant=assistant, service_point=point)
    lawyer = factories.make_assistant(
        partner=factories.make_partner(sector="legal", kind="law_firm")
    )
    factories.make_dispatch(assistant=lawyer, service_point=point)  # no login: no message
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6), name="三月第一周")

    with django_capture_on_commit_callbacks(execute=True):
        publish_rota(rota=rota, by=staff_user)

    message = Notification.objects.get()
    assert message.recipient == assistant.user and message.kind == "rota_published"
    assert (message.target, message.occasion) == (rota, "")
    assert "You have 2 shifts in the rota “三月第一周”." in message.body


def test_publishing_quietly_writes_no_messages(
    db, staff_user, assistant, django_capture_on_commit_callbacks
):
    point = factories.make_service_point()
    make_template(service_point=point, weekday=0, finance_needed=1, legal_needed=0)
    factories.make_dispatch(assistant=assistant, service_point=point)
    rota = generate_rota(starts_on=START, ends_on=START)

    with django_capture_on_commit_callbacks(execute=True):
        publish_rota(rota=rota, by=staff_user, notify_assistants=False)

    assert rota.shifts.get().assistant == assistant
    assert not Notification.objects.exists()


def test_two_staff_publishing_at_the_same_moment_publish_once(transactional_db, staff_user):
    staffed_point(2)
    rota = generate_rota(starts_on=START, ends_on=START + timedelta(days=6))
    filled = rota.shifts.filter(assistant__isnull=False).count()
    barrier = threading.Barrier(2)
    outcomes = []

    def publish():
        # Each thread has its own connection, hence its own transaction, and its own language.
        with translation.override("en"):
            try:
                barrier.wait()
                publish_rota(rota=Rota.objects.get(pk=rota.pk), by=staff_user)
                outcomes.append("published")
            except RotaError as error:
                outcomes.append(error.messages[0])
            finally:
                connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # The second waits for the first one's row lock, then sees a published rota.
    assert sorted(outcomes) == ["This rota is already published.", "published"]
    assert ShiftEvent.objects.filter(shift__rota=rota, kind="assigned").count() == filled
