"""An assistant sees only their own shifts, cases and visits, and their cases' requesters: 404."""

from datetime import date

import pytest

from cases.models import Case, Visit
from talentoffice.models import Notification
from tests import factories
from tests.factories.shifts import make_shift
from tests.factories.visits import make_case_in_progress


@pytest.fixture
def charlies_shift(second_assistant, point):
    factories.make_dispatch(assistant=second_assistant, service_point=point)
    return make_shift(date=date(2026, 3, 3), service_point=point, assistant=second_assistant)


@pytest.fixture
def charlies_case(second_assistant):
    return make_case_in_progress(lead=second_assistant)


@pytest.fixture
def charlies_visit(second_assistant, charlies_case):
    from cases import visits

    visit, _created = visits.log_visit(
        assistant=second_assistant,
        kind="consultation",
        occurred_at=charlies_case.created_at,
        duration_minutes=20,
        case=charlies_case,
        resident=charlies_case.resident,
    )
    return visit


@pytest.mark.parametrize(
    "url",
    [
        "/m/shifts/{shift}/",
        "/m/cases/{case}/",
        "/m/cases/{case}/follow-up/",
        "/m/visits/{visit}/",
        "/m/visits/new/?target=case:{case}",
        "/m/visits/new/?target=resident:{resident}",
        "/m/cases/new/?requester=resident:{resident}",
    ],
)
def test_another_assistants_pages_are_not_found(
    bob, url, charlies_shift, charlies_case, charlies_visit
):
    path = url.format(
        shift=charlies_shift.pk,
        case=charlies_case.pk,
        visit=charlies_visit.pk,
        resident=charlies_case.resident_id,
    )
    assert bob.get(path).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/m/shifts/{shift}/check-in/",
        "/m/shifts/{shift}/check-out/",
        "/m/shifts/{shift}/offer/",
        "/m/cases/{case}/action/",
        "/m/cases/{case}/follow-up/",
    ],
)
def test_another_assistants_shift_or_case_cannot_be_changed(
    bob, url, charlies_shift, charlies_case
):
    path = url.format(shift=charlies_shift.pk, case=charlies_case.pk)
    response = bob.post(path, {"action": "note", "state": "in_progress", "note": "x"})
    assert response.status_code == 404
    charlies_shift.refresh_from_db()
    assert charlies_shift.status == "scheduled"
    assert not charlies_case.events.filter(kind="note").exists()


def test_a_visit_cannot_be_logged_on_another_assistants_case(bob, charlies_case):
    response = bob.post(
        "/m/visits/new/",
        {
            "idempotency_key": "k",
            "target": f"case:{charlies_case.pk}",
            "kind": "consultation",
            "occurred_at": "2026-03-03T08:00",
            "duration_minutes": "10",
            "people_present": "1",
        },
    )
    assert response.status_code == 400
    assert "Choose one of your cases" in response.content.decode()
    assert Visit.objects.count() == 0


def test_another_persons_notification_is_not_found(bob, second_assistant):
    theirs = Notification.objects.create(
        recipient=second_assistant.user, kind="x", occasion="theirs", subject="私信"
    )
    assert bob.get(f"/m/inbox/{theirs.pk}/").status_code == 404
    assert "私信" not in bob.get("/m/inbox/").content.decode()


def test_lists_show_only_my_own(bob, charlies_shift, charlies_case, charlies_visit):
    assert f'data-shift-id="{charlies_shift.pk}"' not in bob.get("/m/shifts/").content.decode()
    assert f'data-case-id="{charlies_case.pk}"' not in bob.get("/m/cases/").content.decode()
    assert f'data-visit-id="{charlies_visit.pk}"' not in bob.get("/m/visits/").content.decode()
    assert Case.objects.count() == 1
