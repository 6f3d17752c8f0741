"""The day at a glance: the next shift with its buttons, cases due, follow-ups."""

from datetime import timedelta

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from assistants import shifts as shift_service
from assistants.choices import ShiftStatus
from assistants.models import Shift
from cases.choices import CaseState
from cases.models import Case, FollowUp
from talentoffice import notifications

from ..scopes import SOONEST_DUE, cases_visible_to, first_cases
from .access import assistant_page

TODAY_CASES = 5
TODAY_FOLLOW_UPS = 5


def _current_shift(user, assistant, now):
    """The shift on now or next: not over yet, or checked in and not yet checked out."""
    return (
        Shift.objects.visible_to(user)
        .filter(assistant=assistant)
        .filter(
            Q(status=ShiftStatus.CHECKED_IN)
            | Q(ends_at__gt=now, status__in=[ShiftStatus.SCHEDULED, ShiftStatus.MISSED])
        )
        .select_related("service_point")
        .order_by("starts_at", "pk")
        .first()
    )


def _attendance(shift, now) -> dict:
    """What the shift's buttons should offer now; the rules themselves stay in check_in."""
    if shift is None:
        return {}
    opens = shift.starts_at - shift_service.CHECK_IN_OPENS_BEFORE
    return {
        "can_check_in": shift.status in (ShiftStatus.SCHEDULED, ShiftStatus.MISSED)
        and opens <= now < shift.ends_at,
        "check_in_opens": opens,
        "can_check_out": shift.status == ShiftStatus.CHECKED_IN,
    }


@require_GET
@assistant_page
def today(request):
    """The day at a glance: next shift with its buttons, cases due, follow-ups, unread count."""
    # Queries: session, user, assistant, next shift, open cases, follow-ups, unread count.
    user, assistant = request.user, request.assistant
    now = timezone.now()
    day = timezone.localdate()
    shift = _current_shift(user, assistant, now)
    cases = first_cases(
        user,
        assistant,
        Case.objects.open().select_related("service_item"),
        SOONEST_DUE,
        TODAY_CASES,
    )
    follow_ups = list(
        FollowUp.objects.filter(
            case__in=cases_visible_to(user, assistant).filter(state=CaseState.RESOLVED),
            done_at__isnull=True,
            due_on__lte=day + timedelta(days=7),
        )
        .select_related("case")
        .order_by("due_on", "pk")[:TODAY_FOLLOW_UPS]
    )
    unread = notifications.inbox(user).filter(read_at__isnull=True).count()
    return render(
        request,
        "mobile/today.html",
        {
            "assistant": assistant,
            "shift": shift,
            "cases": cases,
            "follow_ups": follow_ups,
            "unread": unread,
            "today": day,
            "now": now,
        }
        | _attendance(shift, now),
    )
