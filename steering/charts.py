"""Charts of the dashboard, drawn on the server as SVG geometry (no script, no CDN).

Each function reads what it needs in one grouped query and returns a `Chart`: a list of bars
with their coordinates in a fixed viewBox, axis labels and a legend; templates/steering/
_chart.html draws it. Colours come from CSS classes (static/steering/steering.css), so the
pages keep to a Content-Security-Policy without inline styles.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.models import ServiceCategory
from talentoffice.models import Street

from .figures import ATTENDED, Filters, Sources, rows

WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP = 40, 28, 12
SERIES_CLASSES = ["s0", "s1", "s2", "s3", "s4", "s5"]
# Days from intake to resolution, in the buckets of the distribution chart.
RESOLUTION_BUCKETS = [
    (1, _("≤ 1 day")),
    (3, _("2–3 days")),
    (7, _("4–7 days")),
    (14, _("8–14 days")),
    (30, _("15–30 days")),
    (None, _("> 30 days")),
]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str
    href: str = ""


@dataclass
class Chart:
    """A bar chart ready to draw: bars, x labels, y ticks and a legend."""

    key: str
    title: str
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = True
    kind: str = "columns"  # "columns", "shares" (one split bar) or "rows" (one bar per line)
    width: int = WIDTH
    height: int = HEIGHT


def _nice_max(value: int) -> int:
    """A round top for the y axis at or above the largest value."""
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def stacked(key, title, columns, series, values, *, hrefs=None) -> Chart:
    """Columns of stacked bars: `values[(column, series)]` is each segment's height."""
    chart = Chart(key, title)
    totals = [sum(values.get((c, s), 0) for s, _label in series) for c, _clabel in columns]
    top = _nice_max(max(totals, default=0))
    chart.empty = not any(totals)
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(columns), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    for i, (column, column_label) in enumerate(columns):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = TOP + plot_h
        for j, (serie, serie_label) in enumerate(series):
            value = values.get((column, serie), 0)
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            chart.bars.append(
                Bar(
                    round(x, 1),
                    round(y, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    SERIES_CLASSES[j % len(SERIES_CLASSES)],
                    format_lazy("{} · {}: {}", column_label, serie_label, value),
                    (hrefs or {}).get(column, ""),
                )
            )
        # Label every column when few, else every other one, so that labels never overlap.
        if len(columns) <= 12 or i % 2 == 0:
            chart.labels.append((round(LEFT + i * slot + slot / 2, 1), column_label))
    chart.ticks = [(round(TOP + plot_h * (1 - k / 4), 1), round(top * k / 4)) for k in range(5)]
    chart.legend = (
        [(SERIES_CLASSES[j % len(SERIES_CLASSES)], label) for j, (_s, label) in enumerate(series)]
        if len(series) > 1
        else []
    )
    return chart


def _months(filters: Filters) -> list[date]:
    start, end = filters.period.start, filters.period.end
    months, day = [], date(start.year, start.month, 1)
    while day <= end:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def cases_per_month(filters: Filters, sources: Sources, href) -> Chart:
    """Cases opened per month, stacked by checklist category (2 queries)."""
    categories = list(ServiceCategory.objects.values_list("pk", "name"))
    counted = (
        rows("cases_opened", filters, sources)
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("month", "service_item__category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    values = {(month.date(), category): n for month, category, n in counted}
    months = _months(filters)
    columns = [(m, f"{m:%Y-%m}") for m in months]
    return stacked(
        "cases_per_month",
        _("Cases opened per month, by category"),
        columns,
        categories,
        values,
        hrefs={m: href(m) for m in months},
    )


def resolution_time(filters: Filters, sources: Sources) -> Chart:
    """Cases resolved in the period by days from intake to resolution (1 query)."""
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    buckets = {}
    previous = None
    for i, (days, _label) in enumerate(RESOLUTION_BUCKETS):
        q = Q()
        if previous is not None:
            q &= Q(took__gt=timedelta(days=previous))
        if days is not None:
            q &= Q(took__lte=timedelta(days=days))
        buckets[f"b{i}"] = Count("pk", filter=q)
        previous = days
    counted = rows("cases_resolved", filters, sources).annotate(took=took).aggregate(**buckets)
    columns = [(i, label) for i, (_d, label) in enumerate(RESOLUTION_BUCKETS)]
    values = {(i, "n"): counted[f"b{i}"] for i in range(len(RESOLUTION_BUCKETS))}
    return stacked("resolution_time", _("Resolution time"), columns, [("n", _("cases"))], values)


def shares(key, title, parts) -> Chart:
    """One horizontal bar split into parts [(css, label, value, href)]."""
    chart = Chart(key, title, height=40, kind="shares")
    total = sum(value for _css, _label, value, _href in parts)
    chart.empty = not total
    x = 0.0
    for css, label, value, href in parts:
        if not value:
            continue
        w = (WIDTH - 2) * value / total
        chart.bars.append(
            Bar(
                round(x + 1, 1),
                8,
                round(w, 1),
                24,
                css,
                format_lazy("{}: {} ({:.0f}%)", label, value, 100 * value / total),
                href,
            )
        )
        x += w
    chart.legend = [(css, format_lazy("{}: {}", label, value)) for css, label, value, _h in parts]
    return chart


def follow_up_state(filters: Filters, sources: Sources, href) -> Chart:
    """Return visits due in the period: done, overdue, not yet due (1 query)."""
    today = timezone.localdate()
    counted = rows("follow_ups_due", filters, sources).aggregate(
        done=Count("pk", filter=Q(done_at__isnull=False)),
        overdue=Count("pk", filter=Q(done_at__isnull=True, due_on__lt=today)),
        waiting=Count("pk", filter=Q(done_at__isnull=True, due_on__gte=today)),
    )
    return shares(
        "follow_ups",
        _("Return visits due in the period"),
        [
            ("good", _("done"), counted["done"], href),
            ("bad", _("overdue"), counted["overdue"], href),
            ("neutral", _("not yet due"), counted["waiting"], href),
        ],
    )


def compliance(figure, href) -> Chart:
    """Resolutions on or before the target date, against late ones (from the rate's counts)."""
    on_time = figure.numerator or 0
    late = (figure.denominator or 0) - on_time
    return shares(
        "compliance",
        _("Target-date compliance of resolutions"),
        [
            ("good", _("on time"), on_time, href),
            ("bad", _("late"), late, href),
        ],
    )


def attendance(filters: Filters, sources: Sources, href) -> Chart:
    """Shifts per month: attended against not attended (1 query)."""
    counted = (
        rows("shifts_due", filters, sources)
        .annotate(month=TruncMonth("date"))
        .values_list("month")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED)),
            missed=Count("pk", filter=~Q(status__in=ATTENDED)),
        )
        .order_by()
    )
    values = {}
    for month, attended, missed in counted:
        values[(month, "attended")] = attended
        values[(month, "missed")] = missed
    months = _months(filters)
    columns = [(m, f"{m:%Y-%m}") for m in months]
    return stacked(
        "attendance",
        _("Attendance per month"),
        columns,
        [("attended", _("attended")), ("missed", _("not attended"))],
        values,
        hrefs=dict.fromkeys(months, href),
    )


def campaign_progress(progresses, href_of) -> Chart:
    """Each campaign's share of targets reached, as horizontal bars."""
    chart = Chart(
        "campaigns", _("Campaign progress"), height=max(40, 28 * len(progresses) + 8), kind="rows"
    )
    chart.empty = not progresses
    bar_left, bar_w = 200, WIDTH - 200 - 60
    for i, item in enumerate(progresses):
        y = 6 + 28 * i
        share = item.reached / item.total if item.total else 0
        title = f"{item.campaign.name}: {item.reached}/{item.total}"
        chart.bars.append(Bar(bar_left, y, bar_w, 18, "track", title, href_of(item.campaign)))
        if share:
            chart.bars.append(
                Bar(bar_left, y, round(bar_w * share, 1), 18, "good", title, href_of(item.campaign))
            )
        chart.labels.append((y + 13, item.campaign.name[:16]))
        chart.ticks.append((y + 13, round(100 * share)))
    return chart


def reach_by_street(key, filters: Filters, sources: Sources, href_of_street) -> Chart:
    """Enterprises or households reached in the period, per street (2 queries)."""
    street_field = "street_id" if key == "enterprises_reached" else "community__street_id"
    counted = dict(
        rows(key, filters, sources).values_list(street_field).annotate(n=Count("pk")).order_by()
    )
    streets = Street.objects.order_by("name")
    if filters.street_id:
        streets = streets.filter(pk=filters.street_id)
    columns = [(street.pk, street.name) for street in streets]
    values = {(pk, "n"): counted.get(pk, 0) for pk, _name in columns}
    title = (
        _("Enterprises reached, by street")
        if key == "enterprises_reached"
        else _("Households reached, by street")
    )
    return stacked(
        f"{key}_by_street",
        title,
        columns,
        [("n", _("reached"))],
        values,
        hrefs={pk: href_of_street(pk) for pk, _name in columns},
    )
