"""`manage.py seed_demo`: build a realistic demo district, the same one for the same seed.

The district follows the news reports in the design seeds (Taijiang, Fuzhou): 44 partners,
300+ assistants, service points, dispatches, the 4-category / 21-item checklist, enterprises and
residents, plus demo logins for staff, assistants and a partner manager; then the duty rota:
shift templates, some leave, a published rota for the current and the next month with the past
days' attendance, and a few swap requests; then a year of cases in every state with their
timelines, visits, return visits (some overdue), referrals, extension requests, council
meetings and enterprise liaisons. `--scale N` multiplies the large tables for
benchmarks, so they are written with bulk_create; bulk_create skips full_clean(), which is why
every value is generated valid by construction (the database's CHECK and UNIQUE constraints
would refuse anything else).
"""

import bisect
import itertools
import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assistants.models import (
    Assistant,
    Dispatch,
    Rota,
    ServicePoint,
    Shift,
    ShiftEvent,
    ShiftTemplate,
    Skill,
    SwapRequest,
    Unavailability,
)
from assistants.rota import LOCAL_TZ, generate_rota, publish_rota
from cases.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CouncilMeeting,
    Enterprise,
    EnterpriseLiaison,
    ExtensionRequest,
    FollowUp,
    Referral,
    Resident,
    ServiceCategory,
    ServiceItem,
    Visit,
)
from partners.models import Agreement, Partner, PartnerContact
from partners.services import create_api_key
from steering.demo import build_steering_demo
from talentoffice import demo_data as data
from talentoffice import roles
from talentoffice.models import Community, Street
from talentoffice.validators import CREDIT_CODE_ALPHABET, credit_code_check_character
from talentoffice.workdays import WorkdayCalendar

BATCH_SIZE = 2000


def _in_force(dispatch, day) -> bool:
    """Whether the dispatch (a posting to a point) covers the day."""
    return dispatch.starts_on <= day and (dispatch.ends_on is None or day <= dispatch.ends_on)


# Cases are planned all at once (to number them in intake order) but written this many at a
# time, so that scale 100 never holds millions of unsaved timeline rows.
CASE_SLICE = 10_000
DEFAULT_SEED = 2024
# The share of a scale-1 district's cases led by the demo assistants (assistant1..3).
DEMO_LEAD_SHARE = 0.02
# Of the cases that get a helper, the share helped by a demo login at scale 1 (a few each).
DEMO_HELPER_SHARE = 0.03
# Open offers to anyone that each demo login can take, at any scale (see demo_offers).
DEMO_OFFERS = 8
# The district is fixed in time (no `today`), so that a seed gives the same rows on any day; only
# the rota follows the calendar (this month and the next), so it is the same for a seed and a day.
LAST_DISPATCH_START = date(2025, 6, 30)
WITHDRAWN_BY = date(2025, 9, 30)

# GB 11714-1997: the organisation code inside a credit code carries its own check character.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _coprime_step(rng: random.Random, modulus: int, factors: tuple[int, ...]) -> int:
    """A large step coprime to the modulus, so that `offset + step * n` visits each value once."""
    while True:
        step = rng.randrange(modulus // 3, modulus)
        if all(step % factor for factor in factors):
            return step


class MobileNumbers:
    """Hands out distinct mainland mobile numbers in a scattered order fixed by the seed.

    Numbers come from a counter through an affine permutation of the 8-digit tail, so they never
    repeat (residents and assistants have unique phones) however many are asked for, and no
    retry loop or set of used numbers is needed at scale 100.
    """

    def __init__(self, rng: random.Random):
        self._prefixes = rng.sample(data.MOBILE_PREFIXES, len(data.MOBILE_PREFIXES))
        self._step = _coprime_step(rng, 10**8, (2, 5))
        self._offset = rng.randrange(10**8)
        self._counter = itertools.count()

    def next(self) -> str:
        """The next unused number."""
        n = next(self._counter)
        # The tail alone is unique (for up to 10**8 numbers), so no two people share the last
        # eight digits under different prefixes, which would look fake.
        tail = (self._offset + self._step * n) % 10**8
        return f"{self._prefixes[n % len(self._prefixes)]}{tail:08d}"


class CreditCodes:
    """Hands out distinct, valid unified social credit codes (GB 32100-2015).

    A code is registration authority and category (2), division (6), organisation code (9) and a
    check character. Uniqueness rests on the organisation code alone: post-2015 codes (`MA` plus
    six base-31 characters) and older all-digit codes come from two counters through affine
    permutations, and the two shapes can never coincide.
    """

    def __init__(self, rng: random.Random):
        self._modern_modulus = 31**6
        self._modern_step = _coprime_step(rng, self._modern_modulus, (31,))
        self._modern_offset = rng.randrange(self._modern_modulus)
        self._modern_counter = itertools.count()
        self._legacy_step = _coprime_step(rng, 10**8, (2, 5))
        self._legacy_offset = rng.randrange(10**8)
        self._legacy_counter = itertools.count()

    def _modern_body(self) -> str:
        value = (
            self._modern_offset + self._modern_step * next(self._modern_counter)
        ) % self._modern_modulus
        characters = []
        for _ in range(6):
            value, digit = divmod(value, 31)
            characters.append(CREDIT_CODE_ALPHABET[digit])
        return "MA" + "".join(reversed(characters))

    def _legacy_body(self) -> str:
        value = (self._legacy_offset + self._legacy_step * next(self._legacy_counter)) % 10**8
        return f"{value:08d}"

    @staticmethod
    def organisation_check(body: str) -> str:
        """The GB 11714 check character of an 8-character organisation code body."""
        total = sum(
            int(char, 36) * weight for char, weight in zip(body, ORG_CODE_WEIGHTS, strict=True)
        )
        check = 11 - total % 11
        return {10: "X", 11: "0"}.get(check, str(check))

    def next(self, *, authority: str, division: str, modern: bool) -> str:
        """A new code for an entity registered by `authority` (e.g. "91") in `division`."""
        body = self._modern_body() if modern else self._legacy_body()
        first17 = f"{authority}{division}{body}{self.organisation_check(body)}"
        return first17 + credit_code_check_character(first17)


class LicenceNumbers:
    """Hands out distinct 17-digit lawyer's practising-licence numbers for Fuzhou (3501).

    Layout: category 1 (full-time lawyer), region 3501, year first licensed, gender (1 male,
    0 female), then a 7-digit sequence that alone keeps them unique.
    """

    def __init__(self, rng: random.Random):
        self._step = _coprime_step(rng, 10**7, (2, 5))
        self._offset = rng.randrange(10**7)
        self._counter = itertools.count()

    def next(self, *, year: int, gender: str) -> str:
        """A new number for a lawyer first licensed in `year`."""
        sequence = (self._offset + self._step * next(self._counter)) % 10**7
        return f"13501{year}{1 if gender == 'male' else 0}{sequence:07d}"


def _split(total: int, weights: list[int]) -> list[int]:
    """Share `total` out in proportion to `weights`, exactly, by largest remainder."""
    whole = sum(weights)
    shares = [total * weight // whole for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _bulk(model, objects):
    """Insert in batches; PostgreSQL and SQLite 3.35+ give back the primary keys."""
    return model.objects.bulk_create(objects, batch_size=BATCH_SIZE)


def _clock(text: str) -> clock:
    """A time of day from "HH:MM"."""
    hours, minutes = text.split(":")
    return clock(int(hours), int(minutes))


def _month_after(day: date) -> date:
    """The first day of the month after day's month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- cases -----------------------------------------------------------------------------------


@contextmanager
def _own_created_at(*models):
    """Let bulk_create keep the `created_at` we give: a demo case opened in March says March.

    `auto_now_add` overwrites the value on insert; the flag is put back even on error. Seeding is
    single-threaded, so nothing else saves these models while it is off.
    """
    fields = [model._meta.get_field("created_at") for model in models]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


class WorkdayTable:
    """Working days of the whole demo span, read once: add_workdays() per case would query
    the calendar 300,000 times at scale 100. Same answers as talentoffice.workdays.add_workdays."""

    def __init__(self, first: date, last: date):
        self.days = WorkdayCalendar(first, last).workdays(first, last)

    def add(self, start: date, count: int) -> date:
        """The date `count` working days after start."""
        return self.days[bisect.bisect_right(self.days, start) + count - 1]


class CasePlan:
    """One case's drawn facts and timeline, light enough to hold 300,000 of them."""

    __slots__ = (
        "accepted_at",
        "assigned_at",
        "closed_at",
        "council",
        "created_at",
        "enterprise_id",
        "followed_at",
        "index",
        "item",
        "lead",
        "number",
        "outcome",
        "point_id",
        "priority",
        "reopened",
        "resident_id",
        "resolved_at",
        "source",
        "state",
        "target_date",
    )


STATE_ORDER = ["new", "assigned", "in_progress", "resolved", "followed_up", "closed"]


def _reached(plan: CasePlan, state: str) -> bool:
    """Whether the case got to `state` (a reopened case went through resolved and followed up)."""
    if plan.reopened and state in ("resolved", "followed_up"):
        return True
    return STATE_ORDER.index(plan.state) >= STATE_ORDER.index(state)


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A random duration between low and high minutes."""
    return timedelta(minutes=rng.uniform(low, high))


class DemoCases:
    """The case half of the demo district: a year of work orders in every state, with their
    timelines, visits, return visits, referrals, extensions, council meetings and liaisons.

    Every case is first drawn as a CasePlan whose timeline ends before now (so no event lies in
    the future), then the plans are numbered in the order they were opened and written in
    slices, each slice's cases before the rows that point at them.
    """

    def case_setup(self):
        """What the cases draw from: items, active people by specialty, requesters, calendar."""
        self.now = timezone.now()
        self.items = list(ServiceItem.objects.select_related("category").order_by("code"))
        self.active_by_specialty = {
            specialty: [
                a for a in self.assistants if a.status == "active" and a.specialty == specialty
            ]
            for specialty in ("finance", "legal")
        }
        # Insertion order is the seed's order, so the n-th requester is the same in every run.
        self.enterprise_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
        self.resident_ids = list(Resident.objects.order_by("pk").values_list("pk", flat=True))
        self.workdays = WorkdayTable(
            self.today - timedelta(days=data.CASE_SPAN_DAYS + 60), self.today + timedelta(days=90)
        )
        self.accept_hours = settings.CASE_ACCEPT_HOURS

    def local_date(self, moment: datetime) -> date:
        """The district's calendar day of a moment (case numbers and deadlines count in it)."""
        return moment.astimezone(LOCAL_TZ).date()

    def plan_case(self, index: int) -> CasePlan:
        """Draw one case: state, item, people and a timeline that ends before now."""
        rng = self.rng
        plan = CasePlan()
        plan.index = index
        plan.state = rng.choices(self.case_states, cum_weights=self.case_state_cum)[0]
        plan.item = item = rng.choice(self.items)
        plan.reopened = plan.state == "in_progress" and rng.random() < data.REOPENED_SHARE
        plan.council = False
        plan.source = rng.choices(self.case_sources, cum_weights=self.case_source_cum)[0]
        plan.priority = rng.choices(self.priorities, cum_weights=self.priority_cum)[0]
        enterprise = plan.source in ("enterprise_visit",) or (
            rng.random() < data.ENTERPRISE_SHARE[item.category.code]
        )
        if enterprise:
            plan.enterprise_id, plan.resident_id = rng.choice(self.enterprise_ids), None
        else:
            plan.enterprise_id, plan.resident_id = None, rng.choice(self.resident_ids)
        plan.point_id = (
            rng.choice(self.points).pk
            if plan.source in ("service_window", "community_point", "public_form")
            else None
        )
        plan.lead = None
        if plan.state != "new":
            demo = [a for a in self.demo_assistants if a.specialty == item.specialty]
            # The demo logins carry one ordinary assistant's load at any scale (about 20 cases
            # each a year): a bigger district has more assistants, not busier ones.
            if demo and rng.random() < DEMO_LEAD_SHARE / self.scale:
                plan.lead = rng.choice(demo)
            else:
                plan.lead = rng.choice(self.active_by_specialty[item.specialty])
        resolved = _reached(plan, "resolved")
        plan.outcome = ""
        if resolved and not plan.reopened:
            plan.outcome = rng.choices(self.outcomes, cum_weights=self.outcome_cum)[0]
            if plan.state == "followed_up" and plan.outcome == "withdrawn":
                plan.outcome = "resolved"  # nobody to go back to after a withdrawal

        # Offsets from intake; the intake time is then set so that the last step is in the past.
        offsets = {}
        at = timedelta(0)
        if plan.state != "new":
            at += _minutes(rng, 20, 6 * 60)
            offsets["assigned"] = at
        if _reached(plan, "in_progress"):
            late = rng.random() < 0.1
            at += _minutes(rng, 10, (self.accept_hours * 1.6 if late else 20) * 60)
            offsets["accepted"] = at
        if resolved:
            days = item.target_days * 1.4
            if rng.random() < data.LATE_SHARE:
                at += timedelta(days=days + rng.uniform(1, 15))
            else:
                at += timedelta(days=rng.uniform(0.1, 1) * days)
            offsets["resolved"] = at
        if _reached(plan, "followed_up") and plan.outcome != "withdrawn":
            at += timedelta(days=item.follow_up_days + rng.uniform(-2, 4))
            offsets["followed"] = max(at, offsets["resolved"] + timedelta(days=1))
            at = offsets["followed"]
        if plan.state == "closed":
            at += _minutes(rng, 60, 3 * 24 * 60)
            offsets["closed"] = at
        slack = {
            "new": (10, 3 * 24 * 60),
            "assigned": (10, 36 * 60),
            "in_progress": (60, item.target_days * 2 * 24 * 60),
            "resolved": (60, (item.follow_up_days + 20) * 24 * 60),
            "followed_up": (60, 10 * 24 * 60),
            "closed": (60, data.CASE_SPAN_DAYS * 0.75 * 24 * 60),
        }[plan.state]
        plan.created_at = self.now - at - _minutes(rng, *slack)
        created_day = self.local_date(plan.created_at)
        plan.target_date = self.workdays.add(created_day, item.target_days)
        plan.assigned_at = plan.accepted_at = plan.resolved_at = None
        plan.followed_at = plan.closed_at = None
        for key, offset in offsets.items():
            setattr(plan, f"{key}_at", plan.created_at + offset)
        return plan

    @cached_property
    def demo_assistants(self):
        """The assistants with a login (assistant1..3): they get a share of the work at any
        scale, so that their pages show some."""
        return [a for a in self.assistants if a.user_id is not None]

    def build_cases(self):
        """Plan every case, number them in intake order, then write them slice by slice."""
        self.case_setup()
        for name, cum_name, weights in (
            ("case_states", "case_state_cum", data.CASE_STATE_WEIGHTS),
            ("case_sources", "case_source_cum", data.CASE_SOURCE_WEIGHTS),
            ("priorities", "priority_cum", data.CASE_PRIORITY_WEIGHTS),
            ("outcomes", "outcome_cum", data.CASE_OUTCOME_WEIGHTS),
            ("follow_up_methods", "follow_up_method_cum", data.FOLLOW_UP_METHOD_WEIGHTS),
        ):
            values, numbers = zip(*weights, strict=True)
            setattr(self, name, values)
            setattr(self, cum_name, list(itertools.accumulate(numbers)))
        plans = [self.plan_case(index) for index in range(data.CASES * self.scale)]
        plans.sort(key=lambda plan: (plan.created_at, plan.index))
        # Numbers follow intake order within each year; the sequences then continue from there.
        last = defaultdict(int)
        for plan in plans:
            year = self.local_date(plan.created_at).year
            last[year] += 1
            plan.number = f"{settings.CASE_NUMBER_PREFIX}-{year}-{last[year]:06d}"
        CaseNumberSequence.objects.bulk_create(
            [CaseNumberSequence(year=year, last_number=n) for year, n in sorted(last.items())]
        )
        self.plan_council_meetings(plans)
        self.case_counts = Counter()
        with _own_created_at(Case, Visit, FollowUp, Referral, ExtensionRequest):
            for start in range(0, len(plans), CASE_SLICE):
                self.write_cases(plans[start : start + CASE_SLICE])
        self.build_liaisons()

    def plan_council_meetings(self, plans):
        """Council-meeting cases, in intake order, are the problems raised at a few meetings."""
        rng = self.rng
        raised = [plan for plan in plans if plan.source == "council_meeting"]
        community_points = self.points_by_kind.get("community_point", self.points)
        partners = sorted(self.partners, key=lambda p: p.pk)
        meetings = []
        start = 0
        while start < len(raised):
            size = rng.randint(*data.COUNCIL_MEETING_SIZE)
            group = raised[start : start + size]
            start += size
            point = rng.choice(community_points)
            title = rng.choice(data.COUNCIL_MEETING_TITLES)
            first = group[0]
            meeting = CouncilMeeting(
                title=f"{point.name.removesuffix('人才助理服务点')}{title}",
                held_on=self.local_date(first.created_at),
                place=f"{point.name.removesuffix('人才助理服务点')}党群服务中心议事厅",
                service_point=point,
                enterprise_id=first.enterprise_id if title == "一企一议专题会" else None,
                participants="社区书记、居民代表、人才助理、职能部门代表",
                minutes=f"会上共提出{len(group)}个问题，均已登记为个案并交人才助理办理。",
            )
            meeting.created_at = first.created_at
            meetings.append((meeting, group))
        with _own_created_at(CouncilMeeting):
            saved = _bulk(CouncilMeeting, [meeting for meeting, _ in meetings])
        institutions, present = [], []
        for meeting, (_, group) in zip(saved, meetings, strict=True):
            for plan in group:
                plan.council = meeting.pk
            for partner in rng.sample(partners, 2):
                institutions.append(
                    CouncilMeeting.institutions.through(
                        councilmeeting_id=meeting.pk, partner_id=partner.pk
                    )
                )
            leads = sorted({plan.lead.pk for plan in group if plan.lead is not None})
            present.extend(
                CouncilMeeting.assistants.through(councilmeeting_id=meeting.pk, assistant_id=pk)
                for pk in leads
            )
        _bulk(CouncilMeeting.institutions.through, institutions)
        _bulk(CouncilMeeting.assistants.through, present)
        self.meeting_count = len(saved)

    def write_cases(self, plans):
        """One slice: the cases, then their timelines, helpers, visits, follow-ups, referrals
        and extension requests."""
        rng = self.rng
        staff = self.staff_user
        self.extended = []
        cases = []
        for plan in plans:
            item = plan.item
            done = plan.state in ("resolved", "followed_up", "closed")
            follow_up_due = None
            if done and plan.outcome != "withdrawn":
                follow_up_due = self.local_date(plan.resolved_at) + timedelta(
                    days=item.follow_up_days
                )
            case = Case(
                number=plan.number,
                title=rng.choice(data.CASE_TITLES[item.code]),
                description=f"{item.name}：{item.description}",
                service_item=item,
                resident_id=plan.resident_id,
                enterprise_id=plan.enterprise_id,
                source=plan.source,
                service_point_id=plan.point_id,
                council_meeting_id=plan.council or None,
                priority=plan.priority,
                state=plan.state,
                outcome=plan.outcome,
                target_date=plan.target_date,
                beneficiaries=rng.choice((1, 1, 1, 2, 3, 5)),
                amount=Decimal(rng.randrange(5, 300) * 10000) if item.is_financial else None,
                lead=plan.lead,
                assigned_at=plan.assigned_at,
                accept_by=plan.assigned_at + timedelta(hours=self.accept_hours)
                if plan.assigned_at
                else None,
                accepted_at=plan.accepted_at,
                resolved_at=plan.resolved_at if done else None,
                follow_up_due=follow_up_due,
                closed_at=plan.closed_at,
                created_by=None if plan.source == "public_form" else staff,
            )
            case.created_at = plan.created_at
            cases.append(case)
        _bulk(Case, cases)

        events, helpers, visits, follow_ups, referrals, extensions = [], [], [], [], [], []

        def event(case, kind, at, *, actor=None, assistant=None, frm="", to="", note=""):
            events.append(
                CaseEvent(
                    case_id=case.pk,
                    kind=kind,
                    at=at,
                    actor=actor,
                    assistant=assistant,
                    from_state=frm,
                    to_state=to,
                    note=note,
                )
            )

        for plan, case in zip(plans, cases, strict=True):
            self.case_counts[plan.state] += 1
            lead = plan.lead
            lead_user = lead.user if lead is not None else None
            event(case, "created", plan.created_at, actor=case.created_by, to="new")
            if plan.assigned_at is None:
                continue
            event(
                case,
                "assigned",
                plan.assigned_at,
                actor=staff,
                assistant=lead,
                frm="new",
                to="assigned",
            )
            if rng.random() < data.HELPER_SHARE:
                pool = self.active_by_specialty[rng.choice(("finance", "legal"))]
                helper = rng.choice(pool)
                # As for the leads: the demo logins help with a few cases at any scale.
                if self.demo_assistants and rng.random() < DEMO_HELPER_SHARE / self.scale:
                    helper = rng.choice(self.demo_assistants)
                if helper.pk != lead.pk:
                    helpers.append(Case.helpers.through(case_id=case.pk, assistant_id=helper.pk))
                    event(case, "helper_added", plan.assigned_at, actor=staff, assistant=helper)
            if plan.accepted_at is None:
                continue
            event(
                case,
                "accepted",
                plan.accepted_at,
                actor=lead_user,
                assistant=lead,
                frm="assigned",
                to="in_progress",
            )
            worked_until = plan.resolved_at or self.now
            if rng.random() < data.VISIT_SHARE:
                at = plan.accepted_at + (worked_until - plan.accepted_at) * rng.uniform(0.1, 0.9)
                kind = (
                    "mediation"
                    if plan.item.code == "FW02"
                    else "enterprise_visit"
                    if plan.enterprise_id
                    else "consultation"
                )
                visit = Visit(
                    kind=kind,
                    assistant=lead,
                    case_id=case.pk,
                    occurred_at=at,
                    duration_minutes=rng.choice((20, 30, 45, 60, 90, 120)),
                    service_point_id=plan.point_id,
                    enterprise_id=plan.enterprise_id,
                    resident_id=plan.resident_id,
                    people_present=rng.randint(1, 4),
                    notes=rng.choice(data.VISIT_NOTES[kind]),
                )
                visit.created_at = at
                visits.append(visit)
                event(case, "visit", at, actor=lead_user, assistant=lead, note=visit.notes)
            if rng.random() < 0.5:
                at = plan.accepted_at + (worked_until - plan.accepted_at) * rng.uniform(0.05, 0.5)
                event(
                    case,
                    "note",
                    at,
                    actor=lead_user,
                    assistant=lead,
                    note=rng.choice(data.CASE_NOTES),
                )
            if plan.state == "in_progress" and not plan.reopened:
                self.plan_side_requests(plan, case, lead, event, referrals, extensions)
            if plan.resolved_at is None:
                continue
            outcome = plan.outcome or "resolved"  # a reopened case was first resolved
            if outcome == "referred":
                self.plan_referral(plan, case, lead, event, referrals)
            event(
                case,
                "transition",
                plan.resolved_at,
                actor=lead_user,
                assistant=lead,
                frm="in_progress",
                to="resolved",
                note=rng.choice(data.RESOLUTION_NOTES[outcome]),
            )
            if outcome != "withdrawn":
                follow_up = FollowUp(
                    case_id=case.pk,
                    due_on=self.local_date(plan.resolved_at)
                    + timedelta(days=plan.item.follow_up_days),
                )
                follow_up.created_at = plan.resolved_at
                follow_ups.append(follow_up)
                if plan.followed_at is not None:
                    self.record_demo_follow_up(plan, case, follow_up, event, visits)
            if plan.closed_at is not None:
                event(
                    case,
                    "transition",
                    plan.closed_at,
                    actor=staff,
                    frm="followed_up" if plan.followed_at else "resolved",
                    to="closed",
                )
        _bulk(CaseEvent, events)
        _bulk(Case.helpers.through, helpers)
        _bulk(Visit, visits)
        _bulk(FollowUp, follow_ups)
        _bulk(Referral, referrals)
        _bulk(ExtensionRequest, extensions)
        # An approved extension moved the target date after the case row was written.
        Case.objects.bulk_update(self.extended, ["target_date"], batch_size=BATCH_SIZE)

    def record_demo_follow_up(self, plan, case, follow_up, event, visits):
        """The return visit: satisfied and solved, or (a reopened case) the problem came back."""
        rng = self.rng
        lead = plan.lead
        method = rng.choices(self.follow_up_methods, cum_weights=self.follow_up_method_cum)[0]
        follow_up.done_at = plan.followed_at
        follow_up.method = method
        follow_up.by = lead
        follow_up.still_solved = not plan.reopened
        if plan.reopened:
            follow_up.satisfaction = rng.randint(1, 2)
            follow_up.notes = rng.choice(data.REOPEN_NOTES)
        else:
            follow_up.satisfaction = rng.choices(range(1, 6), weights=data.SATISFACTION_WEIGHTS)[0]
            follow_up.notes = rng.choice(data.FOLLOW_UP_NOTES)
        lead_user = lead.user
        event(
            case,
            "follow_up",
            plan.followed_at,
            actor=lead_user,
            assistant=lead,
            frm="resolved",
            to="followed_up",
            note=follow_up.notes,
        )
        if plan.reopened:
            event(
                case,
                "reopened",
                plan.followed_at,
                actor=lead_user,
                assistant=lead,
                frm="followed_up",
                to="in_progress",
                note=follow_up.notes,
            )
        if method == "visit":
            visit = Visit(
                kind="return_visit",
                assistant=lead,
                case_id=case.pk,
                occurred_at=plan.followed_at,
                duration_minutes=rng.choice((15, 20, 30)),
                enterprise_id=plan.enterprise_id,
                resident_id=plan.resident_id,
                people_present=rng.randint(1, 3),
                notes=follow_up.notes,
            )
            visit.created_at = plan.followed_at
            visits.append(visit)

    def plan_referral(self, plan, case, lead, event, referrals):
        """A referred case was handed on, and the receiver accepted, just before resolution."""
        rng = self.rng
        at = plan.resolved_at - timedelta(hours=rng.uniform(2, 48))
        at = max(at, plan.accepted_at + timedelta(minutes=5))
        other = "legal" if plan.item.specialty == "finance" else "finance"
        department = rng.random() < 0.7
        referral = Referral(
            case_id=case.pk,
            to_specialty="" if department else other,
            to_department=rng.choice(data.REFERRAL_DEPARTMENTS) if department else "",
            reason=rng.choice(data.REFERRAL_REASONS),
            status="accepted",
            decision_reason="同意接收",
            decided_by=self.staff_user,
            decided_at=plan.resolved_at,
        )
        referral.created_at = at
        referrals.append(referral)
        event(case, "referred", at, actor=lead.user, assistant=lead, note=referral.reason)
        event(case, "referral_decided", plan.resolved_at, actor=self.staff_user, note="同意接收")

    def plan_side_requests(self, plan, case, lead, event, referrals, extensions):
        """Some open cases wait on an extension request or a referral to the other specialty."""
        rng = self.rng
        started = plan.accepted_at
        if rng.random() < data.EXTENSION_SHARE * 3:
            at = started + (self.now - started) * rng.uniform(0.3, 0.9)
            status = rng.choice(("pending", "pending", "accepted", "rejected"))
            extra = rng.choice((3, 5, 10))
            request = ExtensionRequest(
                case_id=case.pk,
                requested_by=lead,
                extra_workdays=extra,
                reason=rng.choice(data.EXTENSION_REASONS),
                status=status,
            )
            request.created_at = at
            event(
                case,
                "extension_requested",
                at,
                actor=lead.user,
                assistant=lead,
                note=request.reason,
            )
            if status != "pending":
                decided = at + (self.now - at) * rng.uniform(0.1, 0.9)
                request.decided_by = self.staff_user
                request.decided_at = decided
                request.decision_reason = "同意延期" if status == "accepted" else "理由不充分"
                event(
                    case,
                    "extension_decided",
                    decided,
                    actor=self.staff_user,
                    note=request.decision_reason,
                )
                if status == "accepted":
                    case.target_date = self.workdays.add(case.target_date, extra)
                    self.extended.append(case)
            extensions.append(request)
        elif rng.random() < 0.02:
            at = started + (self.now - started) * rng.uniform(0.3, 0.9)
            referral = Referral(
                case_id=case.pk,
                to_specialty="legal" if plan.item.specialty == "finance" else "finance",
                reason=rng.choice(data.REFERRAL_REASONS),
            )
            referral.created_at = at
            referrals.append(referral)
            event(case, "referred", at, actor=lead.user, assistant=lead, note=referral.reason)

    def build_liaisons(self):
        """Enterprises linked to an assistant, with routine visits; some are due a visit."""
        rng = self.rng
        pool = self.active_by_specialty["finance"] + self.active_by_specialty["legal"]
        chosen = rng.sample(
            self.enterprise_ids, round(len(self.enterprise_ids) * data.LIAISON_SHARE)
        )
        liaisons, visits = [], []
        for enterprise_id in chosen:
            assistant = rng.choice(pool)
            interval = rng.choice(data.LIAISON_INTERVALS)
            liaison = EnterpriseLiaison(
                enterprise_id=enterprise_id, assistant=assistant, visit_interval_days=interval
            )
            liaison.created_at = self.now - timedelta(days=data.CASE_SPAN_DAYS)
            liaisons.append(liaison)
            # The last visit is up to one and a half intervals ago: a third are due again.
            at = self.now - timedelta(days=rng.uniform(0, interval * 1.5))
            for _ in range(rng.randint(*data.STANDALONE_VISITS_PER_LIAISON)):
                visit = Visit(
                    kind="enterprise_visit",
                    assistant=assistant,
                    occurred_at=at,
                    duration_minutes=rng.choice((30, 45, 60, 90)),
                    enterprise_id=enterprise_id,
                    people_present=rng.randint(1, 5),
                    notes=rng.choice(data.VISIT_NOTES["enterprise_visit"]),
                )
                visit.created_at = at
                visits.append(visit)
                at -= timedelta(days=interval * rng.uniform(0.7, 1.2))
        with _own_created_at(EnterpriseLiaison, Visit):
            _bulk(EnterpriseLiaison, liaisons)
            _bulk(Visit, visits)


class DemoDistrict(DemoCases):
    """Builds the demo district from one seeded random generator, table by table."""

    def __init__(self, *, seed: int, scale: int, today: date | None = None):
        # One private generator: the global `random` could be reseeded or consumed elsewhere.
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.timings: dict[str, float] = {}
        self.seed = seed
        self.scale = scale
        self.mobiles = MobileNumbers(self.rng)
        self.credit_codes = CreditCodes(self.rng)
        self.licences = LicenceNumbers(self.rng)
        surnames, weights = zip(*data.SURNAMES, strict=True)
        self._surnames = surnames
        self._surname_cum = list(itertools.accumulate(weights))
        self.logins: list[tuple[str, str, str]] = []

    # -- small generators -------------------------------------------------------------------

    def person(self) -> tuple[str, str, str]:
        """A plausible Fuzhou name: (surname, given name, gender)."""
        rng = self.rng
        surname = rng.choices(self._surnames, cum_weights=self._surname_cum)[0]
        gender = "male" if rng.random() < 0.5 else "female"
        pool = data.GIVEN_NAME_CHARACTERS[gender]
        given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
        return surname, given, gender

    def name(self) -> str:
        """A full name, when the gender does not matter."""
        surname, given, _ = self.person()
        return surname + given

    def day_between(self, first: date, last: date) -> date:
        """A day in [first, last]."""
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def landline(self) -> str:
        """A Fuzhou landline with its area code, as stored (digits only)."""
        return (
            data.LANDLINE_AREA_CODE
            + self.rng.choice(data.LANDLINE_FIRST_DIGITS)
            + f"{self.rng.randrange(10**7):07d}"
        )

    def coordinates(self, centre: tuple[float, float], spread: float = 0.004):
        """A point near a street's centre, with the six decimals the model keeps."""
        lat, lon = centre
        return (
            Decimal(f"{lat + self.rng.uniform(-spread, spread):.6f}"),
            Decimal(f"{lon + self.rng.uniform(-spread, spread):.6f}"),
        )

    def street_address(self, street: dict) -> str:
        """A door number on one of the street's roads."""
        return f"{data.DISTRICT}{self.rng.choice(street['roads'])}{self.rng.randrange(1, 600)}号"

    # -- tables -----------------------------------------------------------------------------

    def build_geography(self):
        """Streets and their communities."""
        self.streets = {}
        self.street_facts = {}
        self.communities = []
        for facts in data.STREETS:
            street = Street.objects.create(name=facts["name"], code=facts["code"])
            self.streets[street.name] = street
            self.street_facts[street.name] = facts
        self.communities = _bulk(
            Community,
            [
                Community(street=self.streets[facts["name"]], name=name)
                for facts in data.STREETS
                for name in facts["communities"]
            ],
        )
        self.community_by_name = {community.name: community for community in self.communities}

    def build_skills(self):
        """The skill tags assistants carry."""
        self.skills = {
            skill.name: skill for skill in _bulk(Skill, [Skill(name=n) for n in data.SKILLS])
        }

    def build_partners(self):
        """The 44 partners, each with its cooperation agreement and one contact."""
        rng = self.rng
        partners = []
        self.partner_weights = {"finance": [], "legal": []}
        for name, short_name, kind, weight, division in data.FINANCE_PARTNERS:
            partners.append(
                Partner(
                    name=name,
                    short_name=short_name,
                    sector="finance",
                    kind=kind,
                    credit_code=self.credit_codes.next(
                        authority="91", division=division, modern=False
                    ),
                    address=self.street_address(rng.choice(data.STREETS)),
                )
            )
            self.partner_weights["finance"].append(weight)
        for name, short_name, weight in data.LEGAL_PARTNERS:
            # Law firms are registered by the justice department (authority 3, category 1).
            partners.append(
                Partner(
                    name=name,
                    short_name=short_name,
                    sector="legal",
                    kind="law_firm",
                    credit_code=self.credit_codes.next(
                        authority="31", division=data.PROVINCE_DIVISION_CODE, modern=True
                    ),
                    address=self.street_address(rng.choice(data.STREETS))
                    + f"{rng.choice(data.OFFICE_BUILDINGS)}{rng.randrange(5, 40)}层",
                )
            )
            self.partner_weights["legal"].append(weight)
        self.partners = _bulk(Partner, partners)
        self.partners_by_sector = {
            sector: [p for p in self.partners if p.sector == sector]
            for sector in ("finance", "legal")
        }
        self.partner_by_short_name = {p.short_name: p for p in self.partners}

        agreements = []
        self.agreement_start = {}
        for partner in self.partners:
            first, last = data.AGREEMENT_WINDOWS[partner.sector]
            signed_on = self.day_between(first, last)
            # The agreement takes effect on signing or on the first of the next month.
            starts_on = (
                signed_on
                if rng.random() < 0.5
                else date(signed_on.year + signed_on.month // 12, signed_on.month % 12 + 1, 1)
            )
            ends_on = date(
                starts_on.year + data.AGREEMENT_TERM_YEARS, starts_on.month, 1
            ) - timedelta(days=1)
            self.agreement_start[partner.pk] = starts_on
            agreements.append(
                Agreement(
                    partner=partner,
                    title=data.AGREEMENT_TITLES[partner.sector],
                    signed_on=signed_on,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    scope=data.AGREEMENT_SCOPES[partner.sector],
                )
            )
        _bulk(Agreement, agreements)

        self.contacts = _bulk(
            PartnerContact,
            [
                PartnerContact(
                    partner=partner,
                    name=self.name(),
                    role=rng.choice(data.CONTACT_ROLES[partner.sector]),
                    phone=self.mobiles.next(),
                    email=f"talent.liaison{index + 1:02d}@example.com",
                )
                for index, partner in enumerate(self.partners)
            ],
        )

    def build_catalogue(self):
        """The 4-category / 21-item service checklist."""
        categories = _bulk(
            ServiceCategory,
            [
                ServiceCategory(code=code, name=name, order=order)
                for order, (code, name, _) in enumerate(data.CATALOGUE, start=1)
            ],
        )
        items = []
        for category, (_, _, rows) in zip(categories, data.CATALOGUE, strict=True):
            for order, (
                code,
                name,
                specialty,
                target,
                follow_up,
                financial,
                description,
            ) in enumerate(rows, start=1):
                items.append(
                    ServiceItem(
                        category=category,
                        code=code,
                        name=name,
                        specialty=specialty,
                        description=description,
                        target_days=target,
                        follow_up_days=follow_up,
                        is_financial=financial,
                        order=order,
                    )
                )
        _bulk(ServiceItem, items)

    def build_service_points(self):
        """Community points, the district service window, the talent home, expropriation sites."""
        rng = self.rng
        points = []
        for community_name in data.COMMUNITY_POINTS:
            community = self.community_by_name[community_name]
            street = community.street
            facts = self.street_facts[street.name]
            latitude, longitude = self.coordinates(facts["centre"])
            points.append(
                ServicePoint(
                    name=f"{community_name}人才助理服务点",
                    kind="community_point",
                    street=street,
                    community=community,
                    address=f"{self.street_address(facts)} {community_name}党群服务中心",
                    latitude=latitude,
                    longitude=longitude,
                    opening_hours=rng.choice(data.COMMUNITY_POINT_HOURS),
                )
            )
        self.point_notes = {}
        for name, kind, street_name, address, hours, (lat, lon), note in data.DISTRICT_POINTS:
            points.append(
                ServicePoint(
                    name=name,
                    kind=kind,
                    street=self.streets[street_name],
                    address=address,
                    latitude=Decimal(f"{lat:.6f}"),
                    longitude=Decimal(f"{lon:.6f}"),
                    opening_hours=hours,
                )
            )
            self.point_notes[name] = note
        self.points = _bulk(ServicePoint, points)
        self.points_by_kind = {}
        for point in self.points:
            self.points_by_kind.setdefault(point.kind, []).append(point)

    def build_users(self):
        """The demo logins; usernames are fixed, passwords follow the seed."""
        user_model = get_user_model()
        usernames = ["staff", "assistant1", "assistant2", "assistant3", "partner"]
        taken = list(
            user_model.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        if taken:
            raise CommandError(
                "These demo usernames already exist, so the demo logins cannot be created: "
                + ", ".join(sorted(taken))
            )

        def make(username, role, **flags):
            password = f"demo-{role}-{self.seed}"
            user = user_model.objects.create_user(username, password=password, **flags)
            self.logins.append((role, username, password))
            return user

        self.staff_user = make("staff", "staff", is_staff=True, is_superuser=True)
        # In the district staff group too, so that the demo shows the role (docs/roles.md).
        roles.grant_role(self.staff_user, roles.DISTRICT_STAFF)
        self.assistant_users = [make(f"assistant{n}", "assistant") for n in (1, 2, 3)]
        self.partner_user = make("partner", "partner")
        for user in self.assistant_users:
            roles.grant_role(user, roles.ASSISTANT)
        roles.grant_role(self.partner_user, roles.PARTNER_MANAGER)
        # The partner manager is the contact of the demo partner.
        demo_partner = self.partner_by_short_name[data.DEMO_PARTNER_SHORT_NAME]
        contact = next(c for c in self.contacts if c.partner_id == demo_partner.pk)
        contact.user = self.partner_user
        contact.save(update_fields=["user", "updated_at"])
        surname, given = contact.name[0], contact.name[1:]
        self.partner_user.last_name, self.partner_user.first_name = surname, given
        self.partner_user.email = contact.email
        self.partner_user.save(update_fields=["last_name", "first_name", "email"])

    def build_assistants(self):
        """Finance assistants from financial partners, legal ones from law firms, with skills."""
        rng = self.rng
        statuses, status_weights = zip(*data.ASSISTANT_STATUS_WEIGHTS, strict=True)
        status_cum = list(itertools.accumulate(status_weights))
        volumes = {
            "finance": data.FINANCE_ASSISTANTS * self.scale,
            "legal": data.LEGAL_ASSISTANTS * self.scale,
        }
        # The first assistant of these partners gets a demo login (assistant1..3).
        login_partners = [data.DEMO_PARTNER_SHORT_NAME, *data.DEMO_LEGAL_SHORT_NAMES]
        logins = dict(zip(login_partners, self.assistant_users, strict=True))

        assistants = []
        for sector in ("finance", "legal"):
            partners = self.partners_by_sector[sector]
            counts = _split(volumes[sector], self.partner_weights[sector])
            for partner, count in zip(partners, counts, strict=True):
                for position in range(count):
                    surname, given, gender = self.person()
                    user = logins.get(partner.short_name) if position == 0 else None
                    licence = ""
                    if sector == "legal":
                        licence = self.licences.next(year=rng.randrange(2005, 2023), gender=gender)
                    assistants.append(
                        Assistant(
                            name=surname + given,
                            partner=partner,
                            specialty=partner.sector,
                            title=rng.choice(data.ASSISTANT_TITLES[sector]),
                            phone=self.mobiles.next(),
                            licence_number=licence,
                            party_member=rng.random() < data.PARTY_MEMBER_SHARE[sector],
                            # Demo logins stay active so that they see shifts and cases.
                            status="active"
                            if user
                            else rng.choices(statuses, cum_weights=status_cum)[0],
                            user=user,
                        )
                    )
                    if user:
                        user.last_name, user.first_name = surname, given
                        user.save(update_fields=["last_name", "first_name"])
        self.assistants = _bulk(Assistant, assistants)

        through = Assistant.skills.through
        links = []
        for assistant in self.assistants:
            tags = data.SKILLS_BY_SPECIALTY[assistant.specialty]
            for tag in rng.sample(tags, rng.choice((0, 1, 1, 2, 2, 3))):
                links.append(through(assistant_id=assistant.pk, skill_id=self.skills[tag].pk))
        _bulk(through, links)
        self.skill_links = len(links)

    def build_dispatches(self):
        """Post every assistant to a point, some to a second one; withdrawn ones' postings ended."""
        rng = self.rng
        last_start = LAST_DISPATCH_START
        dispatches = []
        for assistant in self.assistants:
            kinds, weights = zip(*data.DISPATCH_KIND_WEIGHTS[assistant.specialty], strict=True)
            postings = 2 if rng.random() < 0.3 else 1
            chosen = []
            while len(chosen) < postings:
                kind = rng.choices(kinds, weights=weights)[0]
                point = rng.choice(self.points_by_kind[kind])
                # Two postings of one assistant to one point may not overlap (a database rule).
                if point not in chosen:
                    chosen.append(point)
            earliest = self.agreement_start[assistant.partner_id]
            for point in chosen:
                starts_on = self.day_between(earliest, max(earliest, last_start))
                ends_on = None
                if assistant.status == "withdrawn" or rng.random() < 0.15:
                    ends_on = starts_on + timedelta(days=rng.randrange(90, 400))
                if assistant.status == "withdrawn":
                    # A withdrawn assistant's postings are over by the time the demo is looked at.
                    ends_on = max(starts_on, min(ends_on, WITHDRAWN_BY))
                dispatches.append(
                    Dispatch(
                        assistant_id=assistant.pk,
                        service_point=point,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        note=self.point_notes.get(point.name, data.DISPATCH_NOTE_COMMUNITY),
                    )
                )
        _bulk(Dispatch, dispatches)
        self.dispatch_count = len(dispatches)
        self.dispatches = dispatches

    def build_enterprises(self):
        """Companies and individual businesses with valid, unique credit codes."""
        rng = self.rng
        streets = list(self.streets.values())
        industry_cum = list(itertools.accumulate(data.INDUSTRY_WEIGHTS))
        trade = data.TRADE_NAME_CHARACTERS
        enterprises = []
        for _ in range(data.ENTERPRISES * self.scale):
            street = rng.choice(streets)
            facts = self.street_facts[street.name]
            trade_name = rng.choice(trade) + rng.choice(trade)
            if rng.random() < data.SHOP_SHARE:
                industry, shop = rng.choice(data.SHOPS)
                name = f"{data.DISTRICT}{trade_name}{shop}"
                authority, address = "92", self.street_address(facts)
            else:
                industry, words = rng.choices(data.INDUSTRIES, cum_weights=industry_cum)[0]
                name = (
                    f"{rng.choice(data.COMPANY_PLACE_PREFIXES)}{trade_name}"
                    f"{rng.choice(words)}{rng.choice(data.COMPANY_SUFFIXES)}"
                )
                authority = "91"
                address = self.street_address(facts)
                if rng.random() < 0.4:
                    address += f"{rng.choice(data.OFFICE_BUILDINGS)}{rng.randrange(2, 40)}层"
            enterprises.append(
                Enterprise(
                    name=name,
                    credit_code=self.credit_codes.next(
                        authority=authority,
                        division=data.DISTRICT_DIVISION_CODE,
                        # Most firms served were registered after the 2015 code reform.
                        modern=rng.random() < 0.85,
                    ),
                    industry=industry,
                    street=street,
                    address=address,
                    contact_name=self.name(),
                    contact_phone=self.mobiles.next() if rng.random() < 0.7 else self.landline(),
                )
            )
        _bulk(Enterprise, enterprises)
        self.enterprise_count = len(enterprises)

    def build_residents(self):
        """Households across the communities, each with a unique phone."""
        rng = self.rng
        sizes = range(1, len(data.HOUSEHOLD_SIZE_WEIGHTS) + 1)
        size_cum = list(itertools.accumulate(data.HOUSEHOLD_SIZE_WEIGHTS))
        residents = []
        for _ in range(data.RESIDENTS * self.scale):
            community = rng.choice(self.communities)
            facts = self.street_facts[community.street.name]
            if rng.random() < 0.5:
                home = self.street_address(facts)
            else:
                stem = community.name.removesuffix("社区")
                home = f"{data.DISTRICT}{stem}{rng.choice(data.ESTATE_NAMES)}"
            residents.append(
                Resident(
                    name=self.name(),
                    phone=self.mobiles.next(),
                    community=community,
                    address=f"{home}{rng.randrange(1, 30)}座{rng.randrange(1, 12)}"
                    f"{rng.randrange(1, 9):02d}室",
                    household_size=rng.choices(sizes, cum_weights=size_cum)[0],
                )
            )
            # Flush in slices so that scale 100 never holds 200,000 unsaved rows at once.
            if len(residents) >= BATCH_SIZE * 10:
                _bulk(Resident, residents)
                residents = []
        _bulk(Resident, residents)

    def build_templates(self):
        """Duty templates: the opening hours of each point, seats multiplied by the scale."""
        templates = []
        for point in self.points:
            if point.kind == "community_point":
                finance, legal = data.COMMUNITY_POINT_SEATS
                rows = [
                    ([weekday], start, end, finance, legal)
                    for weekday, start, end in data.COMMUNITY_POINT_SCHEDULES[point.opening_hours]
                ]
            else:
                rows = data.DISTRICT_POINT_TEMPLATES[point.kind]
            for weekdays, start, end, finance, legal in rows:
                templates.extend(
                    ShiftTemplate(
                        service_point=point,
                        weekday=weekday,
                        starts_at=_clock(start),
                        ends_at=_clock(end),
                        finance_needed=finance * self.scale,
                        legal_needed=legal * self.scale,
                    )
                    for weekday in weekdays
                )
        _bulk(ShiftTemplate, templates)

    def build_leave(self):
        """Leave and business trips in the two rota months: approved, requested and rejected."""
        rng = self.rng
        first, last = self.months[0][0], self.months[-1][1]
        active = [a for a in self.assistants if a.status == "active"]
        shares = [(status, round(share * len(active))) for status, share in data.LEAVE_SHARES]
        chosen = iter(rng.sample(active, sum(count for _, count in shares)))
        kinds, kind_weights = zip(*data.LEAVE_KINDS, strict=True)
        rows = []
        for status, count in shares:
            for assistant in itertools.islice(chosen, count):
                kind = rng.choices(kinds, weights=kind_weights)[0]
                # A request still waiting is for days to come; decided ones may be past.
                earliest = self.today + timedelta(days=1) if status == "requested" else first
                starts_on = self.day_between(min(earliest, last), last)
                ends_on = starts_on + timedelta(days=rng.randint(*data.LEAVE_DAYS) - 1)
                decided = status != "requested"
                decided_on = min(starts_on, self.today) - timedelta(days=rng.randrange(1, 5))
                rows.append(
                    Unavailability(
                        assistant_id=assistant.pk,
                        kind=kind,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        status=status,
                        reason=rng.choice(data.LEAVE_REASONS[kind]),
                        decided_by=self.staff_user if decided else None,
                        decided_at=datetime.combine(decided_on, clock(17), tzinfo=LOCAL_TZ)
                        if decided
                        else None,
                    )
                )
        _bulk(Unavailability, rows)

    def build_rotas(self):
        """A published rota for the whole district for this month and the next."""
        self.rotas = []
        for first, last in self.months:
            rota = generate_rota(
                starts_on=first,
                ends_on=last,
                created_by=self.staff_user,
                name=f"{first.year}年{first.month}月全区轮值表",
            )
            # Seeding stays quiet: the demo logins' inbox fills from the reminder sweep.
            publish_rota(rota=rota, by=self.staff_user, notify_assistants=False)
            self.rotas.append(rota)

    def build_attendance(self):
        """Shifts before today were served, except a few nobody checked in to."""
        past = Shift.objects.filter(
            rota__in=self.rotas, date__lt=self.today, assistant__isnull=False
        )
        ids = list(
            past.order_by("starts_at", "service_point_id", "specialty", "pk").values_list(
                "pk", flat=True
            )
        )
        missed = self.rng.sample(ids, round(len(ids) * data.MISSED_SHARE))
        past.filter(pk__in=missed).update(status="missed")
        # Checked in a few minutes early, out at the end: one UPDATE for the whole past.
        past.exclude(pk__in=missed).update(
            status="completed",
            checked_in_at=F("starts_at") - timedelta(minutes=5),
            checked_out_at=F("ends_at"),
        )

    def build_swaps(self):
        """A few upcoming shifts offered by their holder, to anyone or to a free colleague."""
        rng = self.rng
        upcoming = list(
            Shift.objects.filter(rota__in=self.rotas, date__gt=self.today, assistant__isnull=False)
            .order_by("starts_at", "service_point_id", "specialty", "pk")
            .values_list(
                "pk",
                "assistant_id",
                "service_point_id",
                "specialty",
                "date",
                "starts_at",
                "ends_at",
            )
        )
        busy = defaultdict(list)
        for _pk, assistant_id, _point, _specialty, day, starts_at, ends_at in upcoming:
            busy[assistant_id, day].append((starts_at, ends_at))
        by_pk = {assistant.pk: assistant for assistant in self.assistants}
        # Active people posted to each point, by specialty, in a fixed order.
        posted = defaultdict(list)
        for dispatch in self.dispatches:
            person = by_pk[dispatch.assistant_id]
            if person.status == "active":
                posted[dispatch.service_point.pk, person.specialty].append(dispatch)
        on_leave = defaultdict(list)
        for assistant_id, starts_on, ends_on in Unavailability.objects.filter(
            status="approved"
        ).values_list("assistant_id", "starts_on", "ends_on"):
            on_leave[assistant_id].append((starts_on, ends_on))

        def free(assistant_id, day, starts_at, ends_at):
            """Neither on leave that day nor on duty at that time."""
            return not any(first <= day <= last for first, last in on_leave[assistant_id]) and not (
                any(s < ends_at and starts_at < e for s, e in busy[assistant_id, day])
            )

        swaps, events = [], []

        def offer(shift_id, requester_id, offered_to, note):
            swaps.append(
                SwapRequest(
                    shift_id=shift_id,
                    requested_by_id=requester_id,
                    offered_to_id=offered_to,
                    status="open",
                    note=note,
                )
            )
            events.append(
                ShiftEvent(
                    shift_id=shift_id,
                    kind="swap_offered",
                    actor=by_pk[requester_id].user,
                    assistant_id=requester_id,
                    note=note,
                )
            )

        count = min(len(upcoming), data.SWAP_REQUESTS * self.scale)
        for pk, requester_id, point_id, specialty, day, starts_at, ends_at in rng.sample(
            upcoming, count
        ):
            offered_to = None
            if rng.random() < 0.5:
                # From a random place in the list, the first colleague who is free: a fair pick
                # without testing thousands of colleagues at scale 100.
                colleagues = posted[point_id, specialty]
                start = rng.randrange(len(colleagues)) if colleagues else 0
                offered_to = next(
                    (
                        d.assistant_id
                        for d in itertools.chain(colleagues[start:], colleagues[:start])
                        if d.assistant_id != requester_id
                        and _in_force(d, day)
                        and free(d.assistant_id, day, starts_at, ends_at)
                    ),
                    None,
                )
            offer(pk, requester_id, offered_to, rng.choice(data.SWAP_NOTES))
        for shift_id, requester_id, note in self.demo_offers(upcoming, swaps, free):
            offer(shift_id, requester_id, None, note)
        _bulk(SwapRequest, swaps)
        _bulk(ShiftEvent, events)

    def demo_offers(self, upcoming, swaps, free):
        """Offers to anyone that give each demo login DEMO_OFFERS it is free to take, at any scale.

        As with cases: a bigger district puts more colleagues on a point, not more offers in
        front of one person. At scale 100 the random offers already reach that many; at scale 1
        a few colleagues at the demo login's points offer shifts of their specialty. A separate
        random stream, so that the rest of the seed stays as it was.
        """
        rng = random.Random(f"demo-offers:{self.seed}")
        shifts = {row[0]: row for row in upcoming}
        offered = {swap.shift_id for swap in swaps}
        open_to_anyone = [shifts[swap.shift_id] for swap in swaps if swap.offered_to_id is None]
        for demo in self.demo_assistants:
            points = {
                dispatch.service_point.pk
                for dispatch in self.dispatches
                if dispatch.assistant_id == demo.pk and _in_force(dispatch, self.today)
            }

            def can_take(row, demo=demo, points=points):
                _pk, holder, point, specialty, day, starts_at, ends_at = row
                return (
                    holder != demo.pk
                    and point in points
                    and specialty == demo.specialty
                    and free(demo.pk, day, starts_at, ends_at)
                )

            seen = sum(1 for row in open_to_anyone if can_take(row))
            candidates = [row for row in upcoming if can_take(row) and row[0] not in offered]
            for row in rng.sample(candidates, min(max(DEMO_OFFERS - seen, 0), len(candidates))):
                offered.add(row[0])
                open_to_anyone.append(row)
                yield row[0], row[1], rng.choice(data.SWAP_NOTES)

    def build_duty(self):
        """Templates, leave, the two months' rotas, past attendance and swap requests."""
        this_month = self.today.replace(day=1)
        next_month = _month_after(this_month)
        self.months = [
            (this_month, next_month - timedelta(days=1)),
            (next_month, _month_after(next_month) - timedelta(days=1)),
        ]
        for step in (
            self.build_templates,
            self.build_leave,
            self.build_rotas,
            self.build_attendance,
            self.build_swaps,
        ):
            started = time.monotonic()
            step()
            self.timings[step.__name__.removeprefix("build_")] = time.monotonic() - started

    def build(self):
        """Build every table in dependency order."""
        self.build_geography()
        self.build_skills()
        self.build_partners()
        self.build_catalogue()
        self.build_service_points()
        self.build_users()
        self.build_assistants()
        self.build_dispatches()
        self.build_enterprises()
        self.build_residents()
        self.build_duty()
        started = time.monotonic()
        self.build_cases()
        self.timings["cases"] = time.monotonic() - started
        started = time.monotonic()
        self.steering_counts = build_steering_demo(self)
        self.timings["steering"] = time.monotonic() - started


def build_demo_district(*, seed: int = DEFAULT_SEED, scale: int = 1) -> DemoDistrict:
    """Build the demo district in one transaction; return it, with its logins and timings."""
    with transaction.atomic():
        district = DemoDistrict(seed=seed, scale=scale)
        district.build()
    return district


def seed_demo(*, seed: int = DEFAULT_SEED, scale: int = 1) -> list[tuple[str, str, str]]:
    """Build the demo district in one transaction; return the logins (role, username, password)."""
    return build_demo_district(seed=seed, scale=scale).logins


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo district and demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed; the same seed gives the same names, phones and codes.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply assistants, dispatches, enterprises and residents (for benchmarks).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has partners (for `make run`).",
        )

    def handle(self, *args, seed, scale, if_empty, **options):
        """Refuse or skip on a non-empty database; otherwise seed and print the logins."""
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        started = time.monotonic()
        with transaction.atomic():
            # Checked inside the transaction so that two concurrent runs cannot both seed.
            if Partner.objects.exists():
                if if_empty:
                    self.stdout.write("The database already has data; demo seeding skipped.")
                    return
                raise CommandError(
                    "The database already has partners; seed_demo only fills an empty database. "
                    "Use --if-empty to skip quietly, or start from a fresh database."
                )
            district = build_demo_district(seed=seed, scale=scale)
            # The partner API's demo key (shown once, stored hashed), for the demo partner.
            api_partner = Partner.objects.get(short_name=data.DEMO_PARTNER_SHORT_NAME)
            _api_key, raw_api_key = create_api_key(partner=api_partner, name="demo")
        logins = district.logins
        elapsed = time.monotonic() - started

        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Seeded the demo district (seed {seed}, scale {scale}) in {elapsed:.1f} s:"
            )
            for label, model in [
                ("streets", Street),
                ("communities", Community),
                ("partners", Partner),
                ("agreements", Agreement),
                ("partner contacts", PartnerContact),
                ("skills", Skill),
                ("assistants", Assistant),
                ("service points", ServicePoint),
                ("dispatches", Dispatch),
                ("service categories", ServiceCategory),
                ("service items", ServiceItem),
                ("enterprises", Enterprise),
                ("residents", Resident),
                ("shift templates", ShiftTemplate),
                ("leave and trips", Unavailability),
                ("rotas", Rota),
                ("shifts", Shift),
                ("swap requests", SwapRequest),
                ("cases", Case),
                ("case events", CaseEvent),
                ("visits", Visit),
                ("follow-ups", FollowUp),
                ("referrals", Referral),
                ("extension requests", ExtensionRequest),
                ("council meetings", CouncilMeeting),
                ("enterprise liaisons", EnterpriseLiaison),
            ]:
                self.stdout.write(f"  {label}: {model.objects.count()}")
            self.stdout.write(f"  open shifts: {Shift.objects.open().count()}")
            states = Counter(Case.objects.values_list("state", flat=True))
            self.stdout.write(
                "  cases by state: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items()))
            )
            self.stdout.write(
                "  timings: "
                + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in district.timings.items())
            )
        self.stdout.write(f"demo api key: {api_partner.short_name} {raw_api_key}")
        for role, username, password in logins:
            self.stdout.write(f"demo login: {role} {username} {password}")
