"""Staff rota pages: generate, preview, publish, and the week and month grids."""

from django.urls import path

from . import views

app_name = "rota"

urlpatterns = [
    path("", views.rota_list, name="list"),
    path("generate/", views.rota_create, name="generate"),
    path("<int:pk>/", views.rota_detail, name="preview"),
    path("<int:pk>/publish/", views.rota_publish, name="publish"),
    path("<int:pk>/discard/", views.rota_discard, name="discard"),
    path("week/", views.week_grid, name="week"),
    path("month/", views.month_grid, name="month"),
]
