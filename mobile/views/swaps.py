"""Shifts offered by colleagues: the offers I may take, taking one, withdrawing mine."""

from django.contrib import messages
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assistants import shifts as shift_service
from assistants.choices import SwapStatus
from assistants.models import Dispatch, SwapRequest
from talentoffice.pagination import PeekPage

from .access import _error_messages, assistant_page

SWAP_OFFERS_PER_PAGE = 20


def _swap_offers_to(assistant, now):
    """Open offers this assistant may take: named to them, or to anyone at a point they serve."""
    return _offers_named_to(assistant, now) | _offers_to_anyone_for(assistant, now)


def _offers_named_to(assistant, now):
    return _open_offers_not_by(assistant, now).filter(offered_to=assistant)


def _offers_to_anyone_for(assistant, now):
    serving_at = Dispatch.objects.current_on(timezone.localdate()).filter(assistant=assistant)
    return _open_offers_not_by(assistant, now).filter(
        offered_to__isnull=True,
        shift__specialty=assistant.specialty,
        shift__service_point__in=serving_at.values("service_point_id"),
    )


def _open_offers_not_by(assistant, now):
    return SwapRequest.objects.filter(status=SwapStatus.OPEN, shift__starts_at__gt=now).exclude(
        requested_by=assistant
    )


def _swap_offers_soonest_first(assistant, now):
    """Open offers this assistant may take, soonest shift first, as rows of what a list shows.

    Asked as one OR, PostgreSQL joins every future shift of the district to the open offers;
    each half alone starts from the few open offers and their shifts by primary key, so the
    halves are asked as one UNION ALL. Rows rather than instances, because a union of four
    tables' every column takes longer to compile and plan than to run.
    """
    halves = [
        offers.order_by().values(
            "id",
            "note",
            starts_at=F("shift__starts_at"),
            ends_at=F("shift__ends_at"),
            service_point_name=F("shift__service_point__name"),
            requested_by_name=F("requested_by__name"),
        )
        for offers in (_offers_named_to(assistant, now), _offers_to_anyone_for(assistant, now))
    ]
    return halves[0].union(halves[1], all=True).order_by("starts_at", "id")


@require_GET
@assistant_page
def swap_offers(request):
    """Every open offer I may take, soonest first, a page at a time."""
    # Queries: session, user, assistant, one page of offers (one row more, no count).
    page = PeekPage(
        _swap_offers_soonest_first(request.assistant, timezone.now()),
        SWAP_OFFERS_PER_PAGE,
        request.GET.get("page"),
    )
    return render(request, "mobile/swap_offers.html", {"page": page})


@require_POST
@assistant_page
def swap_accept(request, pk):
    """Take over a colleague's shift offered to me (or to anyone suitable)."""
    swap = get_object_or_404(_swap_offers_to(request.assistant, timezone.now()), pk=pk)
    try:
        swap = shift_service.accept_swap(swap=swap, by_assistant=request.assistant)
    except shift_service.ShiftError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        if swap.status == SwapStatus.APPROVED:
            messages.success(request, _("The shift is now yours."))
        else:
            messages.success(
                request, _("You accepted the shift; it becomes yours when staff approve.")
            )
    return redirect("mobile:shifts")


@require_POST
@assistant_page
def swap_cancel(request, pk):
    """Withdraw my offer of a shift before a colleague takes it."""
    swap = get_object_or_404(SwapRequest.objects.filter(requested_by=request.assistant), pk=pk)
    try:
        shift_service.cancel_swap(swap=swap, by_assistant=request.assistant)
    except shift_service.ShiftError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Your offer is withdrawn."))
    return redirect("mobile:shift_detail", pk=swap.shift_id)
