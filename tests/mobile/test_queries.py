"""Every mobile page runs a fixed number of queries, whatever the assistant's amount of data.

Each page is measured with one and with three of everything (shifts, offers, cases with visits,
photos and timeline entries, follow-ups, notifications): the counts must be equal. The first
request of a session is made before measuring, because the phone-session middleware writes the
session's idle expiry once a minute, not on every page.
"""

from datetime import date, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import visits, workflow
from talentoffice.models import Notification
from tests import factories
from tests.factories.shifts import make_shift, make_swap
from tests.factories.visits import JPEG, make_case_in_progress

# Every page begins with: session, user, assistant (the access check). Pages that read through a
# visible_to queryset add one lookup of the user's partner contact (talentoffice.access), once;
# pages listing cases or their requesters add the ids of the cases the assistant helps with
# (read once per request by mobile.scopes.cases_visible_to).
PAGES = {
    # + partner contact, next shift, helped-case ids, open cases led and helped with,
    # follow-ups due, unread count
    "/m/": 10,
    # + partner contact, upcoming shifts (EXISTS for live offers), past shifts, first offers to me
    "/m/shifts/": 7,
    # + one page of offers to me (no count)
    "/m/swaps/": 4,
    # + partner contact, shift, its live offer, suitable colleagues for the offer form
    "/m/shifts/{shift}/": 7,
    # nothing more: the feed address and its QR code are computed
    "/m/calendar/": 3,
    # + helped-case ids, partner contact, one page of cases led and one of cases helped with
    # (one row more than the page, no count)
    "/m/cases/": 7,
    "/m/cases/?state=all": 7,
    # + partner contact, case, timeline, visits, their attachments
    "/m/cases/{case}/": 8,
    # + partner contact, case, the open follow-up
    "/m/cases/{resolved}/follow-up/": 6,
    # + streets and service items of the form's selects
    "/m/cases/new/": 5,
    # + helped-case ids, partner contact, the chosen requester, my requesters' ids, my liaisons'
    # enterprise ids, residents and enterprises matching, service items
    "/m/cases/new/?q=居民&requester=resident:{resident}": 10,
    # + helped-case ids, partner contact, open cases and recent cases with their requesters (each
    # led and helped with), liaisons of the target select
    "/m/visits/new/": 10,
    # + the preselected case
    "/m/visits/new/?target=case:{case}": 11,
    # + partner contact, one page of visits with their case and requester (no count)
    "/m/visits/": 5,
    # + partner contact, the visit with its case and requester, its attachments
    "/m/visits/{visit}/": 6,
    # + helped-case ids, partner contact, cases led and helped with, my requesters' ids, my
    # liaisons' enterprise ids, residents and enterprises matching
    "/m/search/?q=诉求": 10,
    # + one page of notifications (no count)
    "/m/inbox/": 4,
}


def populate(assistant, second_assistant, point, size):
    """`size` of each kind of record of Bob's, and as many of Charlie's that Bob must not see."""
    day = timezone.localdate()
    first_case = first_visit = resolved = None
    for n in range(size):
        make_shift(date=day + timedelta(days=n + 1), service_point=point, assistant=assistant)
        make_shift(date=day - timedelta(days=n + 1), service_point=point, assistant=assistant)
        offered = make_shift(
            date=day + timedelta(days=n + 1),
            starts=time(14),
            ends=time(17),
            service_point=point,
            assistant=second_assistant,
        )
        make_swap(shift=offered, offered_to=assistant)
        case = make_case_in_progress(
            lead=assistant, resident=factories.make_resident(name=f"居民{n}")
        )
        workflow.add_note(case=case, by=assistant.user, note=f"记录{n}")
        visit, _created = visits.log_visit(
            assistant=assistant,
            kind="consultation",
            occurred_at=timezone.now() - timedelta(hours=1),
            duration_minutes=30,
            case=case,
            resident=case.resident,
            attachments=[SimpleUploadedFile(f"p{n}.jpg", JPEG, "image/jpeg")],
        )
        done = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="resolved")
        Notification.objects.create(
            recipient=assistant.user, kind="x", occasion=f"n{n}", subject=f"通知{n}"
        )
        # Bob helps with Charlie's cases too: his lists read the cases he leads and the ones he
        # helps with apart (mobile.scopes.first_cases), one query each.
        make_case_in_progress(lead=second_assistant).helpers.add(assistant)
        make_case_in_progress(lead=second_assistant)
        first_case = first_case or case
        first_visit = first_visit or visit
        resolved = resolved or done
    return {
        "shift": make_shift(
            date=day, starts=time(9), ends=time(12), service_point=point, assistant=assistant
        ).pk,
        "case": first_case.pk,
        "visit": first_visit.pk,
        "resolved": resolved.pk,
        "resident": first_case.resident_id,
    }


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize(("url", "queries"), list(PAGES.items()), ids=list(PAGES))
def test_each_page_runs_a_fixed_number_of_queries(
    bob, assistant, second_assistant, point, dave, url, queries, size, django_assert_num_queries
):
    factories.make_dispatch(assistant=assistant, service_point=point, starts_on=date(2026, 1, 1))
    for colleague in (second_assistant, dave):  # Dave can take Bob's shifts: the offer form
        factories.make_dispatch(
            assistant=colleague, service_point=point, starts_on=date(2026, 1, 1)
        )
    for _n in range(size):  # and `size` more colleagues, each from another partner
        factories.make_dispatch(
            assistant=factories.make_assistant(specialty="finance"),
            service_point=point,
            starts_on=date(2026, 1, 1),
        )
    ids = populate(assistant, second_assistant, point, size)
    path = url.format(**ids)
    bob.get("/m/calendar/")  # the session's first request writes its idle expiry
    with django_assert_num_queries(queries):
        response = bob.get(
            path, headers={"X-Requested-With": "XMLHttpRequest"} if "search" in path else {}
        )
    assert response.status_code == 200
