"""Filters of the partner API: dates as ranges, people and places by ID (never a dropdown of a
whole table), states and kinds by value. Each list is already scoped to the calling partner.

A range of days on a datetime column filters the column itself (`created_at`, not
`created_at__date`): django-filter turns the days into the instants they start and end at in
Beijing time, which the column's index serves. On `__date` PostgreSQL works out each row's
local date first, so a range matching nothing walks every case of the district.
"""

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from assistants.choices import AssistantStatus, ShiftStatus, Specialty
from assistants.models import Assistant, Dispatch, Shift
from cases.choices import CaseState, VisitKind
from cases.models import Case, Visit
from partners.choices import ProposalKind, ProposalStatus, WebhookDeliveryStatus, WebhookEvent
from partners.models import AssistantProposal, WebhookDelivery


class IdField(forms.IntegerField):
    """A database ID: a positive whole number that fits the column (no overflow reaches SQL)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    field_class = IdField


class NumberInFilter(filters.BaseInFilter, IdFilter):
    """Comma-separated IDs: `assistant_id=3,5`."""


class AnyOfFilter(filters.MultipleChoiceFilter):
    """Rows whose column holds any of the values given: `state=assigned&state=in_progress`.

    django-filter's MultipleChoiceFilter adds DISTINCT, which a filter across a to-many join
    needs and one on the row's own column does not; DISTINCT makes PostgreSQL sort every
    matching row before it can return the first page, instead of reading the list's ordering
    index until the page is full (`?state=closed` would sort every closed case of the district).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class AssistantFilterSet(filters.FilterSet):
    id = NumberInFilter(field_name="id", label=_("Assistant IDs, comma-separated"))
    specialty = filters.ChoiceFilter(choices=Specialty.choices, label=_("Specialty"))
    status = AnyOfFilter(choices=AssistantStatus.choices, label=_("Status"))
    service_point_id = NumberInFilter(
        method="filter_service_point",
        label=_("Currently dispatched to these service point IDs, comma-separated"),
    )
    name = filters.CharFilter(lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Assistant
        fields = ["id", "specialty", "status", "service_point_id", "name"]

    def filter_service_point(self, queryset, name, value):
        from django.utils import timezone

        dispatched = Dispatch.objects.current_on(timezone.localdate()).filter(
            assistant=OuterRef("pk"), service_point_id__in=value
        )
        return queryset.filter(Exists(dispatched))


class ProposalFilterSet(filters.FilterSet):
    status = AnyOfFilter(choices=ProposalStatus.choices, label=_("Status"))
    kind = filters.ChoiceFilter(choices=ProposalKind.choices, label=_("Kind"))
    assistant_id = NumberInFilter(field_name="assistant_id", label=_("Assistant IDs"))

    class Meta:
        model = AssistantProposal
        fields = ["status", "kind", "assistant_id"]


class ShiftFilterSet(filters.FilterSet):
    date = filters.DateFromToRangeFilter(label=_("Date range (date_after, date_before)"))
    status = AnyOfFilter(choices=ShiftStatus.choices, label=_("Status"))
    specialty = filters.ChoiceFilter(choices=Specialty.choices, label=_("Specialty"))
    assistant_id = NumberInFilter(field_name="assistant_id", label=_("Assistant IDs"))
    service_point_id = NumberInFilter(field_name="service_point_id", label=_("Service point IDs"))

    class Meta:
        model = Shift
        fields = ["date", "status", "specialty", "assistant_id", "service_point_id"]


class CaseFilterSet(filters.FilterSet):
    created = filters.DateFromToRangeFilter(
        field_name="created_at", label=_("Opened between (created_after, created_before)")
    )
    resolved = filters.DateFromToRangeFilter(
        field_name="resolved_at",
        label=_("Resolved between (resolved_after, resolved_before)"),
    )
    state = AnyOfFilter(choices=CaseState.choices, label=_("State"))
    specialty = filters.ChoiceFilter(
        field_name="service_item__specialty", choices=Specialty.choices, label=_("Specialty")
    )
    assistant_id = NumberInFilter(
        method="filter_assistant", label=_("Led or helped by these assistant IDs")
    )
    service_point_id = NumberInFilter(field_name="service_point_id", label=_("Service point IDs"))
    number = filters.CharFilter(field_name="number", label=_("Case number"))

    class Meta:
        model = Case
        fields = ["created", "resolved", "state", "specialty", "assistant_id", "service_point_id"]

    def filter_assistant(self, queryset, name, value):
        # One set of ids, led or helped, from the two indexes. Written as "lead in (…) OR id in
        # (helped)", PostgreSQL could not tell how few rows match, and walked every case of the
        # district in the list's order.
        led = Case.objects.filter(lead_id__in=value).order_by().values("pk")
        helped = Case.helpers.through.objects.filter(assistant_id__in=value).values("case_id")
        return queryset.filter(pk__in=led.union(helped))


class VisitFilterSet(filters.FilterSet):
    occurred = filters.DateFromToRangeFilter(
        field_name="occurred_at", label=_("Date range (occurred_after, occurred_before)")
    )
    kind = AnyOfFilter(choices=VisitKind.choices, label=_("Kind"))
    assistant_id = NumberInFilter(field_name="assistant_id", label=_("Assistant IDs"))
    case_id = NumberInFilter(field_name="case_id", label=_("Case IDs"))
    service_point_id = NumberInFilter(field_name="service_point_id", label=_("Service point IDs"))

    class Meta:
        model = Visit
        fields = ["occurred", "kind", "assistant_id", "case_id", "service_point_id"]


class WebhookDeliveryFilterSet(filters.FilterSet):
    created = filters.DateFromToRangeFilter(
        field_name="created_at", label=_("Date range (created_after, created_before)")
    )
    event = AnyOfFilter(choices=WebhookEvent.choices, label=_("Event"))
    status = AnyOfFilter(choices=WebhookDeliveryStatus.choices, label=_("Status"))
    endpoint_id = NumberInFilter(field_name="endpoint_id", label=_("Endpoint IDs"))

    class Meta:
        model = WebhookDelivery
        fields = ["created", "event", "status", "endpoint_id"]
