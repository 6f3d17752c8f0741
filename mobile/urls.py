"""Routes of the assistants' mobile pages (names and data-testids: docs/mobile.md)."""

from django.urls import path

from . import views

app_name = "mobile"

urlpatterns = [
    path("", views.today, name="today"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("shifts/", views.shift_list, name="shifts"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("shifts/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("shifts/<int:pk>/offer/", views.shift_offer, name="shift_offer"),
    path("leave/", views.leave, name="leave"),
    path("swaps/", views.swap_offers, name="swap_offers"),
    path("swaps/<int:pk>/accept/", views.swap_accept, name="swap_accept"),
    path("swaps/<int:pk>/cancel/", views.swap_cancel, name="swap_cancel"),
    path("calendar/", views.calendar, name="calendar"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/action/", views.case_action, name="case_action"),
    path("cases/<int:pk>/extension/", views.extension, name="extension"),
    path("cases/<int:pk>/reveal/", views.case_reveal, name="case_reveal"),
    path("cases/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("search/", views.search, name="search"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read_all"),
]
