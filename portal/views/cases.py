"""Cases the partner's people lead or help on, with residents masked as the API masks them."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from assistants.models import Assistant
from cases.choices import CaseState
from cases.models import Case, CaseEvent
from talentoffice.masking import mask_name, mask_phone, scrub

from ..access import partner_page

PAGE_SIZE = 50
CASE_COLUMNS = [
    "id",
    "number",
    "title",
    "state",
    "target_date",
    "follow_up_due",
    "created_at",
    "service_item__name",
    "lead__name",
    "lead__partner_id",
    "resident__name",
    "resident__phone",
    "enterprise__name",
]


def masked(case, partner_id):
    """What a partner reads of a case: the API's masking (mask_name, mask_phone, scrub)."""
    resident = case.resident if case.resident_id else None
    lead = case.lead if case.lead_id and case.lead.partner_id == partner_id else None
    return {
        "case": case,
        "title": scrub(case.title),
        "resident_name": mask_name(resident.name) if resident else "",
        "resident_phone": mask_phone(resident.phone) if resident else "",
        "lead_name": lead.name if lead else "",
    }


def _cases(user):
    return Case.objects.visible_to(user).select_related(
        "service_item", "lead", "resident", "enterprise"
    )


@partner_page
def case_list(request):
    """Newest first; a state filter from the case's own states."""
    cases = _cases(request.user).only(*CASE_COLUMNS).order_by("-created_at", "-pk")
    state = request.GET.get("state", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    else:
        state = ""
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [masked(case, request.partner.pk) for case in page]
    return render(
        request,
        "portal/cases.html",
        {"page": page, "rows": rows, "state": state, "states": CaseState.choices},
    )


@partner_page
def case_detail(request, pk):
    """One case: its item, state, deadlines and timeline; another partner's answers 404."""
    own_helpers = Assistant.objects.for_partner(request.partner).only("id", "name")
    case = get_object_or_404(
        _cases(request.user).prefetch_related(Prefetch("helpers", queryset=own_helpers)),
        pk=pk,
    )
    events = (
        CaseEvent.objects.filter(case=case)
        .select_related("assistant")
        .only(
            "id",
            "kind",
            "at",
            "from_state",
            "to_state",
            "note",
            "assistant__name",
            "assistant__partner_id",
        )
        .order_by("at", "pk")
    )
    timeline = [
        {
            "event": event,
            "note": scrub(event.note),
            # Only the partner's own people are named; others are "an assistant".
            "assistant_name": event.assistant.name
            if event.assistant_id and event.assistant.partner_id == request.partner.pk
            else "",
        }
        for event in events
    ]
    return render(
        request,
        "portal/case_detail.html",
        {"item": masked(case, request.partner.pk), "timeline": timeline},
    )
