"""Guessing the ID of another assistant's, street's or partner's object in a URL finds nothing:
404 (or a refusal) on every route that takes an ID, and nothing is changed.

The API's routes are walked here for a partner manager's session; tests/api/test_isolation.py
walks each of them for an API key. The admin is walked by tests/roles/test_matrix.py.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assistants.models import Shift, SwapRequest
from cases.models import Case
from cases.visits import log_visit
from talentoffice.models import Notification
from tests.factories.shifts import make_swap


@pytest.fixture
def foreign(district):
    """Charlie's west-street things, which Bob, the east coordinator and Erin must not reach."""
    charlie = district["charlie"]
    visit, _created = log_visit(
        assistant=charlie,
        kind="consultation",
        occurred_at=timezone.now() - timedelta(hours=2),
        duration_minutes=30,
        service_point=district["west"],
        notes="西街来访",
    )
    swap = make_swap(shift=district["west shift"], requested_by=charlie)
    notification = Notification.objects.create(
        recipient=district["charlie login"],
        kind="test",
        occasion="charlie-1",
        subject="陈诚的提醒",
    )
    return district.objects | {"visit": visit, "swap": swap, "notification": notification}


# (route, who asks, whose object, method): every answer must be 404.
GUESSES = [
    ("mobile:shift_detail", "assistant", "west shift", "get"),
    ("mobile:check_in", "assistant", "west shift", "post"),
    ("mobile:check_out", "assistant", "west shift", "post"),
    ("mobile:shift_offer", "assistant", "west shift", "post"),
    ("mobile:swap_accept", "assistant", "swap", "post"),
    ("mobile:swap_cancel", "assistant", "swap", "post"),
    ("mobile:case_detail", "assistant", "west case", "get"),
    ("mobile:case_action", "assistant", "west case", "post"),
    ("mobile:follow_up", "assistant", "west case", "post"),
    ("mobile:case_reveal", "assistant", "west case", "post"),
    ("mobile:extension", "assistant", "west case", "get"),
    ("mobile:extension", "assistant", "west case", "post"),
    ("mobile:visit_detail", "assistant", "visit", "get"),
    ("mobile:inbox_open", "assistant", "notification", "get"),
    ("public:point_poster", "coordinator", "west", "get"),
    ("public:point_qr", "coordinator", "west", "get"),
    ("api:assistant-detail", "partner manager", "charlie", "get"),
    ("api:shift-detail", "partner manager", "west shift", "get"),
    ("api:case-detail", "partner manager", "west case", "get"),
    ("api:visit-detail", "partner manager", "visit", "get"),
    ("api:agreement-detail", "partner manager", "agreement B", "get"),
]

# Routes with an ID that answer by permission rather than by row, or are walked elsewhere.
ELSEWHERE = {
    "rota:preview": "rotas are district-wide: only roles with rota permissions (test_matrix)",
    "rota:publish": "as rota:preview",
    "rota:discard": "as rota:preview",
    "steering:campaign": "campaigns are district-wide: steering.view_campaign (test_matrix)",
    "steering:campaign_upload": "as steering:campaign",
    "steering:campaign_pick": "as steering:campaign",
    "steering:campaign_export": "as steering:campaign",
    "api:assistant-proposal-detail": "a partner's own proposals: tests/api/test_isolation.py",
    "api:assistant-proposal-cancel": "as api:assistant-proposal-detail",
    "api:webhook-endpoint-detail": "a partner's own endpoints: tests/api/test_isolation.py",
    "api:webhook-delivery-detail": "a partner's own deliveries: tests/api/test_isolation.py",
    "api:webhook-delivery-replay": "as api:webhook-delivery-detail",
    "files:visit_attachment": "uploads, served only with the visit: the uploads tests",
    "portal:proposal_cancel": "a partner's own records: tests/portal/test_pages.py (another "
    "partner's ids answer 404 to every page and action)",
    "portal:case_detail": "as portal:proposal_cancel",
    "portal:key_revoke": "as portal:proposal_cancel",
    "portal:webhook_edit": "as portal:proposal_cancel",
    "portal:webhook_test": "as portal:proposal_cancel",
    "portal:webhook_delete": "as portal:proposal_cancel",
    "portal:delivery_replay": "as portal:proposal_cancel",
}


def routes_with_an_id(resolver=None, namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from routes_with_an_id(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and "pk" in pattern.pattern.regex.groupindex:
            yield f"{namespace}:{pattern.name}"


def test_every_route_that_takes_an_id_is_guessed_here_or_elsewhere():
    guessed = {route for route, _who, _what, _method in GUESSES}
    assert set(routes_with_an_id()) - guessed - set(ELSEWHERE) == set()


@pytest.mark.parametrize(("route", "who", "what", "method"), GUESSES)
def test_guessing_another_ones_id_answers_404(client, district, foreign, route, who, what, method):
    client.force_login(district.users[who])
    target = foreign[what]
    before = type(target).objects.filter(pk=target.pk).values().get()
    url = reverse(route, args=[target.pk])
    response = getattr(client, method)(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 404, (route, response.status_code)
    assert type(target).objects.filter(pk=target.pk).values().get() == before
    # Nothing of the object leaks into the answer.
    for name in ("陈诚", "西街"):
        assert name not in response.text


def test_a_guessed_check_in_records_nothing(client, district, foreign):
    client.force_login(district.users["assistant"])
    shift = foreign["west shift"]
    client.post(reverse("mobile:check_in", args=[shift.pk]))
    assert Shift.objects.get(pk=shift.pk).checked_in_at is None
    assert SwapRequest.objects.get(pk=foreign["swap"].pk).status == foreign["swap"].status
    assert Case.objects.get(pk=foreign["west case"].pk).state == foreign["west case"].state
