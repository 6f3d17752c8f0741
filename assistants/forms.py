"""Forms of the staff rota pages: generating a rota, and the week and month grid filters."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from talentoffice.validators import validate_programme_date
from talentoffice.widgets import ISODateInput

from .models import ServicePoint, Shift

# The grids page backwards and forwards a week or a month at a time; a year far outside the
# programme's life is a typo (and date.min/date.max would overflow the previous/next links).
FIRST_YEAR = 2000
LAST_YEAR = 2100


def _check_year(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class ServicePointChoiceField(forms.ModelChoiceField):
    """A service point by id; unknown or malformed ids are a form error, never a crash."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ServicePoint.objects.order_by("street__name", "name"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("service point"))
        kwargs.setdefault("empty_label", _("Whole district"))
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("There is no such service point.")},
        )
        super().__init__(**kwargs)


class GenerateRotaForm(forms.Form):
    """The period (and optionally the one service point) a new draft rota covers.

    The period's own rules (in order, at most a quarter) live in assistants.rota.generate_rota;
    the view shows its RotaError on this form, so they are written once.
    """

    starts_on = forms.DateField(label=_("first day"), widget=ISODateInput())
    ends_on = forms.DateField(label=_("last day"), widget=ISODateInput())
    service_point = ServicePointChoiceField(
        queryset=ServicePoint.objects.active().order_by("street__name", "name")
    )
    name = forms.CharField(
        label=_("name"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to name the rota after its period."),
    )

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        _check_year(day)
        # Duty is planned at most a year ahead; the core rule says so for every shift.
        validate_programme_date(day)
        return day

    def clean_ends_on(self):
        day = self.cleaned_data["ends_on"]
        _check_year(day)
        validate_programme_date(day)
        return day


class ShiftAdminForm(forms.ModelForm):
    """The admin's shift form: a shift's day and times within the programme's years."""

    class Meta:
        model = Shift
        # The admin names the fields it shows; these are the ones checked here.
        fields = ["date", "starts_at", "ends_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A shift in year 0001 or 2999 is a typo; it would also break the week and month grids.
        for name in ("date", "starts_at", "ends_at"):
            if name in self.fields:
                self.fields[name].validators.append(validate_programme_date)


class GridForm(forms.Form):
    """What both grids share: one service point or the whole district, drafts shown or not."""

    point = ServicePointChoiceField()
    drafts = forms.BooleanField(label=_("include draft rotas"), required=False)


class WeekGridForm(GridForm):
    """The week grid's filter: any day of the week wanted (the grid starts on its Monday)."""

    start = forms.DateField(
        label=_("week of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=ISODateInput(),
        error_messages={"invalid": _("Give the date as YYYY-MM-DD.")},
    )
    field_order = ["start", "point", "drafts"]

    def clean_start(self):
        day = self.cleaned_data["start"]
        if day is None:
            return None
        _check_year(day)
        # Weeks run Monday to Sunday as on the district's printed rota.
        return day - timedelta(days=day.weekday())


class MonthGridForm(GridForm):
    """The month grid's filter: a month as YYYY-MM."""

    month = forms.DateField(
        label=_("month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )
    field_order = ["month", "point", "drafts"]

    def clean_month(self):
        day = self.cleaned_data["month"]
        if day is None:
            return None
        _check_year(day)
        return day.replace(day=1)
