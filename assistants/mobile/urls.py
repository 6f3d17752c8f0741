"""Routes of the assistants' mobile pages."""

app_name = "mobile"

urlpatterns = []
