"""What the case admin pages share: links, masked requesters, state labels, step forms."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse

from assistants.models import Assistant
from talentoffice.masking import mask_name, mask_phone

from ..choices import CaseState
from ..models import Case

OPEN_STATES = (CaseState.NEW, CaseState.ASSIGNED, CaseState.IN_PROGRESS)


def admin_change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def masked_requester(case):
    """The requester as lists show it: a resident's name and phone masked, an enterprise's name."""
    if case.resident_id is not None:
        resident = case.resident
        return f"{mask_name(resident.name)} {mask_phone(resident.phone)}"
    if case.enterprise_id is not None:
        return case.enterprise.name
    return "—"


def state_label(value):
    return CaseState(value).label if value in CaseState.values else (value or "")


class WorkflowForm(forms.Form):
    """A form for one workflow step; autocomplete widgets need the admin site."""

    def __init__(self, *args, admin_site, **kwargs):
        self.admin_site = admin_site
        super().__init__(*args, **kwargs)


def lead_field(admin_site, label):
    return forms.ModelChoiceField(
        label=label,
        queryset=Assistant.objects.all(),
        widget=AutocompleteSelect(Case._meta.get_field("lead"), admin_site),
    )
