"""A year of demo cases in every state, with timelines, visits, return visits, referrals,
extension requests, council meetings and enterprise liaisons.
"""

import itertools
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.utils import timezone

from assistants.rota import LOCAL_TZ
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
    ServiceItem,
    Visit,
)

from . import data
from .case_plans import CasePlan, WorkdayTable, _minutes, _own_created_at, _reached
from .common import BATCH_SIZE, CASE_SLICE, DEMO_HELPER_SHARE, DEMO_LEAD_SHARE, _bulk


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
