"""The assistants' private calendar feeds (no login: the secret token is the key)."""


app_name = "calendar"

urlpatterns: list = []
