"""The portal's forms: proposals, API keys, webhook endpoints."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.choices import ProposalKind, WebhookEvent
from partners.models import ApiKey, WebhookEndpoint, validate_ip_allowlist
from partners.webhooks import validate_callback_url

# The assistant's fields a partner may propose values for (as the API's proposals).
PROPOSABLE_FIELDS = ["name", "title", "phone", "licence_number"]


class ProposalForm(forms.Form):
    """A new assistant, a change to one, or a withdrawal; only the filled-in values are sent."""

    kind = forms.ChoiceField(label=_("kind"), choices=ProposalKind.choices)
    assistant = forms.ModelChoiceField(
        label=_("assistant"),
        queryset=None,
        required=False,
        help_text=_("For a change or a withdrawal: which of your assistants."),
    )
    name = forms.CharField(label=_("name"), max_length=50, required=False)
    title = forms.CharField(label=_("job title"), max_length=50, required=False)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)
    licence_number = forms.CharField(
        label=_("practising-licence number"), max_length=17, required=False
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, assistants, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the partner's own assistants: another's id is refused as an invalid choice.
        self.fields["assistant"].queryset = assistants

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (ProposalKind.CHANGE, ProposalKind.WITHDRAWAL) and not data.get("assistant"):
            self.add_error("assistant", _("Choose the assistant the proposal is about."))
        if kind == ProposalKind.NEW:
            data["assistant"] = None
            for field in ("name", "phone"):
                if not data.get(field):
                    self.add_error(field, _("A new assistant needs a name and a mobile phone."))
        if kind == ProposalKind.CHANGE and not self.changes():
            raise ValidationError(_("Fill in at least one value to change."))
        return data

    def changes(self) -> dict:
        if self.cleaned_data.get("kind") == ProposalKind.WITHDRAWAL:
            return {}
        return {
            field: self.cleaned_data[field]
            for field in PROPOSABLE_FIELDS
            if self.cleaned_data.get(field)
        }

    def add_proposal_errors(self, error: ValidationError) -> None:
        """The service's objections, on the fields they name where the form has them."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class ApiKeyForm(forms.Form):
    """A new key: what it is for, when it stops working, where it may be used from."""

    name = forms.CharField(
        label=_("name"), max_length=60, help_text=_("What the key is for, e.g. the HR system.")
    )
    expires_on = forms.DateField(
        label=_("expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a key that lasts."),
    )
    allowed_ips = forms.CharField(
        label=_("allowed IP addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_ip_allowlist],
        help_text=_("One address or network (CIDR) per line; empty allows any address."),
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # Two usable keys of one name could not be told apart when one must be revoked; this
        # also turns a form sent twice into one key and a message.
        if (
            ApiKey.objects.for_partner(self.partner)
            .filter(name__iexact=name, revoked_at__isnull=True)
            .exists()
        ):
            raise ValidationError(_("You already have a key of this name."), code="duplicate")
        return name

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate():
            raise ValidationError(_("A new key must expire after today."), code="expired")
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        # The key works through the whole of its last day, in the district's time.
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


class WebhookEndpointForm(forms.ModelForm):
    """Where events are posted and which; HTTPS to a public address."""

    url = forms.URLField(label=_("callback URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "description", "active"]

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        if self.instance.pk is None:
            # A new endpoint is in use; pausing is for later.
            del self.fields["active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        validate_callback_url(url)
        same = WebhookEndpoint.objects.for_partner(self.partner).filter(url=url)
        if same.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("You already have an endpoint for this URL."), code="duplicate")
        return url

    def save(self, commit=True):
        self.instance.partner = self.partner
        return super().save(commit=commit)
