"""Staff pages of the dashboard and reports."""

app_name = "steering"

urlpatterns = []
