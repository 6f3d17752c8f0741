"""Routes of the partner portal under /partner/."""

from django.urls import path

from .views import cases, duty, exports, home, people, systems

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("assistants/", people.assistant_list, name="assistants"),
    path("proposals/", people.proposal_list, name="proposals"),
    path("proposals/new/", people.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/cancel/", people.proposal_cancel, name="proposal_cancel"),
    path("duty/", duty.duty, name="duty"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("exports/", exports.export_list, name="exports"),
    path("exports/assistants.xlsx", exports.export_assistants, name="export_assistants"),
    path("exports/shifts.xlsx", exports.export_shifts, name="export_shifts"),
    path("exports/cases.xlsx", exports.export_cases, name="export_cases"),
    path("keys/", systems.key_list, name="keys"),
    path("keys/<int:pk>/revoke/", systems.key_revoke, name="key_revoke"),
    path("webhooks/", systems.endpoint_list, name="webhooks"),
    path("webhooks/<int:pk>/", systems.endpoint_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/test/", systems.endpoint_test, name="webhook_test"),
    path("webhooks/<int:pk>/delete/", systems.endpoint_delete, name="webhook_delete"),
    path("deliveries/", systems.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/replay/", systems.delivery_replay, name="delivery_replay"),
]
