"""Routes of the partner REST API."""

app_name = "api"

urlpatterns = []
