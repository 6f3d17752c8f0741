"""Routes of the partner REST API."""

from django.urls import path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views
from .docs import EnglishSchemaView

app_name = "api"

# Plain path() routes (no regex): ids that are not numbers reach the view and answer 404 in the
# documented JSON shape.
router = SimpleRouter(use_regex_path=False)
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("assistants", views.AssistantViewSet, basename="assistant")
router.register(
    "assistant-proposals", views.AssistantProposalViewSet, basename="assistant-proposal"
)
router.register("shifts", views.ShiftViewSet, basename="shift")
router.register("cases", views.CaseViewSet, basename="case")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("webhook-endpoints", views.WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("", views.ApiIndexView.as_view(), name="index"),
    path("partner/", views.PartnerProfileView.as_view(), name="partner"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("schema/", EnglishSchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
]
