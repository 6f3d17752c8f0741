"""The partner's assistants, and its proposals to add, change or withdraw one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistants import proposals
from assistants.models import Assistant, Dispatch
from cases.models import Case
from partners.models import AssistantProposal

from ..access import manager_page, partner_page
from ..forms import ProposalForm

PAGE_SIZE = 50


def _count_by(queryset, column):
    """A correlated COUNT as a column: one query for the page, however many assistants."""
    counted = queryset.order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


@partner_page
def assistant_list(request):
    """Specialty, skills, licence, current postings, status and open-case load of each one."""
    today = timezone.localdate()
    led = Case.objects.open().filter(lead_id=OuterRef("pk"))
    helped = Case.helpers.through.objects.filter(
        assistant_id=OuterRef("pk"), case__in=Case.objects.open()
    )
    assistants = (
        Assistant.objects.visible_to(request.user)
        .only("id", "name", "specialty", "title", "licence_number", "status")
        .annotate(open_led=_count_by(led, "lead_id"), open_helped=_count_by(helped, "assistant_id"))
        .prefetch_related(
            "skills",
            Prefetch(
                "dispatches",
                queryset=Dispatch.objects.current_on(today)
                .select_related("service_point")
                .order_by("starts_on", "pk"),
                to_attr="current_dispatches",
            ),
        )
        .order_by("name", "pk")
    )
    page = Paginator(assistants, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/assistants.html", {"page": page})


@partner_page
def proposal_list(request):
    """The partner's proposals, newest first, with the district's decision and its reason."""
    items = (
        AssistantProposal.objects.visible_to(request.user)
        .select_related("assistant")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/proposals.html", {"page": page})


@manager_page
def proposal_new(request):
    """Propose a new assistant, a change or a withdrawal; district staff decide."""
    assistants = Assistant.objects.visible_to(request.user).order_by("name", "pk")
    form = ProposalForm(request.POST or None, assistants=assistants)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.propose(
                partner=request.partner,
                kind=form.cleaned_data["kind"],
                assistant=form.cleaned_data.get("assistant"),
                changes=form.changes(),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            form.add_proposal_errors(error)
        else:
            messages.success(request, _("Sent. District staff will decide on the proposal."))
            return redirect("portal:proposals")
    return render(request, "portal/proposal_new.html", {"form": form})


@require_POST
@manager_page
def proposal_cancel(request, pk):
    """Take back a proposal still waiting for staff."""
    proposal = get_object_or_404(AssistantProposal.objects.visible_to(request.user), pk=pk)
    try:
        proposals.cancel_proposal(proposal=proposal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The proposal was taken back."))
    return redirect("portal:proposals")
