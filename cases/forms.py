"""The public QR form a resident fills in on their phone at a service point."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from talentoffice.models import Community
from talentoffice.validators import normalize_phone, validate_phone

from .models import ServiceItem

DESCRIPTION_MAX_LENGTH = 1000
HONEYPOT_FIELD = "remark"


class PublicRequestForm(forms.Form):
    """Name, phone, optional community, what the problem is, and which service it concerns.

    The service is one select: an item of the checklist, or "not sure" under a category for a
    resident who knows only roughly what they need (staff then check the item).
    """

    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We call this number back about your request."),
    )
    community = forms.ModelChoiceField(
        label=_("Your community"),
        queryset=Community.objects.select_related("street").order_by("street__name", "name"),
        required=False,
        empty_label=_("Not sure / not in this district"),
        error_messages={"invalid_choice": _("There is no such community.")},
    )
    service = forms.ChoiceField(
        label=_("What do you need help with?"),
        error_messages={"invalid_choice": _("Choose a service from the list.")},
    )
    description = forms.CharField(
        label=_("Describe your problem briefly"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # Hidden from people by the page's CSS; a bot that fills every field fills this one too.
    # Its name is one that browsers' autofill leaves alone, so a person never trips it.
    remark = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, service_point=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = list(ServiceItem.objects.active().select_related("category"))
        self.items_by_id = {item.pk: item for item in items}
        self.first_item_of_category = {}
        groups = {}
        for item in items:  # already in checklist order: category, then item
            category = item.category
            self.first_item_of_category.setdefault(category.pk, item)
            if category.pk not in groups:
                groups[category.pk] = (
                    category.name,
                    [
                        (
                            f"category:{category.pk}",
                            _("Not sure, something about “%(category)s”")
                            % {"category": category.name},
                        )
                    ],
                )
            groups[category.pk][1].append((f"item:{item.pk}", item.name))
        self.fields["service"].choices = [("", _("Please choose")), *groups.values()]
        if service_point is not None and service_point.community_id:
            self.fields["community"].initial = service_point.community_id

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data["phone"])
        validate_phone(phone)
        return phone

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise ValidationError(_("Describe your problem briefly."), code="required")
        return description

    def clean_service(self):
        """Turn the chosen option into (item, category_only)."""
        kind, _sep, pk = self.cleaned_data["service"].partition(":")
        if kind == "item":
            return self.items_by_id[int(pk)], False
        # A category stands for its first item in checklist order until staff pick the right one.
        return self.first_item_of_category[int(pk)], True

    def clean(self):
        cleaned = super().clean()
        if self.data.get(HONEYPOT_FIELD):
            raise ValidationError(
                _("Your request could not be sent. Please try again or ask at the service point."),
                code="honeypot",
            )
        return cleaned
