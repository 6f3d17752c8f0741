"""Forms of the steering pages: the dashboard's filters, the report's month, target lists."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistants.choices import Specialty
from cases.models import Case, ServiceItem
from partners.models import Partner
from talentoffice.models import Street
from talentoffice.widgets import ISODateInput

from .figures import Filters, Period

PRESETS = [
    ("", _("chosen dates")),
    ("month", _("this month")),
    ("quarter", _("this quarter")),
    ("year", _("this year")),
]
# Longest period one page aggregates: ten years is plenty and keeps the monthly charts readable.
MAX_DAYS = 3660


class ItemForm(forms.Form):
    """The service item a staff list of cases is narrowed to (every item when none is chosen)."""

    item = forms.ModelChoiceField(
        label=_("service item"),
        queryset=ServiceItem.objects.none(),
        required=False,
        empty_label=_("all service items"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["item"].queryset = (
            ServiceItem.objects.visible_to(user)
            .select_related("category")
            .order_by("category__code", "code")
        )

    @staticmethod
    def path_for(model) -> str | None:
        """How rows of this model reach their service item, or None for rows with no case."""
        if model is Case:
            return "service_item"
        if any(field.name == "case" for field in model._meta.get_fields()):
            return "case__service_item"
        return None

    def chosen(self):
        """The item chosen, or None for every item (an unknown item is a form error)."""
        return self.cleaned_data.get("item") if self.is_valid() else None

    def narrow(self, queryset):
        """The rows of the chosen item only."""
        item = self.chosen()
        path = self.path_for(queryset.model)
        return queryset if item is None or path is None else queryset.filter(**{path: item})


def preset_period(preset: str, today: date) -> Period:
    """This month, quarter or year up to today."""
    if preset == "month":
        return Period(today.replace(day=1), today)
    if preset == "quarter":
        return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    return Period(date(today.year, 1, 1), today)


class FilterForm(forms.Form):
    """The period, street, partner and specialty a dashboard or a list is about."""

    preset = forms.ChoiceField(label=_("period"), choices=PRESETS, required=False)
    start = forms.DateField(label=_("first day"), required=False, widget=ISODateInput())
    end = forms.DateField(label=_("last day"), required=False, widget=ISODateInput())
    street = forms.ModelChoiceField(
        label=_("street"),
        queryset=Street.objects.all(),
        required=False,
        empty_label=_("all streets"),
    )
    partner = forms.ModelChoiceField(
        label=_("partner"),
        queryset=Partner.objects.all(),
        required=False,
        empty_label=_("all partners"),
    )
    specialty = forms.ChoiceField(
        label=_("specialty"),
        required=False,
        choices=[("", _("both specialties")), *Specialty.choices],
    )

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        if user is not None:
            self.fields["partner"].queryset = Partner.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start, end = data.get("start"), data.get("end")
        if data.get("preset") or (start is None and end is None):
            period = preset_period(data.get("preset") or "year", today)
        else:
            start = start or (end.replace(month=1, day=1) if end else today)
            end = end or today
            if end < start:
                raise forms.ValidationError(
                    _("The period ends before it starts: choose an end date on or after %(start)s.")
                    % {"start": start.isoformat()}
                )
            period = Period(start, end)
        if period.days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        data["period"] = period
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            period=data["period"],
            street_id=data["street"].pk if data.get("street") else None,
            partner_id=data["partner"].pk if data.get("partner") else None,
            specialty=data.get("specialty") or None,
        )


class MonthForm(forms.Form):
    """The month of the monthly report."""

    month = forms.RegexField(
        label=_("month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        error_messages={"invalid": _("Write the month as YYYY-MM.")},
    )

    def clean_month(self):
        value = self.cleaned_data.get("month")
        today = timezone.localdate()
        if not value:
            first = today.replace(day=1)
            last_month_end = first.toordinal() - 1
            return date.fromordinal(last_month_end).replace(day=1)
        year, month = (int(part) for part in value.split("-"))
        if not 1 <= month <= 12 or year < 2000:
            raise forms.ValidationError(_("Write the month as YYYY-MM."))
        return date(year, month, 1)


class TargetUploadForm(forms.Form):
    """A spreadsheet with one target per row."""

    file = forms.FileField(label=_("target list (.xlsx or .csv)"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class TargetFilterForm(forms.Form):
    """Pick targets by street (and industry, for enterprises)."""

    street = forms.ModelChoiceField(
        label=_("street"),
        queryset=Street.objects.all(),
        required=False,
        empty_label=_("all streets"),
    )
    industry = forms.CharField(label=_("industry contains"), max_length=50, required=False)
