"""The headline figures of the programme for a period, a street, a partner and a specialty.

Every figure is defined once here by the queryset of the rows behind it (`rows(key, ...)`), so
that the dashboard's number, the list it clicks through to and the Excel export of that list
count the very same rows. Each figure is one aggregate query in the database that counts the
period and the previous period of the same length together (conditional aggregation), so the
dashboard runs a fixed number of queries whatever the size of the district.

Who is reached and what counts (docs/steering.md has the same in prose):

* a case belongs to the street of its requester (the enterprise's street, or the household's
  community's street), to the partner of its lead assistant and to its service item's specialty;
* a visit belongs to the street of the enterprise or household visited or of its service point,
  to its assistant's partner and to its assistant's specialty;
* an enterprise or household is *reached* in a period when a visit to it was logged, or a case of
  it was opened, in that period;
* an assistant is *dispatched* in a period when a dispatch of theirs covers one of its days.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistants.models import Assistant, Dispatch, Shift
from cases import rates
from cases.models import Case, Enterprise, FollowUp, Resident, Visit

from .models import Activity

# Shift states that mean the assistant was there.
ATTENDED = ("checked_in", "completed")


@dataclass(frozen=True)
class Period:
    """Local days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        """The first instant and the instant after the last local day."""
        return (
            timezone.make_aware(datetime.combine(self.start, time.min)),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min)),
        )


@dataclass(frozen=True)
class Filters:
    """What a dashboard, a list or a report is about; None means every street/partner/specialty."""

    period: Period
    street_id: int | None = None
    partner_id: int | None = None
    specialty: str | None = None

    def with_period(self, period: Period) -> "Filters":
        return replace(self, period=period)


def query_string(filters: Filters, **extra) -> str:
    """The query string that brings the same filters to another page."""
    params = {"start": filters.period.start.isoformat(), "end": filters.period.end.isoformat()}
    if filters.street_id:
        params["street"] = filters.street_id
    if filters.partner_id:
        params["partner"] = filters.partner_id
    if filters.specialty:
        params["specialty"] = filters.specialty
    params.update(extra)
    return urlencode(params)


# --- the dimensions of each source table ---------------------------------------------------


def _case_dims(filters: Filters, prefix: str = "") -> Q:
    q = Q()
    if filters.street_id:
        q &= Q(**{f"{prefix}enterprise__street_id": filters.street_id}) | Q(
            **{f"{prefix}resident__community__street_id": filters.street_id}
        )
    if filters.partner_id:
        q &= Q(**{f"{prefix}lead__partner_id": filters.partner_id})
    if filters.specialty:
        q &= Q(**{f"{prefix}service_item__specialty": filters.specialty})
    return q


def _visit_dims(filters: Filters) -> Q:
    q = Q()
    if filters.street_id:
        q &= (
            Q(enterprise__street_id=filters.street_id)
            | Q(resident__community__street_id=filters.street_id)
            | Q(service_point__street_id=filters.street_id)
        )
    if filters.partner_id:
        q &= Q(assistant__partner_id=filters.partner_id)
    if filters.specialty:
        q &= Q(assistant__specialty=filters.specialty)
    return q


def _duty_dims(filters: Filters, specialty_field: str) -> Q:
    """Dispatches and shifts: the street of the service point, the assistant's partner."""
    q = Q()
    if filters.street_id:
        q &= Q(service_point__street_id=filters.street_id)
    if filters.partner_id:
        q &= Q(assistant__partner_id=filters.partner_id)
    if filters.specialty:
        q &= Q(**{specialty_field: filters.specialty})
    return q


def _activity_dims(filters: Filters) -> Q:
    q = Q()
    if filters.street_id:
        q &= Q(street_id=filters.street_id)
    if filters.partner_id:
        q &= Q(
            pk__in=Activity.partners.through.objects.filter(partner_id=filters.partner_id).values(
                "activity_id"
            )
        )
    if filters.specialty:
        q &= Q(
            pk__in=Activity.partners.through.objects.filter(
                partner__sector=filters.specialty
            ).values("activity_id")
        )
    return q


class Sources:
    """The base querysets a viewer may read; `user=None` is the system (digest, roll-ups)."""

    def __init__(self, user=None):
        self.user = user

    def _scoped(self, manager):
        return manager.all() if self.user is None else manager.visible_to(self.user)

    def cases(self):
        return self._scoped(Case.objects)

    def visits(self):
        return self._scoped(Visit.objects)

    def dispatches(self):
        return self._scoped(Dispatch.objects)

    def shifts(self):
        return self._scoped(Shift.objects)

    def assistants(self):
        return self._scoped(Assistant.objects)

    def enterprises(self):
        return self._scoped(Enterprise.objects)

    def residents(self):
        return self._scoped(Resident.objects)

    def activities(self):
        return self._scoped(Activity.objects)

    def follow_ups(self):
        if self.user is None:
            return FollowUp.objects.all()
        return FollowUp.objects.filter(case__in=self.cases())


# --- the rows behind each figure -----------------------------------------------------------


def _reach_subqueries(sources: Sources, filters: Filters, field: str) -> Q:
    """Reached: the id is among those visited, or among those whose case opened, in the period.

    Written as two IN (subquery) semi-joins rather than correlated EXISTS: PostgreSQL reads
    the period's visits and cases once and hashes them, instead of probing them per row.
    """
    since, until = filters.period.bounds()
    visited = sources.visits().filter(
        _visit_dims(filters),
        occurred_at__gte=since,
        occurred_at__lt=until,
        **{f"{field}__isnull": False},
    )
    opened = sources.cases().filter(
        _case_dims(filters),
        created_at__gte=since,
        created_at__lt=until,
        **{f"{field}__isnull": False},
    )
    return Q(pk__in=visited.values(f"{field}_id")) | Q(pk__in=opened.values(f"{field}_id"))


def rows(key: str, filters: Filters, sources: Sources):
    """The queryset of the rows a figure counts, for the list page and the export."""
    period = filters.period
    since, until = period.bounds()
    if key == "assistants_dispatched":
        covering = (
            sources.dispatches()
            .filter(
                _duty_dims(filters, "assistant__specialty"),
                assistant_id=OuterRef("pk"),
                starts_on__lte=period.end,
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
        )
        return sources.assistants().filter(Exists(covering))
    if key == "enterprises_reached":
        street = Q(street_id=filters.street_id) if filters.street_id else Q()
        return sources.enterprises().filter(
            street, _reach_subqueries(sources, filters, "enterprise")
        )
    if key == "households_reached":
        street = Q(community__street_id=filters.street_id) if filters.street_id else Q()
        return sources.residents().filter(street, _reach_subqueries(sources, filters, "resident"))
    if key == "cases_opened":
        return sources.cases().filter(
            _case_dims(filters), created_at__gte=since, created_at__lt=until
        )
    if key == "cases_resolved":
        return sources.cases().filter(
            _case_dims(filters), resolved_at__gte=since, resolved_at__lt=until
        )
    if key == "disputes_mediated":
        return sources.visits().filter(
            _visit_dims(filters), kind="mediation", occurred_at__gte=since, occurred_at__lt=until
        )
    if key == "activities_held":
        return sources.activities().filter(
            _activity_dims(filters), held_on__gte=period.start, held_on__lte=period.end
        )
    if key == "follow_ups_due":
        return sources.follow_ups().filter(
            _case_dims(filters, "case__"), due_on__gte=period.start, due_on__lte=period.end
        )
    if key == "follow_ups_done":
        return sources.follow_ups().filter(
            _case_dims(filters, "case__"), done_at__gte=since, done_at__lt=until
        )
    if key == "shifts_due":
        # Assigned shifts of the period that have begun: those that could have been attended.
        return (
            sources.shifts()
            .filter(_duty_dims(filters, "specialty"), date__gte=period.start, date__lte=period.end)
            .filter(assistant__isnull=False, starts_at__lt=timezone.now())
            .exclude(status="cancelled")
        )
    raise KeyError(key)


ROW_KEYS = (
    "assistants_dispatched",
    "enterprises_reached",
    "households_reached",
    "cases_opened",
    "cases_resolved",
    "disputes_mediated",
    "activities_held",
    "follow_ups_due",
    "follow_ups_done",
    "shifts_due",
)

LABELS = {
    "assistants_dispatched": _("Assistants dispatched"),
    "enterprises_reached": _("Enterprises reached"),
    "households_reached": _("Households reached"),
    "cases_opened": _("Cases opened"),
    "cases_resolved": _("Cases resolved"),
    "beneficiaries": _("Beneficiaries of resolved cases"),
    "disputes_mediated": _("Disputes mediated"),
    "activities_held": _("Activities held"),
    "activity_beneficiaries": _("Beneficiaries of activities"),
    "follow_ups_due": _("Return visits due"),
    "follow_ups_done": _("Return visits done"),
    "follow_up_completion": _("Return-visit completion"),
    "shifts_due": _("Shifts due"),
    "attendance": _("Attendance"),
    "on_time_acceptance": _("On-time acceptance"),
    "on_time_completion": _("On-time completion"),
    "actual_resolution": _("Actual resolution"),
    "satisfaction": _("Satisfaction"),
}


@dataclass(frozen=True)
class Figure:
    """A headline figure in the period and in the previous one; for rates, the counts too."""

    key: str
    value: int | float | None
    previous: int | float | None
    list_key: str
    numerator: int | None = None
    denominator: int | None = None
    is_rate: bool = False

    @property
    def label(self):
        return LABELS[self.key]

    @property
    def change(self):
        """The difference to the previous period (percentage points for rates)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _both(key, filters, sources, aggregate):
    """Run one aggregate over the period and the previous one in a single query."""
    both = filters.with_period(Period(filters.period.previous().start, filters.period.end))
    return rows(key, both, sources).aggregate(
        **aggregate(filters.period, filters.period.previous())
    )


def _count_both(key, filters, sources, date_field, *, datetime_field=True):
    def aggregate(current, previous):
        def within(period):
            if datetime_field:
                since, until = period.bounds()
                return Q(**{f"{date_field}__gte": since, f"{date_field}__lt": until})
            return Q(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})

        return {
            "cur": Count("pk", filter=within(current)),
            "prev": Count("pk", filter=within(previous)),
        }

    return _both(key, filters, sources, aggregate)


def _percent(numerator, denominator):
    return round(100 * numerator / denominator, 1) if denominator else None


def compute_figures(filters: Filters, sources: Sources) -> dict[str, Figure]:
    """Every headline figure for the filters, with the previous period; a fixed set of queries."""
    current, previous = filters.period, filters.period.previous()
    figures = {}

    # Distinct people and enterprises: one query each per period (a reach is an EXISTS, so the
    # two periods cannot share a scan without double counting).
    for key in ("assistants_dispatched", "enterprises_reached", "households_reached"):
        cur = rows(key, filters, sources).count()
        prev = rows(key, filters.with_period(previous), sources).count()
        figures[key] = Figure(key, cur, prev, key)

    counted = _count_both("cases_opened", filters, sources, "created_at")
    figures["cases_opened"] = Figure(
        "cases_opened", counted["cur"], counted["prev"], "cases_opened"
    )

    def resolved(cur, prev):
        def within(period):
            since, until = period.bounds()
            return Q(resolved_at__gte=since, resolved_at__lt=until)

        return {
            "cur": Count("pk", filter=within(cur)),
            "prev": Count("pk", filter=within(prev)),
            "cur_b": Sum("beneficiaries", filter=within(cur)),
            "prev_b": Sum("beneficiaries", filter=within(prev)),
        }

    counted = _both("cases_resolved", filters, sources, resolved)
    figures["cases_resolved"] = Figure(
        "cases_resolved", counted["cur"], counted["prev"], "cases_resolved"
    )
    figures["beneficiaries"] = Figure(
        "beneficiaries", counted["cur_b"] or 0, counted["prev_b"] or 0, "cases_resolved"
    )

    counted = _count_both("disputes_mediated", filters, sources, "occurred_at")
    figures["disputes_mediated"] = Figure(
        "disputes_mediated", counted["cur"], counted["prev"], "disputes_mediated"
    )

    def held(cur, prev):
        def within(period):
            return Q(held_on__gte=period.start, held_on__lte=period.end)

        return {
            "cur": Count("pk", filter=within(cur)),
            "prev": Count("pk", filter=within(prev)),
            "cur_b": Sum("beneficiaries", filter=within(cur)),
            "prev_b": Sum("beneficiaries", filter=within(prev)),
        }

    counted = _both("activities_held", filters, sources, held)
    figures["activities_held"] = Figure(
        "activities_held", counted["cur"], counted["prev"], "activities_held"
    )
    figures["activity_beneficiaries"] = Figure(
        "activity_beneficiaries", counted["cur_b"] or 0, counted["prev_b"] or 0, "activities_held"
    )

    def due(cur, prev):
        def within(period):
            return Q(due_on__gte=period.start, due_on__lte=period.end)

        return {
            "cur": Count("pk", filter=within(cur)),
            "prev": Count("pk", filter=within(prev)),
            "cur_done": Count("pk", filter=within(cur) & Q(done_at__isnull=False)),
            "prev_done": Count("pk", filter=within(prev) & Q(done_at__isnull=False)),
        }

    counted = _both("follow_ups_due", filters, sources, due)
    figures["follow_up_completion"] = Figure(
        "follow_up_completion",
        _percent(counted["cur_done"], counted["cur"]),
        _percent(counted["prev_done"], counted["prev"]),
        "follow_ups_due",
        numerator=counted["cur_done"],
        denominator=counted["cur"],
        is_rate=True,
    )

    def attended(cur, prev):
        def within(period):
            return Q(date__gte=period.start, date__lte=period.end)

        return {
            "cur": Count("pk", filter=within(cur)),
            "prev": Count("pk", filter=within(prev)),
            "cur_in": Count("pk", filter=within(cur) & Q(status__in=ATTENDED)),
            "prev_in": Count("pk", filter=within(prev) & Q(status__in=ATTENDED)),
        }

    counted = _both("shifts_due", filters, sources, attended)
    figures["attendance"] = Figure(
        "attendance",
        _percent(counted["cur_in"], counted["cur"]),
        _percent(counted["prev_in"], counted["prev"]),
        "shifts_due",
        numerator=counted["cur_in"],
        denominator=counted["cur"],
        is_rate=True,
    )

    # The four standard rates of the work-order system (cases/rates.py), four queries a period.
    cases = sources.cases().filter(_case_dims(filters))
    now = timezone.now()
    cur_rates = rates.standard_rates(cases, start=current.start, end=current.end, now=now)
    prev_rates = rates.standard_rates(cases, start=previous.start, end=previous.end, now=now)
    rate_lists = {
        "on_time_acceptance": "cases_opened",
        "on_time_completion": "cases_resolved",
        "actual_resolution": "cases_resolved",
        "satisfaction": "follow_ups_done",
    }
    for key, rate in cur_rates.items():
        before = prev_rates[key]
        figures[key] = Figure(
            key,
            _percent(rate.numerator, rate.denominator),
            _percent(before.numerator, before.denominator),
            rate_lists[key],
            numerator=rate.numerator,
            denominator=rate.denominator,
            is_rate=True,
        )
    return figures


HEADLINE_ORDER = (
    "assistants_dispatched",
    "enterprises_reached",
    "households_reached",
    "cases_opened",
    "cases_resolved",
    "beneficiaries",
    "disputes_mediated",
    "activities_held",
    "activity_beneficiaries",
)
RATE_ORDER = (
    "on_time_acceptance",
    "on_time_completion",
    "actual_resolution",
    "satisfaction",
    "follow_up_completion",
    "attendance",
)
