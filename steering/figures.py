"""The headline figures of the programme for a period, a street, a partner and a specialty.

Every figure is defined once here by the queryset of the rows behind it (`rows(key, ...)`), so
that the dashboard's number, the list it clicks through to and the Excel export of that list
count the very same rows. The figures of one table are one aggregate query in the database that
counts the period and the previous period of the same length together (conditional aggregation,
`_period_counts`), so the dashboard runs a fixed number of queries whatever the size of the
district.

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

from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, Sum
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


# The list a figure clicks through to, where it is not the figure's own rows.
LIST_KEYS = {
    "beneficiaries": "cases_resolved",
    "activity_beneficiaries": "activities_held",
    "on_time_acceptance": "cases_opened",
    "on_time_completion": "cases_resolved",
    "actual_resolution": "cases_resolved",
    "satisfaction": "follow_ups_done",
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


@dataclass(frozen=True)
class _Tally:
    """A figure as `function` of `field` over the rows whose `date_field` falls in a period."""

    date_field: str
    function: type = Count
    field: str = "pk"
    condition: Q | None = None


def _within(model, date_field: str, period: Period) -> Q:
    """The rows whose `date_field` falls in the period: by local-day bounds for an instant."""
    if isinstance(model._meta.get_field(date_field), DateTimeField):
        since, until = period.bounds()
        return Q(**{f"{date_field}__gte": since, f"{date_field}__lt": until})
    return Q(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})


def _period_counts(queryset, filters: Filters, **tallies: _Tally) -> dict[str, tuple[int, int]]:
    """Each tally in the period and in the previous one: {name: (current, previous)}.

    One aggregate query (conditional aggregation) whatever the number of tallies; the queryset
    must already hold the rows of both periods. An empty sum counts as 0.
    """
    periods = {"cur": filters.period, "prev": filters.period.previous()}
    aggregates = {}
    for name, tally in tallies.items():
        for when, period in periods.items():
            within = _within(queryset.model, tally.date_field, period)
            if tally.condition is not None:
                within &= tally.condition
            aggregates[f"{name}_{when}"] = tally.function(tally.field, filter=within)
    result = queryset.aggregate(**aggregates)
    return {name: (result[f"{name}_cur"] or 0, result[f"{name}_prev"] or 0) for name in tallies}


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

    # The rows of both periods, so that one aggregate query a table counts the two apart.
    both = filters.with_period(Period(previous.start, current.end))

    def both_rows(key):
        return rows(key, both, sources)

    # Cases opened and cases resolved are two figures over one table: one query for both.
    counted = _period_counts(
        both_rows("cases_opened") | both_rows("cases_resolved"),
        filters,
        cases_opened=_Tally("created_at"),
        cases_resolved=_Tally("resolved_at"),
        beneficiaries=_Tally("resolved_at", Sum, "beneficiaries"),
    )
    counted |= _period_counts(
        both_rows("disputes_mediated"), filters, disputes_mediated=_Tally("occurred_at")
    )
    counted |= _period_counts(
        both_rows("activities_held"),
        filters,
        activities_held=_Tally("held_on"),
        activity_beneficiaries=_Tally("held_on", Sum, "beneficiaries"),
    )
    for key, (cur, prev) in counted.items():
        figures[key] = Figure(key, cur, prev, LIST_KEYS.get(key, key))

    # A rate counts its numerator (the figure's key) and its denominator (the list's key).
    rates_counted = _period_counts(
        both_rows("follow_ups_due"),
        filters,
        follow_up_completion=_Tally("due_on", condition=Q(done_at__isnull=False)),
        follow_ups_due=_Tally("due_on"),
    ) | _period_counts(
        both_rows("shifts_due"),
        filters,
        attendance=_Tally("date", condition=Q(status__in=ATTENDED)),
        shifts_due=_Tally("date"),
    )
    for key, denominator_key in (
        ("follow_up_completion", "follow_ups_due"),
        ("attendance", "shifts_due"),
    ):
        (cur, prev), (cur_all, prev_all) = rates_counted[key], rates_counted[denominator_key]
        figures[key] = Figure(
            key,
            _percent(cur, cur_all),
            _percent(prev, prev_all),
            denominator_key,
            numerator=cur,
            denominator=cur_all,
            is_rate=True,
        )

    # The four standard rates of the work-order system (cases/rates.py), four queries a period.
    cases = sources.cases().filter(_case_dims(filters))
    now = timezone.now()
    cur_rates = rates.standard_rates(cases, start=current.start, end=current.end, now=now)
    prev_rates = rates.standard_rates(cases, start=previous.start, end=previous.end, now=now)
    for key, rate in cur_rates.items():
        before = prev_rates[key]
        figures[key] = Figure(
            key,
            _percent(rate.numerator, rate.denominator),
            _percent(before.numerator, before.denominator),
            LIST_KEYS[key],
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
