"""Staff rota pages: the list of rotas with the generate form, a draft's preview with publish
and discard, and the week and month grids of shifts per service point or the whole district.

Every page runs a fixed number of queries whatever the number of shifts: the week grid reads
its shifts in one query with point, assistant and rota joined, the month grid one grouped count
per day and point, and both grids are built in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from talentoffice.workdays import not_official_years

from .forms import GenerateRotaForm, MonthGridForm, WeekGridForm
from .models import Rota, ServicePoint, Shift
from .rota import discard_rota, generate_rota, publish_rota, rota_preview

ROTAS_PER_PAGE = 25


def staff_page(permission):
    """A page for signed-in staff holding the given permission (others get the login or 403)."""

    def decorate(view):
        # staff_member_required first: an anonymous visitor or an assistant is sent to the
        # login page; a staff member without the permission is refused outright.
        return staff_member_required(permission_required(permission, raise_exception=True)(view))

    return decorate


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


# --- rota list, generate, preview, publish, discard -------------------------------------------


@require_GET
@staff_page("assistants.view_rota")
def rota_list(request):
    """The rotas, newest first, with the form that generates a new draft."""
    return _render_rota_list(request, GenerateRotaForm(initial=_next_month_initial()))


@require_POST
@staff_page("assistants.add_rota")
def rota_create(request):
    """Generate a draft rota from the shift templates and show its preview."""
    form = GenerateRotaForm(request.POST)
    if form.is_valid():
        try:
            rota = generate_rota(
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                service_point=form.cleaned_data["service_point"],
                created_by=request.user,
                name=form.cleaned_data["name"] or None,
            )
        except ValidationError as error:
            for message in _messages_of(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Draft rota “%(name)s” generated. Check it, then publish it.") % {"name": rota},
            )
            return redirect("rota:preview", pk=rota.pk)
    return _render_rota_list(request, form, status=400)


def _next_month_initial() -> dict:
    today = timezone.localdate()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {"starts_on": first, "ends_on": last}


def _render_rota_list(request, form, status=200):
    rotas = (
        Rota.objects.select_related("service_point", "created_by", "published_by")
        .annotate(
            shift_count=Count("shifts"),
            open_count=Count(
                "shifts", filter=Q(shifts__assistant__isnull=True, shifts__status="scheduled")
            ),
        )
        .order_by("-starts_on", "-pk")
    )
    page = Paginator(rotas, ROTAS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "rota/rota_list.html",
        {
            "form": form,
            "page": page,
            "rotas": page.object_list,
            # Rotas are made for the coming weeks: this year and the next are the ones to check.
            "not_official": not_official_years(
                today, today.replace(month=12, day=31) + timedelta(days=1)
            ),
        },
        status=status,
    )


@dataclass
class DayOfShifts:
    """One day of a rota's preview: its shifts grouped by service point."""

    day: date
    points: list = field(default_factory=list)  # [(point, [shift, ...]), ...]


def _group_by_day_and_point(shifts) -> list[DayOfShifts]:
    grouped: dict[date, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    points = {}
    for shift in shifts:
        grouped[shift.date][shift.service_point_id].append(shift)
        points[shift.service_point_id] = shift.service_point
    days = []
    for day in sorted(grouped):
        by_point = grouped[day]
        ordered = sorted(by_point, key=lambda pk: (points[pk].name, pk))
        days.append(DayOfShifts(day=day, points=[(points[pk], by_point[pk]) for pk in ordered]))
    return days


@require_GET
@staff_page("assistants.view_rota")
def rota_detail(request, pk):
    """A rota's shifts day by day, its open slots and its fairness table."""
    rota = get_object_or_404(
        Rota.objects.select_related("service_point", "created_by", "published_by"), pk=pk
    )
    preview = rota_preview(rota)
    return render(
        request,
        "rota/rota_preview.html",
        {
            "rota": rota,
            "preview": preview,
            "days": _group_by_day_and_point(preview.shifts),
            "open_shifts": preview.open_shifts,
            "fairness_tables": _fairness_tables(preview),
            "not_official": not_official_years(rota.starts_on, rota.ends_on),
        },
    )


def _fairness_tables(preview) -> list[dict]:
    """The per-assistant and per-partner fairness tables of a preview, ready for the template."""
    return [
        {
            "title": _("Shifts per assistant"),
            "who": _("assistant"),
            "fairness": preview.per_assistant,
            "per_partner": False,
        },
        {
            "title": _("Shifts per partner"),
            "who": _("partner"),
            "fairness": preview.per_partner,
            "per_partner": True,
        },
    ]


@require_POST
@staff_page("assistants.change_rota")
def rota_publish(request, pk):
    """Publish a draft: its shifts become visible to assistants and reminders start."""
    rota = get_object_or_404(Rota, pk=pk)
    try:
        publish_rota(
            rota=rota,
            by=request.user,
            provisional_confirmed=request.POST.get("provisional_confirmed") == "1",
        )
    except ValidationError as error:
        # Publishing twice (two tabs, a double click) changes nothing and says why.
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Rota “%(name)s” published.") % {"name": rota})
    return redirect("rota:preview", pk=rota.pk)


@require_POST
@staff_page("assistants.delete_rota")
def rota_discard(request, pk):
    """Throw a draft away with its shifts, to generate again."""
    rota = get_object_or_404(Rota, pk=pk)
    name = str(rota)
    try:
        discard_rota(rota=rota)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect("rota:preview", pk=rota.pk)
    messages.success(request, _("Draft rota “%(name)s” discarded.") % {"name": name})
    return redirect("rota:list")


# --- week and month grids ---------------------------------------------------------------------


def _grid_shifts(request, *, first_day, last_day, point, drafts):
    """Live shifts on those days, one query with everything a grid cell shows."""
    shifts = Shift.objects.visible_to(request.user).live().filter(date__range=(first_day, last_day))
    if not drafts:
        shifts = shifts.published()
    if point is not None:
        shifts = shifts.filter(service_point=point)
    return shifts


def _grid_query(form, **changes) -> str:
    """The query string of a grid link: the current filter with some values changed."""
    params = {}
    if form.cleaned_data.get("point"):
        params["point"] = form.cleaned_data["point"].pk
    if form.cleaned_data.get("drafts"):
        params["drafts"] = "on"
    params.update(changes)
    return "?" + urlencode(params)


def _row_points(point, shifts, user):
    """The grid's rows: the one point asked for, or every point in use plus any with shifts."""
    if point is not None:
        return [point]
    # The points the user may see: a street coordinator's grid is their street (docs/roles.md).
    points = ServicePoint.objects.visible_to(user).active().select_related("street")
    rows = {p.pk: p for p in points}
    for shift in shifts:
        rows.setdefault(shift.service_point_id, shift.service_point)
    return sorted(rows.values(), key=lambda p: (p.street.name, p.name, p.pk))


@require_GET
@staff_page("assistants.view_shift")
def week_grid(request):
    """A week of shifts: a row per service point, a column per day, gaps marked."""
    form = WeekGridForm(request.GET)
    if not form.is_valid():
        return render(request, "rota/week.html", {"form": form}, status=400)
    today = timezone.localdate()
    start = form.cleaned_data["start"] or today - timedelta(days=today.weekday())
    days = [start + timedelta(days=n) for n in range(7)]
    point = form.cleaned_data["point"]
    shifts = list(
        _grid_shifts(
            request,
            first_day=days[0],
            last_day=days[-1],
            point=point,
            drafts=form.cleaned_data["drafts"],
        )
        .select_related("service_point__street", "assistant__partner", "rota")
        .order_by("starts_at", "specialty", "pk")
    )
    cells = defaultdict(list)
    for shift in shifts:
        cells[(shift.service_point_id, shift.date)].append(shift)
    rows = [
        {
            "point": row_point,
            "cells": [
                {"day": day, "shifts": cells[(row_point.pk, day)], "today": day == today}
                for day in days
            ],
        }
        for row_point in _row_points(point, shifts, request.user)
    ]
    gaps = sum(1 for shift in shifts if shift.is_open)
    return render(
        request,
        "rota/week.html",
        {
            "form": form,
            "point": point,
            "days": days,
            "today": today,
            "rows": rows,
            "shift_count": len(shifts),
            "gap_count": gaps,
            "previous_query": _grid_query(form, start=(start - timedelta(days=7)).isoformat()),
            "next_query": _grid_query(form, start=(start + timedelta(days=7)).isoformat()),
            "this_week_query": _grid_query(form),
            "month_query": _grid_query(form, month=start.strftime("%Y-%m")),
        },
    )


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@require_GET
@staff_page("assistants.view_shift")
def month_grid(request):
    """A month as a calendar: per day the number of shifts and of gaps, and where the gaps are."""
    form = MonthGridForm(request.GET)
    if not form.is_valid():
        return render(request, "rota/month.html", {"form": form}, status=400)
    today = timezone.localdate()
    first = form.cleaned_data["month"] or today.replace(day=1)
    last = _add_months(first, 1) - timedelta(days=1)
    point = form.cleaned_data["point"]
    # One grouped query: a whole district's month is thousands of shifts, but at most
    # days × points rows come back.
    counts = (
        _grid_shifts(
            request,
            first_day=first,
            last_day=last,
            point=point,
            drafts=form.cleaned_data["drafts"],
        )
        .order_by()
        .values("date", "service_point_id")
        .annotate(
            total=Count("pk"),
            gaps=Count("pk", filter=Q(assistant__isnull=True, status="scheduled")),
        )
    )
    per_day = defaultdict(lambda: {"total": 0, "gaps": 0, "gap_points": []})
    gap_point_ids = set()
    for row in counts:
        cell = per_day[row["date"]]
        cell["total"] += row["total"]
        cell["gaps"] += row["gaps"]
        if row["gaps"]:
            cell["gap_points"].append((row["service_point_id"], row["gaps"]))
            gap_point_ids.add(row["service_point_id"])
    if point is not None:
        points = {point.pk: point}
    else:
        points = ServicePoint.objects.in_bulk(gap_point_ids) if gap_point_ids else {}
    weeks = []
    day = first - timedelta(days=first.weekday())
    while day <= last:
        week = {"start": day, "query": _grid_query(form, start=day.isoformat()), "days": []}
        for _n in range(7):
            cell = per_day.get(day, {"total": 0, "gaps": 0, "gap_points": []})
            week["days"].append(
                {
                    "day": day,
                    "in_month": day.month == first.month,
                    "today": day == today,
                    "total": cell["total"],
                    "gaps": cell["gaps"],
                    "gap_points": sorted(
                        ((points[pk], n) for pk, n in cell["gap_points"]),
                        key=lambda item: (item[0].name, item[0].pk),
                    ),
                }
            )
            day += timedelta(days=1)
        weeks.append(week)
    in_month = [cell for week in weeks for cell in week["days"] if cell["in_month"]]
    return render(
        request,
        "rota/month.html",
        {
            "form": form,
            "point": point,
            "month": first,
            "today": today,
            "weeks": weeks,
            "shift_count": sum(cell["total"] for cell in in_month),
            "gap_count": sum(cell["gaps"] for cell in in_month),
            "previous_query": _grid_query(form, month=_add_months(first, -1).strftime("%Y-%m")),
            "next_query": _grid_query(form, month=_add_months(first, 1).strftime("%Y-%m")),
            "this_month_query": _grid_query(form),
        },
    )
