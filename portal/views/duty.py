"""Duty: the coming weeks' shifts of the partner's people, open shifts, attendance by month."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import render
from django.utils import timezone

from assistants.choices import ShiftStatus
from assistants.models import Assistant, Shift

from ..access import partner_page

COMING_DAYS = 28
ATTENDANCE_MONTHS = 6
PAGE_SIZE = 100
OPEN_SHIFTS_SHOWN = 30


def attendance_by_month(shifts, *, since):
    """On time, late, missed and far check-ins per month, in one grouped query.

    Late is a check-in after the shift's start; far, one the phone placed away from the point.
    """
    return (
        shifts.filter(date__gte=since)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            on_time=Count("pk", filter=Q(checked_in_at__lte=F("starts_at"))),
            late=Count("pk", filter=Q(checked_in_at__gt=F("starts_at"))),
            missed=Count("pk", filter=Q(status=ShiftStatus.MISSED)),
            far=Count("pk", filter=Q(check_in_far=True)),
        )
        .order_by("-month")
    )


@partner_page
def duty(request):
    """Shifts per service point for the coming weeks, open shifts, attendance."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    coming = (
        Shift.objects.visible_to(user)
        .live()
        .between(now, now + timedelta(days=COMING_DAYS))
        .select_related("service_point", "assistant")
        .only(
            "id",
            "date",
            "starts_at",
            "ends_at",
            "status",
            "specialty",
            "service_point__name",
            "assistant__name",
        )
        .order_by("service_point__name", "starts_at", "pk")
    )
    page = Paginator(coming, PAGE_SIZE).get_page(request.GET.get("page"))
    # Open shifts belong to no partner yet: any published one of a specialty the partner's
    # people hold is one they could take (the assistants take it on their phones).
    specialties = Assistant.objects.visible_to(user).active().values("specialty")
    open_shifts = (
        Shift.objects.published()
        .open()
        .between(now, now + timedelta(days=COMING_DAYS))
        .filter(specialty__in=specialties)
        .select_related("service_point")
        .only("id", "date", "starts_at", "ends_at", "specialty", "service_point__name")
        .order_by("starts_at", "pk")[:OPEN_SHIFTS_SHOWN]
    )
    first_month = today.replace(day=1)
    for _month in range(ATTENDANCE_MONTHS - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    attendance = attendance_by_month(
        Shift.objects.visible_to(user).filter(date__lte=today), since=first_month
    )
    return render(
        request,
        "portal/duty.html",
        {
            "page": page,
            "open_shifts": open_shifts,
            "attendance": attendance,
            "coming_days": COMING_DAYS,
        },
    )
