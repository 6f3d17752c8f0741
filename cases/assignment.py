"""Who should take a case, and handing cases over when an assistant leaves a point or the programme.

`suggest_assistants` ranks the assistants who could lead a case the way a dispatcher of the
12345 hotline would reason about it, and says why for each one, so staff can trust (or overrule)
the ranking at a glance:

* the service item's specialty is a must (a legal question goes to a legal assistant);
* each skill tag whose name appears in the item's name or the case's title or description counts.
  Chinese text has no spaces between words, so "appears in" is a plain substring test: the tag
  征收 matches a case titled 房屋征收补偿咨询. Simple, explainable, no word segmentation;
* being on duty at the case's service point now, or within the next `DUTY_HORIZON_HOURS`, from
  the published rota (the resident can meet them there);
* being dispatched to that point (they know its people and its projects);
* fewer open cases led is better (spreads the load).

Assistants on approved leave today are left out, and so is the case's current lead (a suggestion
is asked for to assign or to reassign, and the current lead is never the answer to either).
The ranking runs in two queries whatever the number of assistants: one that scores, orders and
cuts in SQL, one that fetches the matched skill tags of the few assistants kept.
`suggest_for_cases` ranks a whole page of cases the same way in four queries whatever the
number of cases, for the staff workspace's queues.

Hand-over: when an assistant is withdrawn or their dispatch ends, `open_cases_for_hand_over`
lists the open cases they lead or help, and `hand_over_cases` moves them to a colleague in one
transaction, through `workflow.reassign_case` for the cases they lead.
"""

from copy import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assistants.choices import Specialty
from assistants.models import Assistant, Dispatch, Shift, Skill, Unavailability
from talentoffice import events

from . import workflow
from .choices import CaseEventKind, CaseState
from .models import Case, CaseEvent
from .workflow import CaseError

# How far ahead a published shift at the case's point still counts as "on duty soon".
DUTY_HORIZON_HOURS = 24

# The weights of the score. One matching skill is worth more than being on duty soon, because
# the right knowledge solves the problem while the right place only saves a trip; six open cases
# weigh as much as one matching skill.
SKILL_POINTS = 30
ON_DUTY_NOW_POINTS = 25
ON_DUTY_SOON_POINTS = 15
DISPATCHED_POINTS = 10
LOAD_PENALTY = 5

OPEN_STATES = (CaseState.NEW, CaseState.ASSIGNED, CaseState.IN_PROGRESS)


@dataclass
class Suggestion:
    """One assistant proposed for a case: the score that ranked them and the reasons behind it."""

    assistant: Assistant
    score: int
    open_cases: int
    skills: list[str] = field(default_factory=list)
    on_duty_from: datetime | None = None
    dispatched: bool = False
    reasons: list[str] = field(default_factory=list)


def _case_text(case) -> str:
    """The words a skill tag is looked for in: the item's name, the case's title and description."""
    return " ".join([case.service_item.name, case.title, case.description or ""])


def _matching_skills(text: str):
    """Skill tags whose name appears in the text (case-insensitive substring, in SQL)."""
    return (
        Skill.objects.alias(haystack=Value(text, output_field=models.TextField()))
        .exclude(name="")
        .filter(haystack__icontains=F("name"))
    )


def suggest_assistants(
    case, *, now: datetime | None = None, limit: int = 10, specialty: str | None = None
) -> list[Suggestion]:
    """Active assistants ranked for leading this case, best first, each with score and reasons.

    `specialty` overrides the item's specialty, e.g. after a referral to the other specialty was
    accepted. Two queries: the scored, ordered and limited assistants, then their matched skills.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    specialty = specialty or case.service_item.specialty
    matching = _matching_skills(_case_text(case))
    point_id = case.service_point_id

    skill_count = Subquery(
        Assistant.skills.through.objects.filter(
            assistant_id=OuterRef("pk"), skill_id__in=matching.values("pk")
        )
        .values("assistant_id")
        .annotate(n=models.Count("pk"))
        .values("n"),
        output_field=models.IntegerField(),
    )
    open_load = Subquery(
        Case.objects.filter(lead_id=OuterRef("pk"), state__in=OPEN_STATES)
        .order_by()
        .values("lead_id")
        .annotate(n=models.Count("pk"))
        .values("n"),
        output_field=models.IntegerField(),
    )
    on_leave_today = Unavailability.objects.approved().overlapping(today, today)

    candidates = (
        Assistant.objects.active()
        .filter(specialty=specialty)
        .filter(~Exists(on_leave_today.filter(assistant_id=OuterRef("pk"))))
        .annotate(
            skill_count=Coalesce(skill_count, 0),
            open_load=Coalesce(open_load, 0),
        )
    )
    if case.lead_id is not None:
        candidates = candidates.exclude(pk=case.lead_id)

    if point_id is not None:
        # The earliest published, live shift at the point that is running now or starts within
        # the horizon: if it has already started, the assistant is on duty now.
        duty = (
            Shift.objects.published()
            .live()
            .filter(
                assistant_id=OuterRef("pk"),
                service_point_id=point_id,
                ends_at__gt=now,
                starts_at__lt=now + timedelta(hours=DUTY_HORIZON_HOURS),
            )
            .order_by("starts_at")
            .values("starts_at")[:1]
        )
        dispatched = Dispatch.objects.current_on(today).filter(
            assistant_id=OuterRef("pk"), service_point_id=point_id
        )
        candidates = candidates.annotate(
            on_duty_from=Subquery(duty, output_field=models.DateTimeField()),
            dispatched=Exists(dispatched),
        )
        duty_points = models.Case(
            models.When(on_duty_from__lte=now, then=Value(ON_DUTY_NOW_POINTS)),
            models.When(on_duty_from__isnull=False, then=Value(ON_DUTY_SOON_POINTS)),
            default=Value(0),
        )
        dispatch_points = models.Case(
            models.When(dispatched=True, then=Value(DISPATCHED_POINTS)), default=Value(0)
        )
    else:
        candidates = candidates.annotate(
            on_duty_from=Value(None, output_field=models.DateTimeField()),
            dispatched=Value(False, output_field=models.BooleanField()),
        )
        duty_points = dispatch_points = Value(0)

    candidates = (
        candidates.annotate(
            score=F("skill_count") * SKILL_POINTS
            + duty_points
            + dispatch_points
            - F("open_load") * LOAD_PENALTY
        )
        .order_by("-score", "open_load", "name", "pk")
        .prefetch_related(
            Prefetch("skills", queryset=matching.order_by("name"), to_attr="matched_skills")
        )
    )[:limit]

    return [
        _suggestion(
            case, assistant, specialty, now, skills=[s.name for s in assistant.matched_skills]
        )
        for assistant in candidates
    ]


def _suggestion(case, assistant, specialty, now, *, skills) -> Suggestion:
    """The suggestion for one scored assistant, with the reasons a dispatcher would give."""
    point_name = case.service_point.name if case.service_point_id is not None else ""
    reasons = [_("Specialty: %(specialty)s") % {"specialty": Specialty(specialty).label}]
    if skills:
        reasons.append(_("Skills matching the case: %(skills)s") % {"skills": "、".join(skills)})
    if assistant.on_duty_from is not None:
        if assistant.on_duty_from <= now:
            reasons.append(_("On duty at %(point)s now") % {"point": point_name})
        else:
            reasons.append(
                _("On duty at %(point)s from %(time)s")
                % {
                    "point": point_name,
                    "time": f"{timezone.localtime(assistant.on_duty_from):%m-%d %H:%M}",
                }
            )
    if assistant.dispatched:
        reasons.append(_("Dispatched to %(point)s") % {"point": point_name})
    if assistant.open_load:
        reasons.append(
            ngettext(
                "Leads %(count)s open case",
                "Leads %(count)s open cases",
                assistant.open_load,
            )
            % {"count": assistant.open_load}
        )
    else:
        reasons.append(_("Leads no open case"))
    return Suggestion(
        assistant=assistant,
        score=assistant.score,
        open_cases=assistant.open_load,
        skills=skills,
        on_duty_from=assistant.on_duty_from,
        dispatched=assistant.dispatched,
        reasons=reasons,
    )


def suggest_for_cases(
    cases, *, now: datetime | None = None, limit: int = 10, specialties: dict | None = None
) -> dict[int, list[Suggestion]]:
    """`suggest_assistants` for a page of cases at once, keyed by case id, in the same order.

    The facts about the assistants (who is active and not on leave, their open load, their skill
    tags, their shifts and dispatches at the cases' points) are read once for the whole page, in
    four queries whatever the number of cases, and each case is scored from them in Python.
    `specialties` maps a case id to the specialty that overrides its item's (an accepted
    referral). The cases need their service item and service point loaded.
    """
    cases = list(cases)
    if not cases:
        return {}
    now = now or timezone.now()
    today = timezone.localdate(now)
    specialties = specialties or {}
    specialty_of = {
        case.pk: specialties.get(case.pk) or case.service_item.specialty for case in cases
    }
    point_ids = {case.service_point_id for case in cases if case.service_point_id is not None}

    open_load = Subquery(
        Case.objects.filter(lead_id=OuterRef("pk"), state__in=OPEN_STATES)
        .order_by()
        .values("lead_id")
        .annotate(n=models.Count("pk"))
        .values("n"),
        output_field=models.IntegerField(),
    )
    on_leave_today = Unavailability.objects.approved().overlapping(today, today)
    # Ordered as the single ranking breaks its ties (name, then id), by the database's own
    # collation, so both rankings agree on assistants of equal score and load.
    assistants = list(
        Assistant.objects.active()
        .filter(specialty__in=set(specialty_of.values()))
        .filter(~Exists(on_leave_today.filter(assistant_id=OuterRef("pk"))))
        .annotate(open_load=Coalesce(open_load, 0))
        .order_by("name", "pk")
    )
    ids = [assistant.pk for assistant in assistants]
    skills_of: dict[int, list[str]] = {}
    for assistant_id, name in (
        Assistant.skills.through.objects.filter(assistant_id__in=ids)
        .exclude(skill__name="")
        .order_by("skill__name", "skill_id")
        .values_list("assistant_id", "skill__name")
    ):
        skills_of.setdefault(assistant_id, []).append(name)
    duty_from: dict[tuple[int, int], datetime] = {}
    dispatched: set[tuple[int, int]] = set()
    if point_ids:
        for assistant_id, point_id, starts_at in (
            Shift.objects.published()
            .live()
            .filter(
                assistant_id__in=ids,
                service_point_id__in=point_ids,
                ends_at__gt=now,
                starts_at__lt=now + timedelta(hours=DUTY_HORIZON_HOURS),
            )
            .order_by("starts_at")
            .values_list("assistant_id", "service_point_id", "starts_at")
        ):
            duty_from.setdefault((assistant_id, point_id), starts_at)
        dispatched = set(
            Dispatch.objects.current_on(today)
            .filter(assistant_id__in=ids, service_point_id__in=point_ids)
            .values_list("assistant_id", "service_point_id")
        )

    result = {}
    for case in cases:
        specialty = specialty_of[case.pk]
        # The same case-insensitive substring test as the single ranking does in SQL.
        text = _case_text(case).upper()
        point_id = case.service_point_id
        scored = []
        for order, assistant in enumerate(assistants):
            if assistant.specialty != specialty or assistant.pk == case.lead_id:
                continue
            skills = [name for name in skills_of.get(assistant.pk, ()) if name.upper() in text]
            on_duty_from = duty_from.get((assistant.pk, point_id))
            is_dispatched = (assistant.pk, point_id) in dispatched
            score = len(skills) * SKILL_POINTS - assistant.open_load * LOAD_PENALTY
            if on_duty_from is not None:
                score += ON_DUTY_NOW_POINTS if on_duty_from <= now else ON_DUTY_SOON_POINTS
            if is_dispatched:
                score += DISPATCHED_POINTS
            scored.append((-score, assistant.open_load, order, skills, on_duty_from, is_dispatched))
        scored.sort(key=lambda entry: entry[:3])
        suggestions = []
        for negative, _load, order, skills, on_duty_from, is_dispatched in scored[:limit]:
            # A fresh copy per case: the same assistant carries a different score on each case.
            assistant = copy(assistants[order])
            assistant.score = -negative
            assistant.on_duty_from = on_duty_from
            assistant.dispatched = is_dispatched
            suggestions.append(_suggestion(case, assistant, specialty, now, skills=skills))
        result[case.pk] = suggestions
    return result


# ---------------------------------------------------------------------------------------------
# Hand-over


class HandOverError(CaseError):
    """A hand-over that cannot be done; nothing was moved."""


def _helped_by(assistant):
    return Case.helpers.through.objects.filter(assistant_id=assistant.pk).values("case_id")


def open_cases_for_hand_over(assistant):
    """Open cases the assistant leads or helps: what must move when they leave (withdrawal,
    end of dispatch). Resolved cases waiting for their return visit are not listed: anyone may
    record a follow-up, so they need no new owner."""
    return (
        Case.objects.open()
        .filter(Q(lead_id=assistant.pk) | Q(pk__in=_helped_by(assistant)))
        .select_related("service_item", "service_point", "lead")
        .order_by("target_date", "pk")
    )


def _require_staff(user):
    if user is None or not (user.is_active and user.is_staff):
        raise HandOverError(
            _("Only the organization department's staff may do this."), code="not_allowed"
        )


@events.step
def hand_over_cases(*, cases, from_assistant, to_assistant, by, reason) -> list[Case]:
    """Move the given open cases of a leaving assistant to a colleague, all or none.

    A case they lead is reassigned with `workflow.reassign_case` (the colleague then accepts it
    in time like any assignment); on a case they help, the colleague takes their helper seat.
    """
    _require_staff(by)
    if not (reason or "").strip():
        raise HandOverError(_("Say why the cases are handed over."), code="reason_required")
    if to_assistant.pk == from_assistant.pk:
        raise HandOverError(_("Hand the cases over to another assistant."), code="same_assistant")
    # reassign_case does not look at the new lead's status; a withdrawn colleague would leave
    # the cases stranded a second time.
    if not to_assistant.is_active:
        raise HandOverError(
            _("Only an active assistant can take over cases."), code="assistant_inactive"
        )
    # Lock every case first, in primary-key order, so two hand-overs touching the same cases
    # queue up instead of deadlocking half-way.
    ids = sorted({case.pk for case in cases})
    locked = list(Case.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    helped = set(
        Case.helpers.through.objects.filter(
            case_id__in=ids, assistant_id=from_assistant.pk
        ).values_list("case_id", flat=True)
    )
    handed = []
    for case in locked:
        if case.state not in OPEN_STATES or (
            case.lead_id != from_assistant.pk and case.pk not in helped
        ):
            raise HandOverError(
                _("Case %(number)s is not an open case of %(name)s.")
                % {"number": case.number, "name": from_assistant.name},
                code="not_their_case",
            )
        if case.lead_id == from_assistant.pk:
            case = workflow.reassign_case(case=case, lead=to_assistant, by=by, reason=reason)
        if case.pk in helped:
            case.helpers.remove(from_assistant)
            CaseEvent.objects.create(
                case=case,
                kind=CaseEventKind.HELPER_REMOVED,
                actor=by,
                assistant=from_assistant,
                note=reason,
            )
            if case.lead_id != to_assistant.pk:
                case.helpers.add(to_assistant)
                CaseEvent.objects.create(
                    case=case,
                    kind=CaseEventKind.HELPER_ADDED,
                    actor=by,
                    assistant=to_assistant,
                    note=reason,
                )
        handed.append(case)
    return handed
