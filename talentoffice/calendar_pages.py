"""The staff page that makes a year official: enter or paste the State Council's holiday notice,
preview the days it gives, and save it in one step."""

from datetime import date
from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import HolidayNotice
from .workdays import (
    LIBRARY_YEARS,
    NoticeError,
    notice_errors,
    parse_notice_lines,
    parse_notice_text,
    year_states,
)


class NoticeForm(forms.Form):
    """A year's notice as pasted text, as dates one per line, or both (the lines win)."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    text = forms.CharField(
        label=_("notice text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_(
            "Paste the numbered items of the notice: “一、元旦：1月1日（周五）放假，共1天。…”"
        ),
    )
    holidays = forms.CharField(
        label=_("days off"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7, "cols": 40}),
        help_text=_("One holiday range a line: “2026-02-15..2026-02-23 春节”."),
    )
    workdays = forms.CharField(
        label=_("make-up workdays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 40}),
        help_text=_("One make-up workday a line: “2026-02-14 春节”."),
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year in LIBRARY_YEARS:
            # The published calendar already carries this year's notice; single days are
            # changed as calendar days, which win over every notice.
            raise ValidationError(
                _(
                    "%(year)s is already official from the published calendar. Change single "
                    "days under Calendar days in the administration."
                ),
                code="notice_year_published",
                params={"year": year},
            )
        return year

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is None:
            return cleaned
        days_off, make_up = {}, {}
        try:
            if cleaned.get("text", "").strip():
                days_off, make_up = parse_notice_text(cleaned["text"], year)
            days_off.update(parse_notice_lines(cleaned.get("holidays", "")))
            make_up.update(parse_notice_lines(cleaned.get("workdays", "")))
        except NoticeError as error:
            raise ValidationError(error.error_list) from None
        errors = notice_errors(year, days_off, make_up)
        if errors:
            raise ValidationError(errors)
        cleaned["days_off"] = dict(sorted(days_off.items()))
        cleaned["make_up"] = dict(sorted(make_up.items()))
        return cleaned


def _ranges(days: dict[str, str]) -> list[dict]:
    """Consecutive days of one holiday as one row: the preview reads like the notice."""
    rows = []
    for name, group in groupby(
        sorted(days.items(), key=lambda item: item[0]), key=lambda item: item[1]
    ):
        dates = [date.fromisoformat(iso) for iso, _name in group]
        start = dates[0]
        previous = start
        for day in [*dates[1:], None]:
            if day is None or (day - previous).days != 1:
                rows.append(
                    {
                        "name": name,
                        "first": start,
                        "last": previous,
                        "days": (previous - start).days + 1,
                    }
                )
                start = day
            previous = day
    return rows


@staff_member_required
@permission_required("talentoffice.add_holidaynotice", raise_exception=True)
def calendar_notice(request):
    """The years' states, and the form that enters a notice with its preview."""
    today = timezone.localdate()
    preview = None
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if "save" in request.POST:
                with transaction.atomic():
                    notice, _created = HolidayNotice.objects.update_or_create(
                        year=data["year"],
                        defaults={
                            "holidays": data["days_off"],
                            "workdays": data["make_up"],
                            "text": data["text"],
                            "entered_by": request.user,
                        },
                    )
                    notice.full_clean()
                messages.success(
                    request,
                    _(
                        "%(year)s is now official: its holidays and make-up workdays are "
                        "those of the notice."
                    )
                    % {"year": notice.year},
                )
                return redirect("calendar_notice")
            preview = {
                "year": data["year"],
                "holidays": _ranges(data["days_off"]),
                "workdays": [date.fromisoformat(iso) for iso in data["make_up"]],
                "workday_names": data["make_up"],
            }
        status = 200 if form.is_valid() else 400
    else:
        year = request.GET.get("year", "")
        form = NoticeForm(initial={"year": int(year) if year.isdigit() else today.year + 1})
        status = 200
    years = range(today.year - 1, today.year + 3)
    notices = {
        notice.year: notice
        for notice in HolidayNotice.objects.filter(year__in=years).select_related("entered_by")
    }
    states = [
        {
            "year": year,
            "state": state,
            "notice": notices.get(year),
            "library": year in LIBRARY_YEARS,
        }
        for year, state in year_states(years).items()
    ]
    return render(
        request,
        "staff/calendar_notice.html",
        {"form": form, "preview": preview, "states": states},
        status=status,
    )
