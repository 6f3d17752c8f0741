"""The assistants' private calendar feeds (no login: the secret token is the key)."""

from django.urls import path

from . import feed_views

app_name = "calendar"

urlpatterns = [
    # The token comes from secrets.token_urlsafe: letters, digits, "-" and "_", so a slug.
    path("<slug:token>.ics", feed_views.calendar_feed, name="feed"),
]
