"""My shifts: the list, one shift, checking in and out, offering it to a colleague."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assistants import shifts as shift_service
from assistants.choices import ShiftStatus, SwapStatus
from assistants.models import Shift, SwapRequest
from talentoffice.pagination import PeekPage

from ..forms import CheckInForm, OfferShiftForm
from .access import _error_messages, _next_or, assistant_page
from .home import _attendance
from .swaps import _swap_offers_soonest_first

UPCOMING_SHIFTS = 30
PAST_SHIFTS = 20
SWAP_OFFERS_ON_SHIFTS = 5
COLLEAGUE_CHOICES = 20
LIVE_SWAPS = (SwapStatus.OPEN, SwapStatus.ACCEPTED)


@require_GET
@assistant_page
def shift_list(request):
    """Upcoming and past shifts, the first offers waiting for me, and the calendar link."""
    # Queries: session, user, assistant, upcoming shifts (with an EXISTS for live offers),
    # past shifts, the first offers to me (one more than shown).
    user, assistant = request.user, request.assistant
    now = timezone.now()
    mine = (
        Shift.objects.visible_to(user)
        .filter(assistant=assistant)
        .select_related("service_point")
        .annotate(
            offered=Exists(SwapRequest.objects.filter(shift=OuterRef("pk"), status__in=LIVE_SWAPS))
        )
    )
    upcoming = list(mine.filter(ends_at__gte=now).order_by("starts_at", "pk")[:UPCOMING_SHIFTS])
    past = list(mine.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_SHIFTS])
    # A few offers above my own shifts; the rest are a tap away (swap_offers).
    offers = PeekPage(_swap_offers_soonest_first(assistant, now), SWAP_OFFERS_ON_SHIFTS, 1)
    return render(
        request,
        "mobile/shifts.html",
        {"upcoming": upcoming, "past": past, "offers": offers, "now": now},
    )


@require_GET
@assistant_page
def shift_detail(request, pk):
    """One of my shifts: attendance buttons, its live offer, or the form to offer it."""
    # Queries: session, user, assistant, shift, live swap, suitable colleagues (when offerable).
    user, assistant = request.user, request.assistant
    shift = get_object_or_404(
        Shift.objects.visible_to(user).filter(assistant=assistant).select_related("service_point"),
        pk=pk,
    )
    now = timezone.now()
    swap = (
        SwapRequest.objects.filter(shift=shift, status__in=LIVE_SWAPS)
        .select_related("offered_to", "accepted_by")
        .first()
    )
    offer_form = None
    if swap is None and shift.status == ShiftStatus.SCHEDULED and shift.starts_at > now:
        offer_form = OfferShiftForm(colleagues=shift_service.suitable_colleagues(shift))
        # The select lists some colleagues, not all of them: a busy point can have hundreds,
        # and "any suitable colleague" (the default) reaches every one anyway. The posted
        # choice is still checked against all suitable colleagues.
        listed = shift_service.some_suitable_colleagues(shift, COLLEAGUE_CHOICES)
        field = offer_form.fields["to_assistant"]
        field.widget.choices = [("", field.empty_label)] + [
            (colleague.pk, str(colleague)) for colleague in listed
        ]
    return render(
        request,
        "mobile/shift_detail.html",
        {"shift": shift, "swap": swap, "offer_form": offer_form, "now": now}
        | _attendance(shift, now),
    )


def _my_shift_or_404(request, pk):
    return get_object_or_404(
        Shift.objects.visible_to(request.user).filter(assistant=request.assistant), pk=pk
    )


def distance_text(metres) -> str:
    """A distance as people say it: "850 m" near, "5.7 km" from a kilometre on."""
    if metres is None:
        return "?"
    if metres < 1000:
        return _("%(metres)s m") % {"metres": metres}
    return _("%(km)s km") % {"km": f"{metres / 1000:.1f}"}


@require_POST
@assistant_page
def check_in(request, pk):
    """Check in to my shift, with the browser's location when it was given."""
    shift = _my_shift_or_404(request, pk)
    form = CheckInForm(request.POST)
    location = form.cleaned_data if form.is_valid() else {}
    try:
        shift = shift_service.check_in(
            shift=shift,
            assistant=request.assistant,
            latitude=location.get("latitude"),
            longitude=location.get("longitude"),
        )
    except shift_service.ShiftError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Checked in. Have a good duty."))
        if shift.check_in_far:
            messages.warning(
                request,
                _(
                    "Your phone placed you %(distance)s from %(point)s. The check-in is kept; "
                    "staff will see that it was far from the service point."
                )
                % {
                    "distance": distance_text(shift.check_in_distance_m),
                    "point": shift.service_point.name,
                },
            )
    return redirect(_next_or(request, reverse("mobile:today")))


@require_POST
@assistant_page
def check_out(request, pk):
    """Check out of my shift; it is then completed."""
    shift = _my_shift_or_404(request, pk)
    try:
        shift_service.check_out(shift=shift, assistant=request.assistant)
    except shift_service.ShiftError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Checked out. Thank you."))
    return redirect(_next_or(request, reverse("mobile:today")))


@require_POST
@assistant_page
def shift_offer(request, pk):
    """Offer my shift to a named colleague or to every suitable colleague."""
    shift = _my_shift_or_404(request, pk)
    form = OfferShiftForm(request.POST, colleagues=shift_service.suitable_colleagues(shift))
    if not form.is_valid():
        messages.error(request, _("That colleague cannot take this shift."))
        return redirect("mobile:shift_detail", pk=shift.pk)
    try:
        shift_service.offer_shift(
            shift=shift,
            by_assistant=request.assistant,
            to_assistant=form.cleaned_data["to_assistant"],
            note=form.cleaned_data["note"],
        )
    except shift_service.ShiftError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The shift is offered. It stays yours until someone takes it."))
    return redirect("mobile:shift_detail", pk=shift.pk)
