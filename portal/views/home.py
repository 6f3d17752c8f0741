"""The portal's home: the partner at a glance, its agreements and the district's contacts."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from assistants.models import Assistant, Shift
from cases.models import Case
from partners.choices import ProposalStatus
from partners.models import Agreement, AssistantProposal, PartnerContact

from ..access import partner_page


@partner_page
def home(request):
    """Counts of what matters this week, the agreements and the contacts on file."""
    user = request.user
    now = timezone.now()
    context = {
        "active_assistants": Assistant.objects.visible_to(user).active().count(),
        "open_cases": Case.objects.visible_to(user).open().count(),
        "coming_shifts": Shift.objects.visible_to(user)
        .live()
        .between(now, now + timedelta(days=7))
        .count(),
        "pending_proposals": AssistantProposal.objects.visible_to(user)
        .filter(status=ProposalStatus.PENDING)
        .count(),
        # A partner has a handful of agreements and contacts; the slices keep the page bounded.
        "agreements": Agreement.objects.visible_to(user).order_by("-starts_on", "-pk")[:20],
        "contacts": PartnerContact.objects.visible_to(user).order_by("name", "pk")[:50],
    }
    return render(request, "portal/home.html", context)
