"""Staff pages of the dashboard and reports."""

from django.urls import path

from . import views, workspace

app_name = "steering"

urlpatterns = [
    path("", workspace.workspace, name="workspace"),
    path("queues/<slug:key>/", workspace.queue_page, name="queue"),
    path("queues/<slug:key>/act/", workspace.queue_action, name="queue_action"),
    path("search/", workspace.search_page, name="search"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("figures/<slug:key>/", views.figure_list, name="figure_list"),
    path("figures/<slug:key>/export/", views.figure_export, name="figure_export"),
    path("report/", views.monthly_report, name="report"),
    path("report/export/", views.monthly_report_export, name="report_export"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/upload/", views.campaign_upload, name="campaign_upload"),
    path("campaigns/<int:pk>/pick/", views.campaign_pick, name="campaign_pick"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/export/", views.scorecard_export, name="scorecard_export"),
]
