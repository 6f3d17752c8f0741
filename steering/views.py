"""Staff pages: the dashboard, the lists behind its figures, the monthly report, campaigns and
partner scorecards, each with its Excel export.

Every page reads through the viewer's scoped querysets (`visible_to`), so a street coordinator
sees only their street; every page runs a fixed number of queries whatever the data size
(tests/steering/test_dashboard.py pins them).
"""

from calendar import monthrange
from datetime import date
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import ServiceCategory
from talentoffice.masking import mask_name, mask_phone
from talentoffice.workdays import calendar_warnings

from . import campaigns as campaign_service
from .dashboard import dashboard_data
from .exports import XlsxWriter, table_rows
from .figures import (
    HEADLINE_ORDER,
    LABELS,
    RATE_ORDER,
    ROW_KEYS,
    Filters,
    Period,
    Sources,
    compute_figures,
    query_string,
    rows,
)
from .forms import FilterForm, ItemForm, MonthForm, TargetFilterForm, TargetUploadForm
from .items import by_item
from .models import Campaign
from .scorecards import MEASURES, current_chairs, scorecards
from .tables import TABLES

PER_PAGE = 50


def staff_page(permission=None):
    """A page for signed-in staff (holding the permission, when one is named)."""

    def decorate(view):
        if permission:
            view = permission_required(permission, raise_exception=True)(view)
        return staff_member_required(view)

    return decorate


def _query(filters: Filters, **extra) -> str:
    return query_string(filters, **extra)


def _bound_form(request):
    data = request.GET.copy()
    if not any(data.get(name) for name in ("preset", "start", "end")):
        data["preset"] = "year"
    return FilterForm(data, user=request.user)


# --- dashboard ---------------------------------------------------------------------------


@require_GET
@staff_page()
def dashboard(request):
    """Headline figures of a period against the previous one, charts, and campaign progress."""
    form = _bound_form(request)
    context = {
        "form": form,
        "ok": form.is_valid(),
        # Rotas and deadlines reach into next year before its notice is entered: say so early.
        "calendar_warnings": calendar_warnings(timezone.localdate()),
    }
    if context["ok"]:
        filters = form.filters()
        data = dashboard_data(filters, request.user, fresh=bool(request.GET.get("fresh")))
        figures = data.figures

        def list_url(key):
            return reverse("steering:figure_list", args=[key]) + "?" + _query(filters)

        context.update(
            filters=filters,
            query=_query(filters),
            previous=filters.period.previous(),
            headline=[(figures[key], list_url(figures[key].list_key)) for key in HEADLINE_ORDER],
            rates=[(figures[key], list_url(figures[key].list_key)) for key in RATE_ORDER],
            nothing=not any(figures[key].value for key in HEADLINE_ORDER),
            charts=data.charts,
            items=data.items,
            beneficiaries=beneficiaries(figures),
            computed_at=data.computed_at,
            from_snapshot=data.from_snapshot,
        )
    return render(request, "steering/dashboard.html", context)


@require_GET
@staff_page()
def figure_list(request, key):
    """The rows behind one figure, with the dashboard's filters, a page at a time."""
    if key not in ROW_KEYS:
        raise Http404
    form = _bound_form(request)
    context = {
        "form": form,
        "key": key,
        "title": LABELS[key],
        "page": None,
        "query": "",
        "item_form": None,
        "keep": [],
    }
    if form.is_valid():
        filters = form.filters()
        table = TABLES[key]
        queryset = rows(key, filters, Sources(request.user)).select_related(*table.related)
        if ItemForm.path_for(queryset.model) is not None:
            item_form = ItemForm(request.GET, user=request.user)
            queryset = item_form.narrow(queryset)
            item = item_form.chosen()
            context.update(item_form=item_form, keep=parse_qsl(_query(filters)))
        else:
            item = None
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            filters=filters,
            query=_query(filters) + (f"&item={item.pk}" if item else ""),
            columns=table.columns,
            page=page,
            lines=[(table.link(row), table.cells(row)) for row in page.object_list],
        )
    return render(request, "steering/figure_list.html", context)


@require_GET
@staff_page()
def figure_export(request, key):
    """The rows behind one figure as an Excel workbook, every row, written as it is read."""
    if key not in ROW_KEYS:
        raise Http404
    form = _bound_form(request)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Check the filters."))
        return redirect(reverse("steering:figure_list", args=[key]) + "?" + request.GET.urlencode())
    filters = form.filters()
    table = TABLES[key]
    writer = XlsxWriter()
    sheet = writer.sheet(LABELS[key], table.columns)
    for cells in table_rows(rows(key, filters, Sources(request.user)), table):
        writer.append(sheet, cells)
    period = filters.period
    return writer.response(f"{key}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")


# --- monthly report ------------------------------------------------------------------------


def _report_data(request):
    month_form = MonthForm(request.GET)
    if not month_form.is_valid():
        return month_form, None, None
    first = month_form.cleaned_data["month"]
    last = date(first.year, first.month, monthrange(first.year, first.month)[1])
    data = request.GET.copy()
    data.pop("preset", None)
    data["start"], data["end"] = first.isoformat(), last.isoformat()
    form = FilterForm(data, user=request.user)
    if not form.is_valid():
        return month_form, form, None
    filters = form.filters()
    sources = Sources(request.user)
    figures = compute_figures(filters, sources)
    by_category = dict(
        rows("cases_opened", filters, sources)
        .values_list("service_item__category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    resolved = dict(
        rows("cases_resolved", filters, sources)
        .values_list("service_item__category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    categories = [
        (category.name, by_category.get(category.pk, 0), resolved.get(category.pk, 0))
        for category in ServiceCategory.objects.all()
    ]
    return (
        month_form,
        form,
        {
            "filters": filters,
            "figures": figures,
            "categories": categories,
            "items": by_item(filters, sources),
            "month": first,
        },
    )


@require_GET
@staff_page()
def monthly_report(request):
    """A month's figures on one printable page (the stylesheet has a print part)."""
    month_form, form, report = _report_data(request)
    context = {"month_form": month_form, "form": form, "report": report}
    if report:
        figures = report["figures"]
        context.update(
            query=_query(report["filters"]),
            export_query=urlencode({**request.GET.dict(), "month": f"{report['month']:%Y-%m}"}),
            headline=[figures[key] for key in HEADLINE_ORDER],
            rates=[figures[key] for key in RATE_ORDER],
            beneficiaries=beneficiaries(figures),
        )
    return render(request, "steering/report.html", context)


def beneficiaries(figures) -> dict:
    """People served in the month: one total, and the cases' and the activities' parts."""
    cases = figures["beneficiaries"].value or 0
    activities = figures["activity_beneficiaries"].value or 0
    return {"total": cases + activities, "cases": cases, "activities": activities}


@require_GET
@staff_page()
def monthly_report_export(request):
    """The monthly report as an Excel workbook: figures, and cases by category."""
    _month_form, _form, report = _report_data(request)
    if not report:
        messages.error(request, _("Choose a valid month and filters."))
        return redirect("steering:report")
    figures = report["figures"]
    writer = XlsxWriter()
    sheet = writer.sheet(_("Figures"), [_("figure"), _("this month"), _("previous month")])
    for key in HEADLINE_ORDER + RATE_ORDER:
        figure = figures[key]
        writer.append(sheet, [str(figure.label), _cell(figure.value), _cell(figure.previous)])
    sheet = writer.sheet(_("Cases by category"), [_("category"), _("opened"), _("resolved")])
    for name, opened, resolved in report["categories"]:
        writer.append(sheet, [name, opened, resolved])
    sheet = writer.sheet(
        _("Cases by service item"),
        [
            _("category"),
            _("service item"),
            _("target days"),
            _("opened"),
            _("resolved"),
            _("on time"),
        ],
    )
    for line in report["items"]:
        writer.append(
            sheet,
            [
                line.category,
                line.name,
                line.target_days,
                line.opened,
                line.resolved,
                _cell(line.on_time_rate),
            ],
        )
    return writer.response(f"report_{report['month']:%Y-%m}.xlsx")


def _cell(value):
    return "" if value is None else value


# --- campaigns -----------------------------------------------------------------------------


@require_GET
@staff_page("steering.view_campaign")
def campaign_list(request):
    """Every campaign with its progress."""
    campaigns = list(Campaign.objects.visible_to(request.user).order_by("-starts_on", "name"))
    page = Paginator(campaigns, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "steering/campaign_list.html",
        {"page": page, "progresses": campaign_service.summaries(page.object_list)},
    )


def _campaign_context(request, campaign, **extra):
    progress = campaign_service.progress(campaign)
    unreached = campaign_service.targets_with_reach(campaign).filter(reached=False)
    unreached = unreached.select_related("enterprise__street", "resident__community", "community")
    page = Paginator(unreached.order_by("pk"), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign,
        "progress": progress,
        "unreached": page,
        "unreached_rows": [_target_cells(target) for target in page.object_list],
        "upload_form": TargetUploadForm(),
        "filter_form": TargetFilterForm(),
    }
    context.update(extra)
    return context


def _target_cells(target):
    if target.enterprise_id:
        e = target.enterprise
        return [e.name, e.credit_code, e.street.name]
    if target.resident_id:
        r = target.resident
        return [mask_name(r.name), mask_phone(r.phone), str(r.community or "")]
    return [target.community.name, "", target.community.street.name]


@require_GET
@staff_page("steering.view_campaign")
def campaign_detail(request, pk):
    """A campaign's progress by street, partner and assistant, and the targets not yet reached."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    return render(request, "steering/campaign.html", _campaign_context(request, campaign))


@require_POST
@staff_page("steering.change_campaign")
def campaign_upload(request, pk):
    """Add targets from a spreadsheet; nothing is added unless every row is good."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    form = TargetUploadForm(request.POST, request.FILES)
    errors, problem = [], ""
    if form.is_valid():
        try:
            table = campaign_service.read_rows(form.cleaned_data["file"])
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            result = campaign_service.match_targets(campaign, table)
            if result.ok:
                added = campaign_service.add_targets(campaign=campaign, ids=result.matched)
                messages.success(
                    request,
                    _("%(added)s targets added (%(duplicates)s already on the list).")
                    % {"added": added, "duplicates": result.duplicates},
                )
                return redirect("steering:campaign", pk=campaign.pk)
            if not result.errors:
                messages.info(request, _("Every target in the file is already on the list."))
                return redirect("steering:campaign", pk=campaign.pk)
            errors = result.errors
            problem = _("Nothing was added: correct the rows below and upload the file again.")
    context = _campaign_context(
        request, campaign, upload_form=form, upload_errors=errors, upload_problem=problem
    )
    return render(request, "steering/campaign.html", context, status=400)


@require_POST
@staff_page("steering.change_campaign")
def campaign_pick(request, pk):
    """Add every enterprise, household or community of a street (and industry) as targets."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    form = TargetFilterForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "steering/campaign.html",
            _campaign_context(request, campaign, filter_form=form),
            status=400,
        )
    ids = campaign_service.ids_by_filter(
        campaign, street=form.cleaned_data["street"], industry=form.cleaned_data["industry"]
    )
    if not ids:
        messages.warning(request, _("No record matches these filters; nothing was added."))
    else:
        added = campaign_service.add_targets(campaign=campaign, ids=ids)
        messages.success(request, _("%(added)s targets added.") % {"added": added})
    return redirect("steering:campaign", pk=campaign.pk)


@require_GET
@staff_page("steering.view_campaign")
def campaign_export(request, pk):
    """Every target of the campaign with whether it is reached, as an Excel workbook."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    writer = XlsxWriter()
    sheet = writer.sheet(
        campaign.name, [_("campaign target"), _("identifier"), _("street"), _("reached")]
    )
    targets = (
        campaign_service.targets_with_reach(campaign)
        .select_related("enterprise__street", "resident__community__street", "community__street")
        .order_by("pk")
    )
    for target in targets.iterator(chunk_size=2000):
        writer.append(sheet, [*_target_cells(target), _("yes") if target.reached else _("no")])
    return writer.response(f"campaign_{campaign.pk}.xlsx")


# --- scorecards ----------------------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


# The list behind each scorecard measure (shifts: those due, of which the attended ones count;
# enterprises: those reached, of which the visited ones count).
SCORECARD_LISTS = {
    "shifts": "shifts_due",
    "enterprises": "enterprises_reached",
    "cases": "cases_resolved",
    "activities": "activities_held",
}


@require_GET
@staff_page("steering.view_partnertarget")
def scorecard_list(request):
    """Partners ranked by their score for a year, with the formula and the alliances' chairs."""
    year = _year(request)
    today = timezone.localdate()
    cards = scorecards(year, today=today)
    # Each actual opens the list behind it: the partner's rows of the year.
    year_period = Period(date(year, 1, 1), date(year, 12, 31))
    for card in cards:
        filters = Filters(year_period, partner_id=card.partner.pk)
        for line in card.lines:
            line.href = (
                reverse("steering:figure_list", args=[SCORECARD_LISTS[line.key]])
                + "?"
                + _query(filters)
            )
    return render(
        request,
        "steering/scorecards.html",
        {
            "year": year,
            "cards": cards,
            "measures": MEASURES,
            "chairs": current_chairs(today),
            "behind": [card for card in cards if card.behind],
        },
    )


@require_GET
@staff_page("steering.view_partnertarget")
def scorecard_export(request):
    """The ranking as an Excel workbook, one row per partner with every measure."""
    year = _year(request)
    cards = scorecards(year, today=timezone.localdate())
    header = [_("rank"), _("partner"), _("score")]
    for _key, label in MEASURES:
        target, actual = _("target value"), _("actual value")
        header += [f"{label} · {target}", f"{label} · {actual}"]
    header.append(_("behind"))
    writer = XlsxWriter()
    sheet = writer.sheet(str(year), header)
    for card in cards:
        cells = [card.rank, card.partner.short_name, _cell(card.score)]
        for line in card.lines:
            cells += [line.target, line.actual]
        cells.append(_("yes") if card.behind else _("no"))
        writer.append(sheet, cells)
    return writer.response(f"scorecards_{year}.xlsx")
