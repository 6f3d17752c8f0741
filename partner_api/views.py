"""Viewsets of the partner API: each a few lines, every queryset through `visible_to(user)`.

Who is asking is `request.user`: an `ApiKeyPrincipal` or a partner manager, both understood by
`talentoffice.access.partner_id_of`, so another partner's objects are simply not in the
queryset and answer 404.
"""

import hashlib
from datetime import timedelta

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.generics import RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from assistants import proposals
from assistants.models import Assistant, Shift
from cases.models import Case, Visit
from cases.visits import log_visit
from partners import webhooks
from partners.models import (
    Agreement,
    ApiIdempotencyKey,
    AssistantProposal,
    Partner,
    WebhookDelivery,
    WebhookEndpoint,
)
from talentoffice.access import partner_id_of

from . import serializers as api
from .errors import BodyTooLarge, Conflict, IdempotencyConflict
from .filtersets import (
    AssistantFilterSet,
    CaseFilterSet,
    ProposalFilterSet,
    ShiftFilterSet,
    VisitFilterSet,
    WebhookDeliveryFilterSet,
)
from .idempotency import idempotency_key, replayed, run_once
from .schema import error_answers
from .scorecard import scorecard

# The longest period one scorecard covers.
SCORECARD_MAX_DAYS = 366

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "A unique key per request (e.g. a UUID), at most 48 characters: a retry with the same "
        "key and body answers the first result (200, Idempotent-Replayed: true) and changes "
        "nothing; the same key with another body or on another endpoint answers 409."
    ),
)


class PartnerAPIMixin:
    """What every view of the partner API shares: the body limit and the calling partner."""

    def initial(self, request, *args, **kwargs):
        # Refused before anything reads the body, so a huge upload costs nothing to parse.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PARTNER_API_MAX_BODY_BYTES:
            raise BodyTooLarge()
        super().initial(request, *args, **kwargs)

    @property
    def partner_id(self) -> int:
        return partner_id_of(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["partner_id"] = partner_id_of(self.request.user)
        return context


# Query parameters that page or sort a list; none of them is a filter.
NOT_FILTERS = {"cursor", "page_size", "ordering"}


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names no filter at all.

    A FilterSet builds and validates a form on every request, a cost every list page would pay,
    and with no filter in the query string every one of its filters leaves the queryset as it is.
    """

    def filter_queryset(self, request, queryset, view):
        if NOT_FILTERS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ReadOnlyViewSet(PartnerAPIMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [FilterBackend, OrderingFilter]


# ---------------------------------------------------------------------------------------------
# The partner itself


@extend_schema(summary="The calling partner's profile / 本机构信息")
class PartnerProfileView(PartnerAPIMixin, RetrieveAPIView):
    serializer_class = api.PartnerSerializer

    def get_object(self):
        return Partner.objects.visible_to(self.request.user).get()


class AgreementViewSet(ReadOnlyViewSet):
    """The partner's cooperation agreements."""

    serializer_class = api.AgreementSerializer
    ordering_fields = ["starts_on", "id"]
    ordering = ["-starts_on", "-id"]

    def get_queryset(self):
        return Agreement.objects.visible_to(self.request.user).defer("document")


# ---------------------------------------------------------------------------------------------
# Assistants and proposals about them


class AssistantViewSet(ReadOnlyViewSet):
    """The partner's assistants."""

    serializer_class = api.AssistantSerializer
    filterset_class = AssistantFilterSet
    ordering_fields = ["name", "id", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return (
            Assistant.objects.visible_to(self.request.user)
            .defer("calendar_token", "user_id", "partner_id")
            .prefetch_related("skills")
        )


@extend_schema_view(
    create=extend_schema(
        summary="Propose a new assistant, a change or a withdrawal / 提议新增、变更或撤回人员",
        description="Staff approve before it takes effect.",
        parameters=[IDEMPOTENCY_KEY],
    ),
    cancel=extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        summary="Take back a pending proposal / 撤销待审提议",
    ),
)
class AssistantProposalViewSet(
    PartnerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Proposals about the partner's assistants, decided by district staff."""

    serializer_class = api.AssistantProposalSerializer
    filterset_class = ProposalFilterSet
    filter_backends = ReadOnlyViewSet.filter_backends
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return AssistantProposal.objects.visible_to(self.request.user).defer(
            "decided_by", "partner_id"
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return run_once(
            request,
            partner_id=self.partner_id,
            perform=lambda: self._propose(serializer.validated_data),
            load=self._find,
            render=lambda proposal: self.get_serializer(proposal).data,
            status_code=status.HTTP_201_CREATED,
        )

    def _propose(self, data):
        try:
            return proposals.propose(
                partner=Partner.objects.get(pk=self.partner_id),
                kind=data["kind"],
                assistant=data.get("assistant"),
                changes=data.get("changes"),
                note=data.get("note", ""),
            )
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "proposal_pending":
                raise Conflict(error.messages[0], "proposal_pending") from error
            raise serializers.ValidationError(_changes_errors(error)) from error

    def _find(self, pk):
        return self.get_queryset().filter(pk=pk).first()

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        proposal = self.get_object()
        return run_once(
            request,
            partner_id=self.partner_id,
            perform=lambda: self._cancel(proposal),
            load=self._find,
            render=lambda proposal: self.get_serializer(proposal).data,
            status_code=status.HTTP_200_OK,
        )

    def _cancel(self, proposal):
        try:
            return proposals.cancel_proposal(proposal=proposal)
        except DjangoValidationError as error:
            raise Conflict(error.messages[0], "decided") from error


def _changes_errors(error: DjangoValidationError) -> dict:
    """Errors about the assistant's fields, reported under `changes.<field>` as sent."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    return {
        (f"changes.{name}" if name in api.PROPOSABLE_FIELDS else name): messages
        for name, messages in error.message_dict.items()
    }


# ---------------------------------------------------------------------------------------------
# Shifts, cases, visits


class ShiftViewSet(ReadOnlyViewSet):
    """Published shifts of the partner's assistants, with their attendance."""

    serializer_class = api.ShiftSerializer
    filterset_class = ShiftFilterSet
    ordering_fields = ["starts_at", "id"]
    ordering = ["-starts_at", "-id"]

    def get_queryset(self):
        return (
            Shift.objects.visible_to(self.request.user)
            .select_related("service_point")
            .only(*SHIFT_COLUMNS)
        )


SHIFT_COLUMNS = [
    "id",
    "date",
    "starts_at",
    "ends_at",
    "service_point_id",
    "service_point__name",
    "specialty",
    "assistant_id",
    "status",
    "checked_in_at",
    "checked_out_at",
]


class CaseViewSet(ReadOnlyViewSet):
    """Cases the partner's assistants lead or help on; residents' data masked."""

    serializer_class = api.CaseSerializer
    filterset_class = CaseFilterSet
    ordering_fields = ["created_at", "id", "target_date"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        own_helpers = Assistant.objects.filter(partner_id=self.partner_id).only("id")
        return (
            Case.objects.visible_to(self.request.user)
            .select_related("service_item", "lead", "resident", "enterprise")
            .only(*CASE_COLUMNS)
            .prefetch_related(Prefetch("helpers", queryset=own_helpers))
        )


# What CaseSerializer reads, with the related rows it names; the resident's other columns (the
# encrypted ID number above all) stay unread.
CASE_COLUMNS = [
    "id",
    "number",
    "title",
    "service_item",
    "service_item__name",
    "service_item__specialty",
    "source",
    "service_point_id",
    "priority",
    "state",
    "outcome",
    "target_date",
    "lead",
    "lead__partner_id",
    "resident",
    "resident__name",
    "resident__phone",
    "enterprise",
    "enterprise__name",
    "beneficiaries",
    "created_at",
    "assigned_at",
    "accepted_at",
    "resolved_at",
    "follow_up_due",
    "closed_at",
]


@extend_schema_view(
    create=extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        summary="Log a visit on behalf of one of the partner's assistants / 代本机构人员登记走访",
        responses={201: api.VisitSerializer, 200: api.VisitSerializer, **error_answers("POST")},
    )
)
class VisitViewSet(
    PartnerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Visits logged by the partner's assistants."""

    serializer_class = api.VisitSerializer
    filterset_class = VisitFilterSet
    filter_backends = ReadOnlyViewSet.filter_backends
    ordering_fields = ["occurred_at", "id"]
    ordering = ["-occurred_at", "-id"]

    def get_queryset(self):
        return (
            Visit.objects.visible_to(self.request.user)
            .select_related("resident")
            .only(*VISIT_COLUMNS)
        )

    def create(self, request, *args, **kwargs):
        key = idempotency_key(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not key:
            visit = self._log(serializer.validated_data, key=None)
            return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)
        # The parsed body, keys sorted: the same JSON with other spacing is the same request.
        digest = hashlib.sha256(orjson.dumps(request.data, option=orjson.OPT_SORT_KEYS)).hexdigest()
        with transaction.atomic():
            # A second request with this key waits here for the first one's transaction.
            record, created = ApiIdempotencyKey.objects.get_or_create(
                partner_id=self.partner_id, key=key, defaults={"request_hash": digest}
            )
            if not created:
                if record.request_hash != digest:
                    raise IdempotencyConflict()
                visit = self.get_queryset().get(pk=record.visit_id)
                return replayed(self.get_serializer(visit).data)
            record.visit = self._log(serializer.validated_data, key=f"api:{self.partner_id}:{key}")
            record.save(update_fields=["visit"])
        return Response(self.get_serializer(record.visit).data, status=status.HTTP_201_CREATED)

    def _log(self, data, *, key):
        case = data.get("case")
        point = data.get("service_point")
        try:
            visit, _created = log_visit(
                assistant=data["assistant"],
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                duration_minutes=data["duration_minutes"],
                case=case,
                service_point=point,
                # Without a service point, the visit took place with the case's requester.
                resident=case.resident if case is not None and point is None else None,
                enterprise=case.enterprise if case is not None and point is None else None,
                people_present=data.get("people_present", 1),
                notes=data.get("notes", ""),
                idempotency_key=key,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return visit


VISIT_COLUMNS = [
    "id",
    "kind",
    "assistant_id",
    "case_id",
    "occurred_at",
    "duration_minutes",
    "service_point_id",
    "resident_id",
    "resident__name",
    "people_present",
    "notes",
    "created_at",
]


# ---------------------------------------------------------------------------------------------
# Scorecard


class ScorecardQuerySerializer(api.StrictSerializerMixin, serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text=_("First day of the period; default the month's first day.")
    )
    end = serializers.DateField(
        required=False, help_text=_("Last day of the period; default today.")
    )
    assistant_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Only this assistant of the partner."),
    )

    def validate(self, attrs):
        today = timezone.localdate()
        start = attrs.get("start") or today.replace(day=1)
        end = attrs.get("end") or today
        if end < start:
            raise serializers.ValidationError({"end": _("The period cannot end before it starts.")})
        if end - start > timedelta(days=SCORECARD_MAX_DAYS):
            raise serializers.ValidationError({"end": _("A scorecard covers at most 366 days.")})
        return attrs | {"start": start, "end": end}


class ScorecardView(PartnerAPIMixin, APIView):
    """Per assistant and period: shifts covered and missed, cases, return visits."""

    @extend_schema(
        parameters=[ScorecardQuerySerializer],
        responses={200: api.ScorecardSerializer, **error_answers("GET")},
        summary="Scorecard per assistant for a period / 按人员统计的绩效",
    )
    def get(self, request):
        query = ScorecardQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        assistant_id = data.get("assistant_id")
        result = scorecard(
            partner=Partner.objects.visible_to(request.user).get(),
            start=data["start"],
            end=data["end"],
            assistants=None if assistant_id is None else [assistant_id],
        )
        return Response(api.ScorecardSerializer(result).data)


# ---------------------------------------------------------------------------------------------
# Webhooks


@extend_schema_view(
    create=extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: api.WebhookEndpointCreatedSerializer,
            200: api.WebhookEndpointCreatedSerializer,
            **error_answers("POST"),
        },
    ),
)
class WebhookEndpointViewSet(PartnerAPIMixin, viewsets.ModelViewSet):
    """The partner's callback URLs; the signing secret is shown once, when created."""

    serializer_class = api.WebhookEndpointSerializer
    filter_backends = ReadOnlyViewSet.filter_backends
    ordering_fields = ["id", "created_at"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return WebhookEndpoint.objects.visible_to(self.request.user).defer("secret")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return run_once(
            request,
            partner_id=self.partner_id,
            perform=lambda: serializer.save(partner_id=self.partner_id),
            # With its secret: a retry gets the answer the lost first one carried.
            load=lambda pk: WebhookEndpoint.objects.visible_to(request.user).filter(pk=pk).first(),
            render=lambda endpoint: (
                api.WebhookEndpointCreatedSerializer(
                    WebhookEndpoint.objects.get(pk=endpoint.pk),
                    context=self.get_serializer_context(),
                ).data
            ),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    replay=extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            202: api.WebhookDeliverySerializer,
            200: api.WebhookDeliverySerializer,
            **error_answers("POST"),
        },
        summary="Send a delivery's event again / 重新投递",
    )
)
class WebhookDeliveryViewSet(ReadOnlyViewSet):
    """Every event sent to the partner's endpoints, with each try; replayable."""

    serializer_class = api.WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilterSet
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return api.WebhookDeliveryDetailSerializer
        return api.WebhookDeliverySerializer

    def get_queryset(self):
        deliveries = WebhookDelivery.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            return deliveries.prefetch_related("attempt_log")
        return deliveries.defer("payload", "not_before", "claimed_until", "partner_id")

    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        delivery = self.get_object()
        return run_once(
            request,
            partner_id=self.partner_id,
            perform=lambda: self._replay(delivery),
            load=lambda pk: WebhookDelivery.objects.visible_to(request.user).filter(pk=pk).first(),
            render=lambda again: api.WebhookDeliverySerializer(again).data,
            status_code=status.HTTP_202_ACCEPTED,
        )

    def _replay(self, delivery):
        if delivery.status in ("pending", "sending"):
            raise Conflict(_("This delivery is still being sent."), "delivery_in_progress")
        return webhooks.replay(delivery=WebhookDelivery.objects.get(pk=delivery.pk))


@extend_schema(exclude=True)
class ApiIndexView(APIView):
    """What the API offers and where it is documented: the page a partner's developer opens
    first, so no address has to be typed by hand. It holds no data, so it needs no key."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        def link(name):
            return request.build_absolute_uri(reverse(f"api:{name}"))

        return Response(
            {
                "name": "TalentOffice partner API v1 / 人才助理合作机构接口",
                "authentication": "Authorization: Bearer <API key> (see the docs)",
                "docs": link("docs"),
                "redoc": link("redoc"),
                "schema": link("schema"),
                "endpoints": {
                    "partner": link("partner"),
                    "scorecard": link("scorecard"),
                    "agreements": link("agreement-list"),
                    "assistants": link("assistant-list"),
                    "assistant-proposals": link("assistant-proposal-list"),
                    "shifts": link("shift-list"),
                    "cases": link("case-list"),
                    "visits": link("visit-list"),
                    "webhook-endpoints": link("webhook-endpoint-list"),
                    "webhook-deliveries": link("webhook-delivery-list"),
                },
            }
        )
