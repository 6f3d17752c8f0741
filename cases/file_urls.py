"""Downloads of uploaded files, each scoped to who may see its object (cases.files)."""

from django.urls import path

from . import files

app_name = "files"

urlpatterns = [
    path("visits/<int:pk>/", files.visit_attachment, name="visit_attachment"),
]
