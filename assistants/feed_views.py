"""The calendar-feed endpoint: no login, the unguessable token in the URL is the key."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from .calendar import render_feed
from .choices import AssistantStatus
from .models import Assistant


@require_safe
def calendar_feed(request, token):
    """An assistant's shifts as an iCalendar file for their phone's calendar to subscribe to."""
    # Calendar apps cannot log in, so the token is the only credential; a withdrawn assistant's
    # feed goes dark with their access. The preference comes along for the feed's language.
    assistant = (
        Assistant.objects.select_related("user__notification_preference")
        .exclude(status=AssistantStatus.WITHDRAWN)
        .filter(calendar_token=token)
        .first()
    )
    if assistant is None:
        raise Http404
    response = HttpResponse(
        render_feed(assistant=assistant), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    # Personal data behind a secret URL: no shared cache may keep it, and no search engine index it.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
