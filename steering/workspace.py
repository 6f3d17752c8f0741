"""The staff workspace (工作台): the landing page at /staff/, one page per queue, and the
queues' actions.

Every action calls the one service that owns the step (`cases.workflow`, `cases.deadlines`,
`cases.referrals`, `assistants.shifts`), which writes the record's timeline. The form carries
the record's `updated_at` as the page showed it: when someone else changed the record since,
nothing is done and the staff member is told what it is now, rather than overwriting their
colleague's decision.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assistants import shifts as shift_service
from assistants.models import Assistant, Shift, SwapRequest, Unavailability
from cases import deadlines, referrals, workflow
from cases.assignment import suggest_for_cases
from cases.models import Case, ExtensionRequest, Referral
from talentoffice.workdays import calendar_warnings

from . import search
from .forms import ItemForm
from .queues import QUEUES, queue_counts
from .views import staff_page

# Rows per queue page. Queues that offer ranked suggestions or suitable colleagues hold fewer
# rows than the others: each row carries its choices, and suitable colleagues cost a query a row.
PER_PAGE = 20
PER_PAGE_WITH_SUGGESTIONS = 10
WITH_SUGGESTIONS = ("assign", "reassign", "referral", "open_shift")
SUGGESTIONS = 3

SELECT_RELATED = {
    "assign": ("service_item", "service_point", "lead"),
    "reassign": ("service_item", "service_point", "lead"),
    "supervise": ("service_item", "service_point", "lead"),
    "unsupervise": ("service_item", "service_point", "lead"),
    "follow_up": ("case", "case__lead", "case__service_item"),
    "extension": ("case", "case__service_item", "requested_by"),
    "referral": ("case", "case__service_item", "case__service_point", "case__lead"),
    "leave": ("assistant", "assistant__partner"),
    "swap": ("shift", "shift__service_point", "requested_by", "accepted_by"),
    "open_shift": ("service_point",),
    "shift": ("service_point", "assistant"),
}


@dataclass
class Row:
    """One record of a queue page, with the choices its action form offers."""

    record: object
    version: str
    choices: list = field(default_factory=list)


# The fields whose change makes a shown form stale, besides the time of the last save (which
# alone would miss two saves within one clock tick).
VERSION_FIELDS = ("state", "lead_id", "status", "assistant_id", "supervised", "sequence")


def version_of(record) -> str:
    """What the form says the record looked like when the page was shown."""
    parts = [str(getattr(record, name)) for name in VERSION_FIELDS if hasattr(record, name)]
    return "|".join([*parts, record.updated_at.isoformat()])


@require_GET
@staff_page()
def workspace(request):
    """The staff's landing page: every queue with its size, grouped."""
    groups = {}
    for item in queue_counts(request.user):
        groups.setdefault(str(item.queue.group), []).append(item)
    return render(
        request,
        "steering/workspace.html",
        {
            "groups": list(groups.items()),
            "calendar_warnings": calendar_warnings(timezone.localdate()),
        },
    )


def _page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def _choices(kind, records, now) -> dict:
    """The action choices of each record of a page, keyed by record id.

    The ranked suggestions of a whole page are asked for at once, so the page's queries do not
    grow with its rows.
    """
    if kind in ("assign", "reassign"):
        return suggest_for_cases(records, now=now, limit=SUGGESTIONS)
    if kind == "referral":
        referred = [record for record in records if record.to_specialty]
        ranked = suggest_for_cases(
            [record.case for record in referred],
            now=now,
            limit=SUGGESTIONS,
            specialties={record.case_id: record.to_specialty for record in referred},
        )
        return {record.pk: ranked[record.case_id] for record in referred}
    if kind == "open_shift":
        return {
            record.pk: list(shift_service.some_suitable_colleagues(record, SUGGESTIONS))
            for record in records
        }
    return {}


@require_GET
@staff_page()
def queue_page(request, key):
    """One queue, a page at a time (no COUNT: the page asks for one row more to know of a next)."""
    queue = QUEUES.get(key)
    if queue is None:
        raise Http404
    now = timezone.now()
    per_page = PER_PAGE_WITH_SUGGESTIONS if queue.kind in WITH_SUGGESTIONS else PER_PAGE
    number = _page_number(request)
    start = (number - 1) * per_page
    queryset = queue.rows(request.user, now).select_related(*SELECT_RELATED[queue.kind])
    item_form = None
    if ItemForm.path_for(queryset.model) is not None:
        item_form = ItemForm(request.GET, user=request.user)
        queryset = item_form.narrow(queryset)
    item = item_form.chosen() if item_form is not None else None
    records = list(queryset[start : start + per_page + 1])
    has_next = len(records) > per_page
    can_act = queue.can_act(request.user)
    records = records[:per_page]
    choices = _choices(queue.kind, records, now) if can_act else {}
    rows = [
        Row(record=record, version=version_of(record), choices=choices.get(record.pk, []))
        for record in records
    ]
    return render(
        request,
        "steering/queue.html",
        {
            "queue": queue,
            "rows": rows,
            "can_act": can_act,
            "page_number": number,
            "has_next": has_next,
            "has_previous": number > 1,
            "item_form": item_form,
            "keep": [],
            "item_query": f"&item={item.pk}" if item else "",
        },
    )


# --- actions -----------------------------------------------------------------------------


class Stale(Exception):
    """The record changed since the page showed it."""

    def __init__(self, record, state):
        self.record = record
        self.state = state


def _current(model, pk, version, state_of, *, lock=True):
    """Read the record (locked, when its service locks it first too) and check that it is
    still as the page showed it."""
    records = model.objects.select_for_update() if lock else model.objects
    record = records.filter(pk=pk).first()
    if record is None:
        raise Http404
    if version_of(record) != version:
        raise Stale(record, state_of(record))
    return record


def _assistant(request):
    try:
        return Assistant.objects.get(pk=int(request.POST.get("assistant", "")))
    except (ValueError, Assistant.DoesNotExist):
        raise ValidationError(_("Choose an assistant.")) from None


def _reason(request) -> str:
    return request.POST.get("reason", "").strip()


def _case_state(case) -> str:
    facts = str(case.get_state_display())
    if case.lead_id is not None:
        facts += _(", led by %(name)s") % {"name": case.lead.name}
    return facts


def _status(record) -> str:
    return str(record.get_status_display())


def _shift_state(shift) -> str:
    name = shift.assistant.name if shift.assistant_id else _("nobody")
    return _("%(status)s, %(name)s on duty") % {"status": shift.get_status_display(), "name": name}


def _case_action(request, queue, visible, pk, version):
    case = _current(Case, pk, version, _case_state)
    if not visible.filter(pk=case.pk).exists():
        raise Http404
    action = request.POST.get("action")
    by = request.user
    if action == "assign":
        lead = _assistant(request)
        workflow.assign_case(case=case, lead=lead, by=by)
        return _("Case %(number)s is assigned to %(name)s.") % {
            "number": case.number,
            "name": lead.name,
        }
    if action == "reassign":
        lead = _assistant(request)
        workflow.reassign_case(case=case, lead=lead, by=by, reason=_reason(request))
        return _("Case %(number)s is reassigned to %(name)s.") % {
            "number": case.number,
            "name": lead.name,
        }
    if action == "supervise":
        deadlines.supervise_case(case=case, by=by, note=_reason(request))
        return _("Case %(number)s is under supervision.") % {"number": case.number}
    if action == "unsupervise":
        deadlines.unsupervise(case=case, by=by, note=_reason(request))
        return _("The supervision of case %(number)s is lifted.") % {"number": case.number}
    raise Http404


def _extension_action(request, queue, visible, pk, version):
    # The service locks the case before the request; locking the request here first would take
    # the two locks in the other order than a lead asking at the same moment.
    extension = _current(ExtensionRequest, pk, version, _status, lock=False)
    if not visible.filter(pk=extension.pk).exists():
        raise Http404
    approve = request.POST.get("action") == "approve"
    deadlines.decide_extension(
        request=extension, by=request.user, approve=approve, reason=_reason(request)
    )
    if approve:
        return _("The extension of case %(number)s is approved.") % {
            "number": extension.case.number
        }
    return _("The extension of case %(number)s is refused.") % {"number": extension.case.number}


def _referral_action(request, queue, visible, pk, version):
    referral = _current(Referral, pk, version, _status, lock=False)
    if not visible.filter(pk=referral.pk).exists():
        raise Http404
    accept = request.POST.get("action") == "accept"
    lead = _assistant(request) if accept and referral.to_specialty else None
    referrals.decide_referral(
        referral=referral, by=request.user, accept=accept, reason=_reason(request), lead=lead
    )
    if accept:
        return _("The referral of case %(number)s is accepted.") % {"number": referral.case.number}
    return _("The referral of case %(number)s is rejected.") % {"number": referral.case.number}


def _leave_action(request, queue, visible, pk, version):
    leave = _current(Unavailability, pk, version, _status)
    if not visible.filter(pk=leave.pk).exists():
        raise Http404
    if request.POST.get("action") == "approve":
        freed = shift_service.approve_leave(unavailability=leave, by=request.user)
        return _("The leave of %(name)s is approved; %(count)s of their shifts are open again.") % {
            "name": leave.assistant.name,
            "count": len(freed),
        }
    shift_service.reject_leave(unavailability=leave, by=request.user)
    return _("The leave of %(name)s is refused.") % {"name": leave.assistant.name}


def _swap_action(request, queue, visible, pk, version):
    # As for extensions: the service locks the shift before the swap.
    swap = _current(SwapRequest, pk, version, _status, lock=False)
    if not visible.filter(pk=swap.pk).exists():
        raise Http404
    if request.POST.get("action") == "approve":
        shift_service.approve_swap(swap=swap, by=request.user)
        return _("The swap is approved: %(name)s takes the shift.") % {
            "name": swap.accepted_by.name
        }
    shift_service.reject_swap(swap=swap, by=request.user, note=_reason(request))
    return _("The swap is refused: the shift stays with %(name)s.") % {
        "name": swap.requested_by.name
    }


def _open_shift_action(request, queue, visible, pk, version):
    shift = _current(Shift, pk, version, _shift_state)
    if not visible.filter(pk=shift.pk).exists():
        raise Http404
    assistant = _assistant(request)
    shift_service.assign_shift(shift=shift, assistant=assistant, by=request.user)
    return _("%(name)s is on duty for this shift.") % {"name": assistant.name}


ACTIONS = {
    "assign": _case_action,
    "reassign": _case_action,
    "supervise": _case_action,
    "unsupervise": _case_action,
    "extension": _extension_action,
    "referral": _referral_action,
    "leave": _leave_action,
    "swap": _swap_action,
    "open_shift": _open_shift_action,
}


@require_POST
@staff_page()
def queue_action(request, key):
    """Act on one record of a queue through its service; refuse if it changed since shown."""
    queue = QUEUES.get(key)
    if queue is None or queue.kind not in ACTIONS:
        raise Http404
    if not queue.can_act(request.user):
        return HttpResponseForbidden(_("You may look at this queue but not act on it."))
    back = reverse("steering:queue", args=[key])
    try:
        pk = int(request.POST.get("pk", ""))
    except ValueError:
        raise Http404 from None
    visible = queue.rows(request.user, timezone.now()).model.objects.visible_to(request.user)
    try:
        with transaction.atomic():
            done = ACTIONS[queue.kind](request, queue, visible, pk, request.POST.get("version", ""))
    except Stale as stale:
        messages.error(
            request,
            _(
                "%(record)s was changed by someone else after this page was shown: it is now "
                "“%(state)s”. Nothing was done; see the queue as it is now."
            )
            % {"record": stale.record, "state": stale.state},
        )
        return redirect(back)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


# --- search ------------------------------------------------------------------------------


@require_GET
@staff_page()
def search_page(request):
    """The global search's results, grouped by kind; a refused query says why."""
    raw = request.GET.get("q", "")
    context = {"search_query": raw.replace("\x00", "")[: search.MAX_LENGTH], "groups": []}
    try:
        query = search.clean_query(raw)
    except search.SearchRefused as refused:
        context["refused"] = str(refused)
    else:
        context["groups"] = search.search(request.user, query)
        context["found"] = any(group.hits for group in context["groups"])
    return render(request, "steering/search.html", context)
