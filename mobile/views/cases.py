"""My cases: the list, one case with its actions, the return visit, a new case."""

import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import intake, workflow
from cases.choices import CaseOutcome, CaseState
from cases.models import (
    Case,
    Enterprise,
    EnterpriseLiaison,
    PersonalDataAccess,
    Resident,
    VisitAttachment,
)
from cases.privacy import client_address
from talentoffice.admin_base import phone_term
from talentoffice.masking import PERSONAL_FIELDS, mask_name, mask_phone
from talentoffice.pagination import PeekPage

from ..forms import CaseActionForm, CaseFilterForm, FollowUpForm, NewCaseForm
from ..scopes import (
    SOONEST_DUE,
    MyCases,
    enterprises_visible_to,
    my_requester_ids,
    residents_visible_to,
)
from .access import _error_messages, assistant_page

CASES_PER_PAGE = 20
TIMELINE_ENTRIES = 50
CASE_VISITS = 20
SEARCH_RESULTS_PER_KIND = 10
# How long a "new case" form key remembers the case it made (a double tap, a retried post).
NEW_CASE_KEY_SECONDS = 24 * 60 * 60


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


def _render_case(request, case, *, action_form=None, status=200, revealed=False):
    # Queries: case (by the caller), timeline, visits, their attachments.
    assistant = request.assistant
    events = list(
        case.events.select_related("assistant", "actor").order_by("-at", "-pk")[:TIMELINE_ENTRIES]
    )
    # No LIMIT in SQL: with one, PostgreSQL walks the district-wide "newest visits" index
    # backwards looking for this case's few visits (longest for a case with none); without,
    # it reads them through the case's foreign-key index. A case has a handful.
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
            "revealed": revealed,
            "resident_phone": _shown(case, "phone", revealed),
            "resident_address": _shown(case, "address", revealed),
        },
        status=status,
    )


def _shown(case, field, revealed):
    """A resident's phone or address as the page shows it: masked unless just revealed."""
    if case.resident_id is None:
        return ""
    value = getattr(case.resident, field)
    return value if revealed else PERSONAL_FIELDS["cases.resident"][field](value)


def _reveal_reason(case, then) -> str:
    # Staff read the log, so it is written in the district's language, not the phone's.
    with translation.override(settings.LANGUAGE_CODE):
        if then == "call":
            return _("Phone pages: dialled for case %(number)s") % {"number": case.number}
        return _("Phone pages: shown for case %(number)s") % {"number": case.number}


@require_POST
@assistant_page
def case_reveal(request, pk):
    """Show or dial the resident's phone and address of one of my cases, once, logged.

    The lead needs them to call or find the resident, but a phone left open on a desk should not
    show them to whoever picks it up; so each look is a tap and a row in the personal-data log
    (cases.privacy), naming the case it was for.
    """
    case = _visible_case_or_404(request, pk)
    if case.resident_id is None:
        raise Http404
    then = "call" if request.POST.get("then") == "call" else "show"
    PersonalDataAccess.objects.create(
        kind=PersonalDataAccess.Kind.VIEW,
        user=request.user,
        username=request.user.get_username(),
        resident=case.resident,
        case=case,
        reason=_reveal_reason(case, then),
        remote_addr=client_address(request),
    )
    return _render_case(request, case, revealed=then)


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
    if action == "return":
        # Returned, the case is no longer theirs to see: back to the cases that still are.
        return redirect("mobile:cases")
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
    # A phone is matched only whole: a part of one ("1380") answering "found" or "not found"
    # would spell out the masked digits of my residents' phones without a row in the log.
    by_phone = phone_term(q)
    residents = Resident.objects.filter(pk__in=resident_ids).filter(
        Q(name__icontains=q) | Q(phone=by_phone) if by_phone else Q(name__icontains=q)
    )
    # Enterprises I am the liaison of are mine too; as ids, so the lookup stays by primary key.
    enterprise_ids += EnterpriseLiaison.objects.filter(
        assistant=request.assistant, active=True
    ).values_list("enterprise_id", flat=True)
    enterprises = Enterprise.objects.filter(pk__in=enterprise_ids).filter(
        Q(name__icontains=q) | Q(credit_code__icontains=q)
    )
    # By Lower(name), which no index serves: ordered by the plain name, the planner walks the
    # district's whole name index looking for my few requesters instead of picking them by
    # primary key and sorting them. Chinese names sort the same either way.
    return [
        # Masked as in my case list: the phone shows in full only on the case page, when tapped.
        {"value": f"resident:{r.pk}", "label": r.name, "detail": mask_phone(r.phone)}
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
