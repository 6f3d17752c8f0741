"""The assistants' phone pages under /m/: today, shifts, cases, visits, follow-ups, inbox.

URL names and the data-testid of every key control are listed in docs/mobile.md (the browser
tests find elements by them; they stay stable).

Every page starts from a visible_to queryset (Shift, Case, Visit; enterprises and residents
through .scopes), so another assistant's shift, case or visit answers 404. Every page runs a
fixed number of queries whatever the data size; tests/mobile/test_queries.py pins each count.
Every change goes through its service function (assistants.shifts, cases.workflow,
cases.visits, cases.intake, talentoffice.notifications): the pages only translate forms into
calls and errors into messages.

Requests sent by the page's JavaScript (header X-Requested-With: XMLHttpRequest) get JSON:
a visit logged from a draft learns whether it was saved, refused (and why), or whether the
session is gone (401), in which case the phone keeps the draft until the assistant logs in.
"""

import hashlib
import os
import re
import uuid
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistants import shifts as shift_service
from assistants.choices import ShiftStatus, SwapStatus
from assistants.models import Assistant, Dispatch, Shift, SwapRequest
from cases import intake, visits, workflow
from cases.choices import CaseOutcome, CaseState
from cases.models import (
    Case,
    Enterprise,
    EnterpriseLiaison,
    FollowUp,
    Resident,
    Visit,
    VisitAttachment,
)
from talentoffice import notifications
from talentoffice.access import is_district_staff
from talentoffice.masking import mask_name
from talentoffice.pagination import PeekPage

from .forms import (
    CaseActionForm,
    CaseFilterForm,
    CheckInForm,
    FollowUpForm,
    MobileLoginForm,
    MobilePasswordChangeForm,
    NewCaseForm,
    OfferShiftForm,
    VisitForm,
)
from .photos import shrink_photos
from .scopes import (
    NEWEST,
    SOONEST_DUE,
    MyCases,
    cases_visible_to,
    enterprises_visible_to,
    first_cases,
    my_requester_ids,
    recent_requesters,
    residents_visible_to,
)

CASES_PER_PAGE = 20
VISITS_PER_PAGE = 20
INBOX_PER_PAGE = 20
TODAY_CASES = 5
TODAY_FOLLOW_UPS = 5
UPCOMING_SHIFTS = 30
PAST_SHIFTS = 20
SWAP_OFFERS_ON_SHIFTS = 5
SWAP_OFFERS_PER_PAGE = 20
COLLEAGUE_CHOICES = 20
TIMELINE_ENTRIES = 50
CASE_VISITS = 20
TARGET_CHOICES_PER_KIND = 30
SEARCH_RESULTS_PER_KIND = 10
# How long a "new case" form key remembers the case it made (a double tap, a retried post).
NEW_CASE_KEY_SECONDS = 24 * 60 * 60
LIVE_SWAPS = (SwapStatus.OPEN, SwapStatus.ACCEPTED)
QR_CACHE_SECONDS = 24 * 60 * 60
NOTIFICATION_TARGETS = {"case", "shift", "followup", "enterpriseliaison"}


# --- access -------------------------------------------------------------------------------------


def wants_json(request) -> bool:
    """A request sent by the page's own JavaScript, which reads JSON answers."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def assistant_page(view):
    """A page for a signed-in assistant; request.assistant is their record.

    Anonymous visitors go to the mobile login (JavaScript gets a 401 with the login address,
    so the phone keeps its draft); staff without an assistant record go to the admin;
    anyone else (a partner manager) is refused.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            login_url = reverse("mobile:login")
            if wants_json(request):
                next_url = request.headers.get("X-Next-Page") or request.get_full_path()
                return JsonResponse(
                    {
                        "ok": False,
                        "error": "login_required",
                        "message": _(
                            "Your session has ended. Log in again: the visit is kept on "
                            "this phone and sent after you log in."
                        ),
                        "login_url": f"{login_url}?{urlencode({'next': next_url})}",
                    },
                    status=401,
                )
            return redirect_to_login(request.get_full_path(), login_url)
        assistant = Assistant.objects.filter(user=request.user).first()
        if assistant is None:
            if is_district_staff(request.user):
                return redirect("admin:index")
            raise PermissionDenied
        request.assistant = assistant
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _next_or(request, default: str) -> str:
    """The page to go back to after a POST: a safe /m/ address the form named, else default."""
    candidate = request.POST.get("next", "")
    if candidate.startswith(reverse("mobile:today")) and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}
    ):
        return candidate
    return default


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- log in and out ------------------------------------------------------------------------------


class MobileLoginView(auth_views.LoginView):
    """Username or phone, and password; an assistant always lands on /m/, never on the admin."""

    template_name = "mobile/login.html"
    authentication_form = MobileLoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        user = self.request.user
        next_url = self.get_redirect_url()
        if Assistant.objects.filter(user=user).exists():
            mobile_root = reverse("mobile:today")
            return next_url if next_url.startswith(mobile_root) else mobile_root
        if is_district_staff(user):
            return next_url or reverse("admin:index")
        return next_url or reverse("mobile:today")


login_view = MobileLoginView.as_view()
logout_view = auth_views.LogoutView.as_view(next_page="mobile:login")
password_change = assistant_page(
    auth_views.PasswordChangeView.as_view(
        template_name="mobile/password_change.html",
        form_class=MobilePasswordChangeForm,
        success_url=reverse_lazy("mobile:password_change_done"),
    )
)
password_change_done = assistant_page(
    auth_views.PasswordChangeDoneView.as_view(template_name="mobile/password_change_done.html")
)


# --- today ---------------------------------------------------------------------------------------


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


# --- shifts --------------------------------------------------------------------------------------


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

    Asked as one OR, PostgreSQL joins every future shift of the district to the open offers
    (16 ms at scale 100); each half alone starts from the few open offers and their shifts by
    primary key (1.5 ms for both, as one UNION ALL). Rows rather than instances, because a
    union of four tables' every column takes longer to compile and plan than to run.
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
def swap_offers(request):
    """Every open offer I may take, soonest first, a page at a time."""
    # Queries: session, user, assistant, one page of offers (one row more, no count).
    page = PeekPage(
        _swap_offers_soonest_first(request.assistant, timezone.now()),
        SWAP_OFFERS_PER_PAGE,
        request.GET.get("page"),
    )
    return render(request, "mobile/swap_offers.html", {"page": page})


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


def calendar_feed_url(request, assistant) -> str:
    """The absolute address of the assistant's private calendar feed."""
    path = reverse("calendar:feed", args=[assistant.calendar_token])
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def _qr_svg(text: str) -> str:
    """An inline SVG QR code (no style attributes: the page's CSS sizes it).

    Choosing a QR code's mask takes segno about 50 ms of pure Python, and the feed address
    changes only when staff reset the token, so the drawing is kept in the cache for a day.
    """
    key = "mobile:qr:" + hashlib.sha256(text.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        qr = segno.make_qr(text, error="m")
        svg = qr.svg_inline(scale=4, border=2, svgclass="m-qr", lineclass=None, omitsize=True)
        cache.set(key, svg, QR_CACHE_SECONDS)
    # segno writes only path data and our own class into it: safe to place in the page as is.
    return mark_safe(svg)


@require_GET
@assistant_page
def calendar(request):
    """The calendar subscription link, with a QR code to scan from the phone's calendar app."""
    # Queries: session, user, assistant.
    url = calendar_feed_url(request, request.assistant)
    webcal = re.sub(r"^https?://", "webcal://", url)
    return render(
        request,
        "mobile/calendar.html",
        {"feed_url": url, "webcal_url": webcal, "qr": _qr_svg(url)},
    )


# --- cases ---------------------------------------------------------------------------------------


@require_GET
@assistant_page
def case_list(request):
    """My cases (lead or helper), filtered by state and due date, soonest due first."""
    # Queries: session, user, assistant, one page of cases with item and requester (one row
    # more to know whether a next page exists: no count of the assistant's whole history).
    user, assistant = request.user, request.assistant
    form = CaseFilterForm(request.GET or None, states=CaseState.choices)
    cases = Case.objects.select_related("service_item", "resident", "enterprise")
    state, due = "", ""
    if form.is_valid():
        state, due = form.cleaned_data["state"], form.cleaned_data["due"]
    if state == "":
        cases = cases.open()
    elif state != "all":
        cases = cases.filter(state=state)
    day = timezone.localdate()
    if due == "overdue":
        cases = cases.due_before(day)
    elif due == "week":
        cases = cases.open().filter(target_date__gte=day, target_date__lte=day + timedelta(days=7))
    page = PeekPage(
        MyCases(user, assistant, cases, SOONEST_DUE), CASES_PER_PAGE, request.GET.get("page")
    )
    rows = [
        {
            "case": case,
            "requester": mask_name(str(case.requester)) if case.resident_id else case.requester,
            "is_lead": case.lead_id == assistant.pk,
            "overdue": case.target_date is not None
            and case.target_date < day
            and case.state in ("new", "assigned", "in_progress"),
        }
        for case in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mobile/cases.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


def _visible_case_or_404(request, pk):
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "service_item", "resident", "enterprise", "lead", "service_point"
        ),
        pk=pk,
    )


def _name_attachments(attachments) -> None:
    """Give each attachment the name a list shows: as uploaded, else the stored file's."""
    for attachment in attachments:
        attachment.display_name = str(attachment) or os.path.basename(attachment.file.name)


def _render_case(request, case, *, action_form=None, status=200):
    # Queries: case (by the caller), timeline, visits, their attachments.
    assistant = request.assistant
    events = list(
        case.events.select_related("assistant", "actor").order_by("-at", "-pk")[:TIMELINE_ENTRIES]
    )
    # No LIMIT in SQL: with one, PostgreSQL walks the district-wide "newest visits" index
    # backwards looking for this case's few visits (220 ms at scale 100 for a case with none);
    # without, it reads them through the case's foreign-key index. A case has a handful.
    case_visits = list(
        case.visits.select_related("assistant")
        .prefetch_related("attachments")
        .order_by("-occurred_at", "-pk")
    )[:CASE_VISITS]
    linkable = hasattr(VisitAttachment, "get_absolute_url")
    for visit in case_visits:
        # Downloads follow Visit.objects.visible_to: a colleague's photos are listed by name.
        visit.attachment_links = linkable and visit.assistant_id == assistant.pk
        _name_attachments(visit.attachments.all())
    actions = workflow.allowed_actions(case=case, assistant=assistant)
    # A refused step whose form is gone now (a stale "resolve" on a case staff resolved) still
    # gives back what was typed: offered in the note form, or shown to copy (docs/mobile.md).
    kept_text = ""
    if action_form is not None and action_form.is_bound:
        action = action_form.data.get("action", "")
        if action in ("resolve", "return") and action not in actions:
            kept_text = action_form.data.get("note" if action == "resolve" else "reason", "")
            kept_text = kept_text.strip()
    return render(
        request,
        "mobile/case_detail.html",
        {
            "case": case,
            "actions": actions,
            "kept_text": kept_text,
            "is_lead": case.lead_id == assistant.pk,
            "events": events,
            "visits": case_visits,
            "outcomes": CaseOutcome.choices,
            "form": action_form or CaseActionForm(),
        },
        status=status,
    )


@require_GET
@assistant_page
def case_detail(request, pk):
    """One of my cases: requester, timeline, visits and the workflow steps allowed now."""
    # Queries: session, user, assistant, case, timeline, visits, attachments.
    return _render_case(request, _visible_case_or_404(request, pk))


def _run_action(*, action, case, assistant, data):
    """Call the workflow function behind one action name."""
    user = assistant.user
    if action == "accept":
        return workflow.accept_case(case=case, assistant=assistant)
    if action == "return":
        return workflow.return_case(case=case, assistant=assistant, reason=data["reason"])
    if action == "resolve":
        return workflow.resolve_case(
            case=case, outcome=data["outcome"], by=user, assistant=assistant, note=data["note"]
        )
    if action == "close":
        return workflow.close_case(case=case, by=user)
    if action == "note":
        return workflow.add_note(case=case, by=user, note=data["note"], assistant=assistant)
    raise Http404  # follow_up has its own page; anything else is not an action


ACTION_DONE = {
    "accept": gettext_lazy("Case accepted. It is now in progress."),
    "return": gettext_lazy("Case returned to staff."),
    "resolve": gettext_lazy("Case resolved. The return visit is scheduled."),
    "close": gettext_lazy("Case closed."),
    "note": gettext_lazy("Note added."),
}


@require_POST
@assistant_page
def case_action(request, pk):
    """Take one workflow step; a step made stale by someone else changes nothing."""
    case = _visible_case_or_404(request, pk)
    form = CaseActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; nothing was changed."))
        return _render_case(request, case, action_form=form, status=400)
    action = form.cleaned_data["action"]
    shown_state = form.cleaned_data["state"]
    allowed = workflow.allowed_actions(case=case, assistant=request.assistant)
    if action not in workflow.ASSISTANT_ACTIONS:
        raise Http404
    # A note fits any state but "closed"; a step needs the state the page showed.
    if action not in allowed or (action != "note" and shown_state != case.state):
        # Someone (staff, a sweep, a colleague on another phone) moved the case since this
        # page was drawn; acting on the old picture would surprise everybody.
        messages.error(
            request,
            _(
                "This case changed while you had it open: it is now “%(state)s”. Nothing was "
                "changed; check the case and try again."
            )
            % {"state": case.get_state_display()},
        )
        return _render_case(request, case, action_form=form, status=409)
    try:
        _run_action(action=action, case=case, assistant=request.assistant, data=form.cleaned_data)
    except workflow.CaseError as error:
        for message in _error_messages(error):
            messages.error(request, message)
        case = _visible_case_or_404(request, pk)  # re-read: the step may have moved it
        return _render_case(request, case, action_form=form, status=409)
    messages.success(request, ACTION_DONE[action])
    return redirect("mobile:case_detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
@assistant_page
def follow_up(request, pk):
    """Record the return visit of one of my resolved cases."""
    # Queries (GET): session, user, assistant, case, open follow-up.
    case = _visible_case_or_404(request, pk)
    if "follow_up" not in workflow.allowed_actions(case=case, assistant=request.assistant):
        messages.error(request, _("This case has no return visit to record now."))
        return redirect("mobile:case_detail", pk=case.pk)
    pending = case.follow_ups.filter(done_at__isnull=True).order_by("due_on", "pk").first()
    if pending is None:
        messages.error(request, _("This case has no return visit to record now."))
        return redirect("mobile:case_detail", pk=case.pk)
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                workflow.record_follow_up(
                    follow_up=pending,
                    method=data["method"],
                    satisfaction=data["satisfaction"],
                    still_solved=data["still_solved"],
                    by=request.assistant,
                    notes=data["notes"],
                )
            except ValidationError as error:
                for message in _error_messages(error):
                    form.add_error(None, message)
                status = 409
            else:
                if data["still_solved"]:
                    messages.success(request, _("Return visit recorded."))
                else:
                    messages.warning(
                        request, _("Return visit recorded. The case is reopened and in progress.")
                    )
                return redirect("mobile:case_detail", pk=case.pk)
        else:
            status = 400
    return render(
        request,
        "mobile/follow_up.html",
        {"case": case, "follow_up": pending, "form": form},
        status=status,
    )


def _requester_from_value(request, value):
    """The resident or enterprise named "resident:<id>" or "enterprise:<id>", if mine to see."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None, None
    if kind == "resident":
        return residents_visible_to(request.user, request.assistant).filter(pk=pk).first(), None
    if kind == "enterprise":
        return None, enterprises_visible_to(request.user, request.assistant).filter(pk=pk).first()
    return None, None


def _requester_matches(request, q):
    """Residents and enterprises of my cases, or that I am the liaison of, matching a name, phone
    or credit code."""
    if not q:
        return []
    resident_ids, enterprise_ids = my_requester_ids(request.user, request.assistant)
    residents = Resident.objects.filter(pk__in=resident_ids).filter(
        Q(name__icontains=q) | Q(phone__contains=q)
    )
    # Enterprises I am the liaison of are mine too; as ids, so the lookup stays by primary key.
    enterprise_ids += EnterpriseLiaison.objects.filter(
        assistant=request.assistant, active=True
    ).values_list("enterprise_id", flat=True)
    enterprises = Enterprise.objects.filter(pk__in=enterprise_ids).filter(
        Q(name__icontains=q) | Q(credit_code__icontains=q)
    )
    # By Lower(name), which no index serves: ordered by the plain name, the planner walks the
    # district's whole name index looking for my few requesters (87 ms at scale 100) instead of
    # picking them by primary key and sorting them. Chinese names sort the same either way.
    return [
        {"value": f"resident:{r.pk}", "label": r.name, "detail": r.phone}
        for r in residents.order_by(Lower("name"), "pk")[:SEARCH_RESULTS_PER_KIND]
    ] + [
        {"value": f"enterprise:{e.pk}", "label": e.name, "detail": e.credit_code}
        for e in enterprises.order_by(Lower("name"), "pk")[:SEARCH_RESULTS_PER_KIND]
    ]


@require_http_methods(["GET", "POST"])
@assistant_page
def case_new(request):
    """Open a case on the spot: find the requester among mine first, else enter a new one."""
    # Queries (GET): session, user, assistant, the chosen requester (if any), residents and
    # enterprises matching the search (if any).
    q = request.GET.get("q", "").strip()[:50]
    data = request.POST if request.method == "POST" else request.GET
    chosen_value = data.get("requester", "")
    resident, enterprise = _requester_from_value(request, chosen_value)
    chosen = resident or enterprise
    if chosen_value and chosen is None:
        raise Http404
    form = NewCaseForm(request.POST or None, initial={"requester": chosen_value})
    # A double tap or a retried post carries the same key and lands on the case made first.
    form_key = (request.POST.get("form_key") or uuid.uuid4().hex)[:64]
    cache_key = f"mobile:case-new:{request.assistant.pk}:{form_key}"
    status = 200
    if request.method == "POST":
        done = cache.get(cache_key)
        if done is not None:
            return redirect("mobile:case_detail", pk=done)
        if form.is_valid():
            case = _open_case(request, form, resident, enterprise)
            if case is not None:
                cache.set(cache_key, case.pk, NEW_CASE_KEY_SECONDS)
                messages.success(
                    request, _("Case %(number)s opened; you lead it.") % {"number": case.number}
                )
                return redirect("mobile:case_detail", pk=case.pk)
        status = 400
    return render(
        request,
        "mobile/case_new.html",
        {
            "form": form,
            "q": q,
            "matches": _requester_matches(request, q),
            "chosen": chosen,
            "chosen_value": chosen_value if chosen else "",
            "form_key": form_key,
        },
        status=status,
    )


def _open_case(request, form, resident, enterprise):
    """Find or create the requester through cases.intake, then open and take the case."""
    data = form.cleaned_data
    try:
        if resident is None and enterprise is None:
            if data["requester_kind"] == "enterprise":
                if data["street"] is None:
                    form.add_error("street", _("Choose the enterprise's street."))
                    return None
                enterprise, _created = intake.find_or_create_enterprise(
                    name=data["name"], credit_code=data["credit_code"], street=data["street"]
                )
            else:
                if not data["name"]:
                    form.add_error("name", _("Give the resident's name."))
                    return None
                resident, _created = intake.find_or_create_resident(
                    name=data["name"], phone=data["phone"]
                )
        return intake.open_case_in_person(
            assistant=request.assistant,
            title=data["title"],
            description=data["description"],
            service_item=data["service_item"],
            source=data["source"],
            resident=resident,
            enterprise=enterprise,
        )
    except ValidationError as error:
        _add_errors(form, error, fallback=None)
        return None


def _add_errors(form, error: ValidationError, *, fallback, rename=None):
    """Put a service's ValidationError on the form's fields, the rest on `fallback`."""
    rename = rename or {}
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            name = rename.get(field, field)
            target = name if name in form.fields else fallback
            for message in ValidationError(field_errors).messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(fallback, message)


# --- visits --------------------------------------------------------------------------------------


def _case_label(case) -> str:
    return f"{case.number} · {case.title}"


def _visit_target(request, value):
    """The case, enterprise or resident a target value names, among mine; else None."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None
    if kind == "case":
        case = (
            Case.objects.visible_to(request.user)
            .select_related("resident", "enterprise")
            .filter(pk=pk)
            .first()
        )
        return case
    if kind == "enterprise":
        return enterprises_visible_to(request.user, request.assistant).filter(pk=pk).first()
    if kind == "resident":
        return residents_visible_to(request.user, request.assistant).filter(pk=pk).first()
    return None


def _target_choices(request, selected=None):
    """The choices of the target select: my open cases, and my enterprises and households."""
    # Queries: open cases, enterprises, residents.
    user, assistant = request.user, request.assistant
    cases = first_cases(user, assistant, Case.objects.open(), NEWEST, TARGET_CHOICES_PER_KIND)
    residents, enterprises = recent_requesters(
        user,
        assistant,
        Case.objects.select_related("resident", "enterprise"),
        TARGET_CHOICES_PER_KIND,
    )
    liaisons = EnterpriseLiaison.objects.filter(assistant=assistant, active=True).select_related(
        "enterprise"
    )[:TARGET_CHOICES_PER_KIND]
    for liaison in liaisons:
        if liaison.enterprise not in enterprises:
            enterprises.append(liaison.enterprise)
    enterprises = sorted(enterprises, key=lambda e: (e.name, e.pk))[:TARGET_CHOICES_PER_KIND]
    residents = sorted(residents, key=lambda r: (r.name, r.pk))
    choices = [
        (_("Cases"), [(f"case:{case.pk}", _case_label(case)) for case in cases]),
        (_("Enterprises"), [(f"enterprise:{e.pk}", e.name) for e in enterprises]),
        (_("Households"), [(f"resident:{r.pk}", mask_name(r.name)) for r in residents]),
    ]
    if selected is not None:
        value, label = selected
        listed = {v for _group, options in choices for v, _label in options}
        if value not in listed:
            choices.insert(0, (_("Chosen"), [(value, label)]))
    return choices


def _target_label(target) -> str:
    if isinstance(target, Case):
        return _case_label(target)
    return target.name


def _target_value(target) -> str:
    kind = {"Case": "case", "Enterprise": "enterprise", "Resident": "resident"}
    return f"{kind[type(target).__name__]}:{target.pk}"


def _visit_json_errors(form, photo_errors):
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    if photo_errors:
        errors["photos"] = photo_errors
    return JsonResponse(
        {
            "ok": False,
            "error": "invalid",
            "message": _("The visit was not saved. Correct what is marked; nothing typed is lost."),
            "errors": errors,
        },
        status=400,
    )


@require_http_methods(["GET", "POST"])
@assistant_page
def visit_new(request):
    """Log a visit: one tap per field, photos from the camera, safe to send twice."""
    # Queries (GET): session, user, assistant, open cases, enterprises, residents, and the
    # preselected target when the page was opened from a case.
    preset = None
    target_value = request.GET.get("target", "")
    if target_value:
        target = _visit_target(request, target_value)
        if target is None:
            raise Http404
        preset = (target_value, _target_label(target))
    if request.method == "GET":
        form = VisitForm(
            initial=VisitForm.fresh_initial(target=target_value),
            target_choices=_target_choices(request, preset),
        )
        return render(request, "mobile/visit_new.html", {"form": form, "photo_errors": []})

    posted_target = _visit_target(request, request.POST.get("target"))
    selected = (request.POST["target"], _target_label(posted_target)) if posted_target else None
    form = VisitForm(request.POST, target_choices=_target_choices(request, selected))
    photo_errors: list[str] = []
    visit = created = None
    # Every mistake is shown at once: the photos are checked whatever else is wrong, and the
    # visit's own rules whatever is wrong with the photos (not one round trip per mistake).
    photos = _checked_photos(request, photo_errors)
    if form.is_valid():
        if posted_target is None:
            form.add_error("target", _("Choose one of your cases, enterprises or households."))
        else:
            visit, created = _log_visit(request, form, posted_target, photos, photo_errors)
    if visit is None:
        if wants_json(request):
            return _visit_json_errors(form, photo_errors)
        return render(
            request,
            "mobile/visit_new.html",
            {"form": form, "photo_errors": photo_errors},
            status=400,
        )
    if created:
        messages.success(request, _("Visit saved."))
    else:
        messages.info(request, _("This visit was already saved; it was not saved twice."))
    next_url = (
        reverse("mobile:case_detail", args=[visit.case_id])
        if visit.case_id
        else reverse("mobile:visit_detail", args=[visit.pk])
    )
    if wants_json(request):
        return JsonResponse(
            {"ok": True, "created": created, "visit": visit.pk, "redirect": next_url},
            status=201 if created else 200,
        )
    return redirect(next_url)


def _visit_service_point(request, occurred_at):
    """The service point of my shift the visit falls in, else of my shift that day, else None.

    A visit made while on duty counts for the point the assistant serves (staff report visits
    per service point); one made on a day off is the assistant's own and names no point.
    """
    shifts = Shift.objects.filter(
        assistant=request.assistant, date=timezone.localdate(occurred_at)
    ).exclude(status=ShiftStatus.CANCELLED)
    during = shifts.filter(starts_at__lte=occurred_at, ends_at__gt=occurred_at)
    shift = during.order_by("starts_at", "pk").first() or shifts.order_by("starts_at", "pk").first()
    return shift.service_point if shift is not None else None


def _checked_photos(request, photo_errors):
    """The uploads shrunk and checked by cases.visits; problems go to photo_errors."""
    try:
        photos = shrink_photos(request.FILES.getlist("photos"))
        visits.check_attachments(photos)
    except ValidationError as error:
        photo_errors.extend(error.messages)
        return []
    return photos


VISIT_FIELD_NAMES = {"case": "target", "service_point": "target", "enterprise": "target"}


def _log_visit(request, form, target, photos, photo_errors):
    """Call cases.visits.log_visit with the checked photos; errors land on the form."""
    data = form.cleaned_data
    case = target if isinstance(target, Case) else None
    enterprise = target if type(target).__name__ == "Enterprise" else None
    resident = target if type(target).__name__ == "Resident" else None
    if case is not None:
        enterprise, resident = case.enterprise, case.resident
    service_point = _visit_service_point(request, data["occurred_at"])
    try:
        # log_visit checks these too, but stops at the first group of problems; asked here
        # first, the fields' problems and the photos' are shown together.
        visits.check_visit(
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            service_point=service_point,
            enterprise=enterprise,
            resident=resident,
            people_present=data["people_present"],
        )
    except ValidationError as error:
        _add_errors(form, error, fallback=None, rename=VISIT_FIELD_NAMES)
    if form.errors or photo_errors:
        return None, None
    try:
        return visits.log_visit(
            assistant=request.assistant,
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            duration_minutes=data["duration_minutes"],
            case=case,
            service_point=service_point,
            enterprise=enterprise,
            resident=resident,
            people_present=data["people_present"],
            notes=data["notes"],
            attachments=photos,
            idempotency_key=data["idempotency_key"],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            _add_errors(form, error, fallback=None, rename=VISIT_FIELD_NAMES)
        else:
            photo_errors.extend(error.messages)
        return None, None


@require_GET
@assistant_page
def visit_detail(request, pk):
    """One of my visits, with its attachments."""
    # Queries: session, user, assistant, visit with case and requester, attachments.
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user)
        .select_related("case", "enterprise", "resident", "service_point")
        .prefetch_related("attachments"),
        pk=pk,
    )
    _name_attachments(visit.attachments.all())
    return render(
        request,
        "mobile/visit_detail.html",
        {"visit": visit, "attachment_links": hasattr(VisitAttachment, "get_absolute_url")},
    )


@require_GET
@assistant_page
def visit_list(request):
    """My visits, newest first."""
    # Queries: session, user, assistant, one page of visits (one row more, no count).
    page = PeekPage(
        # Filtered by the assistant too, so that their index serves the order and the limit.
        Visit.objects.visible_to(request.user)
        .filter(assistant=request.assistant)
        .select_related("case", "enterprise", "resident")
        .order_by("-occurred_at", "-pk"),
        VISITS_PER_PAGE,
        request.GET.get("page"),
    )
    return render(request, "mobile/visits.html", {"page": page})


@require_GET
@assistant_page
def search(request):
    """Find a visit's target among my cases, enterprises and households (JSON for the form)."""
    # Queries: session, user, assistant, cases, enterprises, residents.
    q = request.GET.get("q", "").strip()[:50]
    results = []
    if q:
        cases = first_cases(
            request.user,
            request.assistant,
            Case.objects.filter(Q(number__icontains=q) | Q(title__icontains=q)),
            NEWEST,
            SEARCH_RESULTS_PER_KIND,
        )
        results += [{"value": f"case:{c.pk}", "label": _case_label(c)} for c in cases]
        results += [
            {"value": match["value"], "label": match["label"]}
            for match in _requester_matches(request, q)
        ]
    return JsonResponse({"results": results})


# --- inbox ---------------------------------------------------------------------------------------


@require_GET
@assistant_page
def inbox(request):
    """My notifications, newest first, unread ones marked."""
    # Queries: session, user, assistant, one page of notifications (one row more, no count).
    page = PeekPage(notifications.inbox(request.user), INBOX_PER_PAGE, request.GET.get("page"))
    return render(request, "mobile/inbox.html", {"page": page})


def notification_target(request, notification) -> str:
    """Where a notification leads on the mobile pages: the case or shift it is about.

    Notifications are written for every audience with admin links or none; each names what it
    is about (a case, a shift...), so that is read instead. The page opened still checks that
    the assistant may see it.
    """
    if notification.link.startswith(reverse("mobile:today")):
        return notification.link
    about = notifications.about(notification)
    if about is None or about[0] not in NOTIFICATION_TARGETS:
        return reverse("mobile:inbox")
    kind, pk = about
    if kind == "case":
        return reverse("mobile:case_detail", args=[pk])
    if kind == "shift":
        return reverse("mobile:shift_detail", args=[pk])
    if kind == "followup":
        case_id = FollowUp.objects.filter(pk=pk).values_list("case_id", flat=True).first()
        return reverse("mobile:follow_up", args=[case_id]) if case_id else reverse("mobile:inbox")
    enterprise_id = (
        EnterpriseLiaison.objects.filter(pk=pk, assistant=request.assistant)
        .values_list("enterprise_id", flat=True)
        .first()
    )
    if enterprise_id is None:
        return reverse("mobile:inbox")
    return reverse("mobile:visit_new") + "?" + urlencode({"target": f"enterprise:{enterprise_id}"})


@require_GET
@assistant_page
def inbox_open(request, pk):
    """Open one notification: it is marked read and leads to what it is about."""
    notification = get_object_or_404(notifications.inbox(request.user), pk=pk)
    notifications.mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect(notification_target(request, notification))


@require_POST
@assistant_page
def inbox_read_all(request):
    """Mark every notification of mine as read."""
    count = notifications.mark_read(user=request.user)
    messages.success(request, _("Marked %(count)s as read.") % {"count": count})
    return redirect("mobile:inbox")
