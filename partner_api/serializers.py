"""What the partner API reads and writes: explicit fields, residents' personal data masked.

Every field has an English description (an English msgid); the schema adds its Chinese
translation beside it (partner_api.schema.bilingual_descriptions). Serializers refuse fields
they do not know, so a typo in a client is an error rather than a silently ignored value.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assistants.models import Assistant, ServicePoint, Shift
from cases.choices import VisitKind
from cases.models import Case, Visit
from partners.choices import ProposalKind, WebhookEvent
from partners.models import (
    Agreement,
    AssistantProposal,
    Partner,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from partners.webhooks import validate_callback_url
from talentoffice.masking import mask_name, mask_phone, scrub
from talentoffice.validators import validate_programme_date

# Descriptions of fields that several resources share, by field name.
HELP = {
    "id": _("Identifier of this object."),
    "created_at": _("When this was recorded (ISO 8601, UTC offset included)."),
    "updated_at": _("When this last changed."),
    "name": _("Name."),
    "specialty": _("Specialty: finance or legal."),
    "status": _("Current status."),
    "assistant": _("Identifier of the assistant concerned; always one of the partner's own."),
    "service_point": _("Identifier of the service point."),
    "service_point_name": _("Name of the service point."),
    "case": _("Identifier of the case."),
    "phone": _("Mobile phone number."),
    "title": _("Job title."),
    "note": _("Free note."),
}


# Masked names and phones are null where the requester is an enterprise.
NULLABLE_STRING = serializers.CharField(allow_null=True)


class StrictSerializerMixin:
    """Refuse unknown fields and fill in the shared descriptions."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.help_text and name in HELP:
                field.help_text = HELP[name]
        return fields

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - {n for n, f in self.fields.items() if not f.read_only})
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field is not known or cannot be written.")] for name in unknown}
                )
        return super().to_internal_value(data)


class PartnerSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name", "short_name", "sector", "kind", "credit_code", "address", "status"]
        extra_kwargs = {
            "name": {"help_text": _("Full registered name of the institution.")},
            "short_name": {"help_text": _("Short name used in the programme.")},
            "sector": {"help_text": _("Sector: finance or legal.")},
            "kind": {"help_text": _("Kind of institution: bank, insurer, law firm...")},
            "credit_code": {"help_text": _("Unified social credit code (18 characters).")},
            "address": {"help_text": _("Registered address.")},
            "status": {"help_text": _("active, or suspended by the district.")},
        }


class AgreementSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "title", "signed_on", "starts_on", "ends_on", "scope"]
        extra_kwargs = {
            "title": {"help_text": _("Title of the cooperation agreement.")},
            "signed_on": {"help_text": _("Date the agreement was signed.")},
            "starts_on": {"help_text": _("First day the agreement is in force.")},
            "ends_on": {"help_text": _("Last day in force; empty while open-ended.")},
            "scope": {"help_text": _("What the partner undertakes to provide.")},
        }


class AssistantSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    skills = serializers.SlugRelatedField(
        slug_field="name",
        many=True,
        read_only=True,
        help_text=_("Skill tags, e.g. expropriation, equity, lease disputes."),
    )

    class Meta:
        model = Assistant
        fields = [
            "id",
            "name",
            "specialty",
            "title",
            "phone",
            "licence_number",
            "party_member",
            "max_shifts_per_week",
            "status",
            "skills",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": _("The assistant's full name.")},
            "party_member": {"help_text": _("Whether the assistant is a party member.")},
            "status": {"help_text": _("active, on_leave or withdrawn.")},
        }


# The assistant fields a partner may propose values for.
PROPOSABLE_FIELDS = ["name", "title", "phone", "licence_number", "party_member"]


class ProposedValuesSerializer(StrictSerializerMixin, serializers.Serializer):
    name = serializers.CharField(
        max_length=50, required=False, help_text=_("The assistant's full name.")
    )
    title = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("Job title.")
    )
    phone = serializers.CharField(
        max_length=11, required=False, help_text=_("Mainland mobile number, 11 digits.")
    )
    licence_number = serializers.CharField(
        max_length=17,
        required=False,
        allow_blank=True,
        help_text=_("Lawyers only: the 17-digit number on the practising licence."),
    )
    party_member = serializers.BooleanField(
        required=False, help_text=_("Whether the assistant is a party member.")
    )


class AssistantProposalSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    assistant = serializers.PrimaryKeyRelatedField(
        queryset=Assistant.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("The assistant to change or withdraw; empty for a new assistant."),
    )
    changes = ProposedValuesSerializer(
        required=False,
        help_text=_("The values to set: for a new assistant name and phone at least."),
    )

    class Meta:
        model = AssistantProposal
        fields = [
            "id",
            "kind",
            "assistant",
            "changes",
            "note",
            "status",
            "decision_reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["id", "status", "decision_reason", "decided_at", "created_at"]
        # One pending proposal per assistant is checked by assistants.proposals.propose (409);
        # DRF's generated validator for that constraint would make `assistant` required.
        validators = []
        extra_kwargs = {
            "kind": {"help_text": _("new, change or withdrawal.")},
            "note": {"help_text": _("Why, for the district's staff.")},
            "status": {"help_text": _("pending, approved, rejected or cancelled.")},
            "decision_reason": {"help_text": _("What staff said when deciding.")},
            "decided_at": {"help_text": _("When staff decided.")},
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["assistant"].queryset = Assistant.objects.visible_to(request.user)
        return fields

    def validate(self, attrs):
        kind = attrs.get("kind")
        assistant = attrs.get("assistant")
        changes = attrs.get("changes") or {}
        if kind == ProposalKind.NEW:
            if assistant is not None:
                raise serializers.ValidationError(
                    {"assistant": _("A new assistant is proposed without an assistant.")}
                )
            missing = [name for name in ("name", "phone") if not changes.get(name)]
            if missing:
                raise serializers.ValidationError(
                    {f"changes.{name}": _("This field is required.") for name in missing}
                )
        else:
            if assistant is None:
                raise serializers.ValidationError(
                    {"assistant": _("Name the assistant this proposal is about.")}
                )
            if kind == ProposalKind.CHANGE and not changes:
                raise serializers.ValidationError(
                    {"changes": _("Give at least one value to change.")}
                )
            if kind == ProposalKind.WITHDRAWAL and changes:
                raise serializers.ValidationError(
                    {"changes": _("A withdrawal proposes no values.")}
                )
        return attrs


class ShiftSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    service_point_name = serializers.CharField(source="service_point.name", read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "date",
            "starts_at",
            "ends_at",
            "service_point",
            "service_point_name",
            "specialty",
            "assistant",
            "status",
            "checked_in_at",
            "checked_out_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "date": {"help_text": _("Local date of the shift (Asia/Shanghai).")},
            "starts_at": {"help_text": _("When the shift starts.")},
            "ends_at": {"help_text": _("When the shift ends.")},
            "specialty": {"help_text": _("The specialty this seat needs.")},
            "status": {
                "help_text": _("Attendance: scheduled, checked_in, completed, missed or cancelled.")
            },
            "checked_in_at": {"help_text": _("When the assistant checked in; empty if not.")},
            "checked_out_at": {"help_text": _("When the assistant checked out; empty if not.")},
        }


class ScrubbedCharField(serializers.CharField):
    """Free text as partners read it: phones, ID numbers, cards and e-mails typed in it masked."""

    def to_representation(self, value):
        return scrub(super().to_representation(value))


class ScrubbedChoiceField(serializers.PrimaryKeyRelatedField):
    """A related record chosen by id; the browsable API's list of choices names each record as
    `str()` does (a case's number and title), so the name is scrubbed like any free text."""

    def display_value(self, instance):
        return scrub(super().display_value(instance))


class CaseSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A case as a partner sees it: requester's name and phone masked, own assistants only."""

    title = ScrubbedCharField(read_only=True, help_text=_("Short title of the request."))

    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    specialty = serializers.CharField(
        source="service_item.specialty", read_only=True, help_text=HELP["specialty"]
    )
    lead = serializers.SerializerMethodField(
        help_text=_("The lead assistant's identifier when the lead is one of the partner's own.")
    )
    helpers = serializers.SerializerMethodField(
        help_text=_("Identifiers of the partner's own assistants helping on the case.")
    )
    resident_name = serializers.SerializerMethodField(
        help_text=_("The resident's name, masked (王*).")
    )
    resident_phone = serializers.SerializerMethodField(
        help_text=_("The resident's phone, masked (138****5678).")
    )
    outcome = serializers.CharField(
        read_only=True,
        help_text=_(
            "How the case ended: resolved, referred, unresolvable or withdrawn; empty until then."
        ),
    )
    enterprise_name = serializers.CharField(
        source="enterprise.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("The enterprise's name when the requester is an enterprise."),
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "service_item",
            "service_item_name",
            "specialty",
            "source",
            "service_point",
            "priority",
            "state",
            "outcome",
            "target_date",
            "lead",
            "helpers",
            "resident_name",
            "resident_phone",
            "enterprise_name",
            "beneficiaries",
            "created_at",
            "assigned_at",
            "accepted_at",
            "resolved_at",
            "follow_up_due",
            "closed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "number": {"help_text": _("Readable case number, e.g. TJ-2026-000123.")},
            "service_item": {"help_text": _("Identifier of the checklist item.")},
            "source": {"help_text": _("Where the case came from.")},
            "priority": {"help_text": _("low, normal, high or urgent.")},
            "state": {
                "help_text": _("new, assigned, in_progress, resolved, followed_up or closed.")
            },
            "target_date": {"help_text": _("Date by which the case should be resolved.")},
            "beneficiaries": {"help_text": _("People who benefit from the case.")},
            "assigned_at": {"help_text": _("When the case was assigned.")},
            "accepted_at": {"help_text": _("When the lead accepted the case.")},
            "resolved_at": {"help_text": _("When the case was resolved.")},
            "follow_up_due": {"help_text": _("Date the return visit is due.")},
            "closed_at": {"help_text": _("When the case was closed.")},
        }

    def _partner_id(self):
        return self.context["partner_id"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_lead(self, case):
        lead = case.lead
        return lead.pk if lead is not None and lead.partner_id == self._partner_id() else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_helpers(self, case):
        # Prefetched already filtered to the partner's own assistants (see CaseViewSet).
        return [helper.pk for helper in case.helpers.all()]

    @extend_schema_field(NULLABLE_STRING)
    def get_resident_name(self, case):
        return mask_name(case.resident.name) if case.resident_id else None

    @extend_schema_field(NULLABLE_STRING)
    def get_resident_phone(self, case):
        return mask_phone(case.resident.phone) if case.resident_id else None


class VisitSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    resident_name = serializers.SerializerMethodField(
        help_text=_("The household's name, masked (王*).")
    )
    assistant = serializers.PrimaryKeyRelatedField(
        queryset=Assistant.objects.none(), help_text=HELP["assistant"]
    )
    case = ScrubbedChoiceField(
        queryset=Case.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("The case the visit belongs to; the assistant must lead or help on it."),
    )
    service_point = serializers.PrimaryKeyRelatedField(
        queryset=ServicePoint.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("Where the visit took place; needed unless the case says who was visited."),
    )
    kind = serializers.ChoiceField(choices=VisitKind.choices, help_text=_("What kind of visit."))

    class Meta:
        model = Visit
        fields = [
            "id",
            "kind",
            "assistant",
            "case",
            "occurred_at",
            "duration_minutes",
            "service_point",
            "resident_name",
            "people_present",
            "notes",
            "created_at",
        ]
        read_only_fields = ["id", "resident_name", "created_at"]
        extra_kwargs = {
            "occurred_at": {
                "help_text": _("When the visit took place; not in the future, not before 2000."),
                "validators": [validate_programme_date],
            },
            "duration_minutes": {"help_text": _("How long it took, in minutes (1 to 1440).")},
            "people_present": {"help_text": _("How many people were present.")},
            "notes": {"help_text": _("What was discussed and agreed.")},
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not fields["assistant"].read_only:
            fields["assistant"].queryset = Assistant.objects.visible_to(request.user)
            fields["case"].queryset = Case.objects.visible_to(request.user)
            fields["service_point"].queryset = ServicePoint.objects.visible_to(request.user)
        return fields

    def to_representation(self, visit):
        # Notes are written by the partner's assistants but may quote a resident's number.
        data = super().to_representation(visit)
        data["notes"] = scrub(data.get("notes") or "")
        return data

    @extend_schema_field(NULLABLE_STRING)
    def get_resident_name(self, visit):
        return mask_name(visit.resident.name) if visit.resident_id else None


class WebhookEndpointSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        min_length=1,
        max_length=len(WebhookEvent.values),
        help_text=_("The events to send to this URL."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "description", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "url": {"help_text": _("The HTTPS URL events are posted to.")},
            "description": {"help_text": _("What this endpoint is, for your own reference.")},
            "active": {"help_text": _("Switched off, the endpoint receives nothing.")},
        }

    def validate_url(self, value):
        try:
            validate_callback_url(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value

    def validate_events(self, value):
        return sorted(set(value))


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The answer to creating an endpoint: the one time its signing secret is shown."""

    secret = serializers.CharField(
        read_only=True,
        help_text=_("The HMAC-SHA256 signing secret; shown only in this answer, keep it safe."),
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["started_at", "finished_at", "succeeded", "http_status", "error"]
        read_only_fields = fields
        extra_kwargs = {
            "started_at": {"help_text": _("When the try began.")},
            "finished_at": {"help_text": _("When it ended; empty if the worker died.")},
            "succeeded": {"help_text": _("Whether the receiver answered 2xx.")},
            "http_status": {"help_text": _("The receiver's HTTP status, if it answered.")},
            "error": {"help_text": _("What went wrong, if anything.")},
        }


class WebhookDeliverySerializer(StrictSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_id",
            "status",
            "attempts",
            "delivered_at",
            "last_http_status",
            "last_error",
            "replay_of",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "endpoint": {"help_text": _("Identifier of the webhook endpoint.")},
            "event": {"help_text": _("The event sent.")},
            "event_id": {
                "help_text": _("The event's identifier, the same in replays: dedupe on it.")
            },
            "status": {"help_text": _("pending, sending, delivered or failed.")},
            "attempts": {"help_text": _("How many tries were made.")},
            "delivered_at": {"help_text": _("When the receiver accepted it.")},
            "last_http_status": {"help_text": _("The receiver's last HTTP status.")},
            "last_error": {"help_text": _("The last error, if any.")},
            "replay_of": {"help_text": _("The delivery this one replays, if any.")},
        }


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    payload = serializers.JSONField(read_only=True, help_text=_("The JSON body that is posted."))
    attempt_log = WebhookAttemptSerializer(
        many=True, read_only=True, help_text=_("Every try, oldest first.")
    )

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "payload", "attempt_log"]
        read_only_fields = fields


class ScorecardRowSerializer(serializers.Serializer):
    assistant = serializers.IntegerField(
        allow_null=True, help_text=_("The assistant's identifier; empty on the partner's total.")
    )
    name = serializers.CharField(help_text=_("The assistant's name, or the partner's."))
    shifts_covered = serializers.IntegerField(help_text=_("Shifts checked in to or completed."))
    shifts_missed = serializers.IntegerField(help_text=_("Shifts missed."))
    cases_handled = serializers.IntegerField(
        help_text=_("Cases led that were assigned in the period.")
    )
    cases_resolved = serializers.IntegerField(help_text=_("Cases led resolved in the period."))
    median_days_to_resolve = serializers.FloatField(
        allow_null=True, help_text=_("Median days from intake to resolution of those cases.")
    )
    follow_ups_done = serializers.IntegerField(help_text=_("Return visits done in the period."))
    follow_ups_on_time = serializers.IntegerField(help_text=_("Of those, done by their due date."))
    average_satisfaction = serializers.FloatField(
        allow_null=True, help_text=_("Average satisfaction (1–5) of those return visits.")
    )


class ScorecardSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("First day of the period."))
    end = serializers.DateField(help_text=_("Last day of the period."))
    total = ScorecardRowSerializer(help_text=_("The whole partner."))
    assistants = ScorecardRowSerializer(many=True, help_text=_("One row per assistant."))


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable code."))
    message = serializers.CharField(help_text=_("Message in the request's language."))


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_("Machine-readable error code, e.g. invalid, not_found, key_expired.")
    )
    message = serializers.CharField(help_text=_("Message in the language of Accept-Language."))
    fields = serializers.DictField(
        child=ErrorDetailSerializer(many=True),
        required=False,
        help_text=_("For invalid requests: the problems of each field."),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer(help_text=_("What went wrong."))
