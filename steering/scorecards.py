"""Partner scorecards: yearly targets, progress during the year, and the ranking.

The formula, shown on the page as it is computed here (no black box):

* for each measure with a target above zero, *achievement* = min(actual ÷ target, 1);
* **score** = 100 × the average achievement over those measures (0 to 100);
* *expected by today* = target × (days of the year elapsed ÷ days in the year); a partner is
  **behind** on a measure when its actual is below that, and behind overall when behind on any.

Actuals of a partner in the year: shifts its assistants attended (checked in or completed),
distinct enterprises its assistants visited, cases its assistants led to resolution (resolved
in the year), activities it helped organize. Four grouped queries for every partner at once.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from assistants.models import Shift
from cases.models import Case, Visit

from .figures import ATTENDED, Period
from .models import Activity, ChairTerm, PartnerTarget

MEASURES = (
    ("shifts", _("Shifts covered")),
    ("enterprises", _("Enterprises visited")),
    ("cases", _("Cases resolved")),
    ("activities", _("Activities organized")),
)


@dataclass
class Line:
    """One measure of a scorecard."""

    key: str
    label: str
    target: int
    actual: int
    expected: float
    href: str = ""

    @property
    def achievement(self) -> float | None:
        return min(self.actual / self.target, 1.0) if self.target else None

    @property
    def percent(self) -> float | None:
        return round(100 * self.actual / self.target, 1) if self.target else None

    @property
    def behind(self) -> bool:
        return bool(self.target) and self.actual < self.expected


@dataclass
class Scorecard:
    """A partner's targets and progress for a year, with its score."""

    target: PartnerTarget
    lines: list[Line] = field(default_factory=list)
    rank: int | None = None

    @property
    def partner(self):
        return self.target.partner

    @property
    def score(self) -> float | None:
        achieved = [line.achievement for line in self.lines if line.achievement is not None]
        return round(100 * sum(achieved) / len(achieved), 1) if achieved else None

    @property
    def behind(self) -> bool:
        return any(line.behind for line in self.lines)


def elapsed_share(year: int, today: date) -> float:
    """How much of the year has gone by: 0 before it starts, 1 after it ends."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    if today < first:
        return 0.0
    if today > last:
        return 1.0
    return ((today - first).days + 1) / ((last - first).days + 1)


def actuals(year: int, partner_ids) -> dict[str, dict[int, int]]:
    """Each measure's actual per partner for the year: four grouped queries."""
    period = Period(date(year, 1, 1), date(year, 12, 31))
    since, until = period.bounds()
    shifts = (
        Shift.objects.filter(
            assistant__partner_id__in=partner_ids,
            date__gte=period.start,
            date__lte=period.end,
            status__in=ATTENDED,
        )
        .values_list("assistant__partner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    enterprises = (
        Visit.objects.filter(
            assistant__partner_id__in=partner_ids,
            occurred_at__gte=since,
            occurred_at__lt=until,
            enterprise__isnull=False,
        )
        .values_list("assistant__partner_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by()
    )
    cases = (
        Case.objects.filter(
            lead__partner_id__in=partner_ids, resolved_at__gte=since, resolved_at__lt=until
        )
        .values_list("lead__partner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    activities = (
        Activity.partners.through.objects.filter(
            partner_id__in=partner_ids,
            activity__held_on__gte=period.start,
            activity__held_on__lte=period.end,
        )
        .values_list("partner_id")
        .annotate(n=Count("activity_id", distinct=True))
        .order_by()
    )
    return {
        "shifts": dict(shifts),
        "enterprises": dict(enterprises),
        "cases": dict(cases),
        "activities": dict(activities),
    }


def scorecards(year: int, *, today: date, targets=None) -> list[Scorecard]:
    """Every partner with targets for the year, ranked by score (ties by name); 5 queries."""
    if targets is None:
        targets = PartnerTarget.objects.all()
    targets = list(targets.filter(year=year).select_related("partner"))
    partner_ids = [target.partner_id for target in targets]
    done = actuals(year, partner_ids)
    share = elapsed_share(year, today)
    cards = []
    for target in targets:
        card = Scorecard(target)
        for key, label in MEASURES:
            goal = getattr(target, key)
            card.lines.append(
                Line(key, label, goal, done[key].get(target.partner_id, 0), goal * share)
            )
        cards.append(card)
    cards.sort(key=lambda c: (-(c.score if c.score is not None else -1), c.partner.short_name))
    for rank, card in enumerate(cards, start=1):
        card.rank = rank
    return cards


def current_chairs(today: date) -> list[ChairTerm]:
    """The chair of each alliance on the day, if a term covers it (one query)."""
    return list(
        ChairTerm.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .select_related("partner")
        .order_by("sector")
    )
