"""Finding a visit's target among my cases, enterprises and households."""

from django.db.models import Q
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from cases.models import Case

from ..scopes import NEWEST, first_cases
from .access import assistant_page
from .cases import SEARCH_RESULTS_PER_KIND, _requester_matches
from .visits import _case_label


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
