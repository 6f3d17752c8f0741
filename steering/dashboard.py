"""What the dashboard shows, computed once and kept as a snapshot (a roll-up) for everyone.

The live computation (`build`) runs a fixed set of aggregate queries, but each of them reads
the period's rows, so its time grows with the district. The figures a district staff member
asks for are the same for every staff member, so they are kept in `DashboardSnapshot` rows:
the page shows a snapshot younger than STEERING_SNAPSHOT_SECONDS and says when it was taken,
and a Celery beat task (`refresh_snapshots`) recomputes the usual views (this month, this
quarter, this year, in every language) before they go stale, so a page reads one row whatever
the size of the district. Anyone may ask for the live figures (`?fresh=1`), which also renews
the snapshot. A street coordinator's figures are narrowed to their street and always live.
"""

import dataclasses
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from talentoffice.access import is_district_staff

from . import campaigns as campaign_service
from . import charts
from .figures import Figure, Filters, Period, Sources, compute_figures, query_string
from .forms import preset_period
from .items import ItemLine, by_item
from .models import Campaign, DashboardSnapshot

# The dashboard shows the progress of at most this many campaigns running in the period.
DASHBOARD_CAMPAIGNS = 8
PRESETS = ("month", "quarter", "year")


@dataclass
class DashboardData:
    figures: dict
    charts: list
    computed_at: datetime
    from_snapshot: bool = False
    items: list = dataclasses.field(default_factory=list)


def list_url(filters: Filters, key: str) -> str:
    return reverse("steering:figure_list", args=[key]) + "?" + query_string(filters)


def build(filters: Filters, user=None) -> DashboardData:
    """Compute the figures and charts live, through the viewer's scoped querysets."""
    sources = Sources(user)
    figures = compute_figures(filters, sources)

    def month_url(month):
        last = date(month.year, month.month, monthrange(month.year, month.month)[1])
        return list_url(filters.with_period(Period(month, last)), "cases_opened")

    running = Campaign.objects.filter(
        starts_on__lte=filters.period.end, ends_on__gte=filters.period.start
    )
    if user is not None:
        running = running & Campaign.objects.visible_to(user)
    progresses = campaign_service.summaries(
        list(running.order_by("-starts_on", "name")[:DASHBOARD_CAMPAIGNS])
    )

    def street_url(key):
        return lambda street_id: list_url(dataclasses.replace(filters, street_id=street_id), key)

    return DashboardData(
        figures=figures,
        charts=[
            charts.reach_by_street(
                "enterprises_reached", filters, sources, street_url("enterprises_reached")
            ),
            charts.reach_by_street(
                "households_reached", filters, sources, street_url("households_reached")
            ),
            charts.cases_per_month(filters, sources, month_url),
            charts.resolution_time(filters, sources),
            charts.compliance(figures["on_time_completion"], list_url(filters, "cases_resolved")),
            charts.follow_up_state(filters, sources, list_url(filters, "follow_ups_due")),
            charts.attendance(filters, sources, list_url(filters, "shifts_due")),
            charts.campaign_progress(
                progresses, lambda c: reverse("steering:campaign", args=[c.pk])
            ),
        ],
        computed_at=timezone.now(),
        items=by_item(filters, sources),
    )


def snapshot_key(filters: Filters, language: str) -> str:
    return (
        f"{filters.period.start}:{filters.period.end}:{filters.street_id or ''}:"
        f"{filters.partner_id or ''}:{filters.specialty or ''}:{language}"
    )


def _dump(data: DashboardData) -> dict:
    """JSON of the figures and the drawn charts; labels are rendered in the current language."""
    return {
        "figures": {key: dataclasses.asdict(figure) for key, figure in data.figures.items()},
        "charts": [
            {
                **{f.name: getattr(chart, f.name) for f in dataclasses.fields(chart)},
                "title": str(chart.title),
                "bars": [
                    {**dataclasses.asdict(bar), "title": str(bar.title)} for bar in chart.bars
                ],
                "labels": [[x, str(label)] for x, label in chart.labels],
                "legend": [[css, str(label)] for css, label in chart.legend],
            }
            for chart in data.charts
        ],
        "items": [dataclasses.asdict(line) for line in data.items],
    }


def _load(payload: dict, computed_at: datetime) -> DashboardData:
    chart_list = []
    for item in payload["charts"]:
        item = dict(item)
        item["bars"] = [charts.Bar(**bar) for bar in item["bars"]]
        item["labels"] = [tuple(pair) for pair in item["labels"]]
        item["ticks"] = [tuple(pair) for pair in item["ticks"]]
        item["legend"] = [tuple(pair) for pair in item["legend"]]
        chart_list.append(charts.Chart(**item))
    figures = {key: Figure(**value) for key, value in payload["figures"].items()}
    # A snapshot kept before the per-item view existed has no items: shown empty until renewed.
    items = [ItemLine(**line) for line in payload.get("items", [])]
    return DashboardData(figures, chart_list, computed_at, from_snapshot=True, items=items)


def max_age() -> timedelta:
    return timedelta(seconds=settings.STEERING_SNAPSHOT_SECONDS)


def store(filters: Filters, data: DashboardData, language: str) -> None:
    """Keep (or renew) the snapshot of these filters in this language."""
    key = snapshot_key(filters, language)
    payload = _dump(data)
    try:
        # A savepoint: two requests renewing the same snapshot at once must not break the
        # page's transaction; the loser's figures are the same, so losing is harmless.
        with transaction.atomic():
            DashboardSnapshot.objects.update_or_create(
                key=key, defaults={"payload": payload, "computed_at": data.computed_at}
            )
    except IntegrityError:
        pass


def dashboard_data(filters: Filters, user, *, fresh: bool = False) -> DashboardData:
    """The dashboard for a viewer: a recent snapshot when the viewer sees the whole district."""
    if not is_district_staff(user):
        return build(filters, user)
    language = translation.get_language()
    if not fresh:
        snapshot = (
            DashboardSnapshot.objects.filter(
                key=snapshot_key(filters, language), computed_at__gte=timezone.now() - max_age()
            )
            .only("payload", "computed_at")
            .first()
        )
        if snapshot is not None:
            return _load(snapshot.payload, snapshot.computed_at)
    data = build(filters, user)
    store(filters, data, language)
    return data


def refresh_snapshots(*, today: date | None = None) -> int:
    """Recompute the usual views (this month, quarter and year, unfiltered) in every language."""
    today = today or timezone.localdate()
    written = 0
    # Early in a quarter, this month and this quarter are the same period: computed once.
    periods = dict.fromkeys(preset_period(preset, today) for preset in PRESETS)
    for period in periods:
        filters = Filters(period)
        # The figures do not depend on the language, only their labels: one computation,
        # then one snapshot per language (chart labels are lazy until dumped).
        data = build(filters)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                store(filters, data, language)
            written += 1
    # Snapshots of one-off filters nobody asked for again only take room.
    DashboardSnapshot.objects.filter(computed_at__lt=timezone.now() - 4 * max_age()).delete()
    return written
