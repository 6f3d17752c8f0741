"""Nothing personal shows in full on the phone pages until the lead taps "show" or "call".

Bob's resident has a phone, an address and an ID number on file, and the free text of Bob's
cases, visits, notes and return visits carries another phone, an ID number, a card and an
e-mail. Every /m/ page Bob opens is read for any of them.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases import visits, workflow
from cases.models import FollowUp, PersonalDataAccess
from tests import factories
from tests.factories.visits import make_case_in_progress
from tests.privacy.conftest import make_id_number

PHONE = "13800004444"
ADDRESS = "幸福小区3栋2单元501"
ID_NUMBER = make_id_number("35010219850214123")
TEXT_PHONE = "13912345678"
TEXT_ID = make_id_number("35010319900307123")
CARD = "6222021234567890123"
EMAIL = "zhang.san@example.com"
TEXT = f"请回电{TEXT_PHONE}，身份证{TEXT_ID}，卡号{CARD}，邮箱{EMAIL}"
FULL_VALUES = (PHONE, ADDRESS, "2单元501", ID_NUMBER, TEXT_PHONE, TEXT_ID, CARD, EMAIL)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bobs_cases(assistant):
    resident = factories.make_resident(
        name="赵大爷", phone=PHONE, address=ADDRESS, id_number=ID_NUMBER
    )
    open_case = make_case_in_progress(
        lead=assistant, resident=resident, title=TEXT[:40], description=TEXT
    )
    workflow.add_note(case=open_case, by=assistant.user, note=TEXT, assistant=assistant)
    visit, _created = visits.log_visit(
        assistant=assistant,
        kind="consultation",
        occurred_at=timezone.now() - timedelta(hours=1),
        duration_minutes=30,
        case=open_case,
        resident=resident,
        notes=TEXT,
    )
    resolved = make_case_in_progress(lead=assistant, resident=resident, title=TEXT[:40])
    workflow.resolve_case(case=resolved, outcome="resolved", note=TEXT)
    FollowUp.objects.filter(case=resolved).update(notes=TEXT)
    return {"open": open_case, "resolved": resolved, "visit": visit, "resident": resident}


def pages(cases):
    open_case, resident = cases["open"], cases["resident"]
    return [
        "/m/",
        "/m/cases/",
        "/m/cases/?state=all",
        "/m/cases/new/",
        "/m/cases/new/?q=赵",
        f"/m/cases/new/?q={PHONE}",
        f"/m/cases/new/?requester=resident:{resident.pk}",
        f"/m/cases/{open_case.pk}/",
        f"/m/cases/{cases['resolved'].pk}/",
        f"/m/cases/{cases['resolved'].pk}/follow-up/",
        "/m/visits/",
        "/m/visits/new/",
        f"/m/visits/new/?target=case:{open_case.pk}",
        f"/m/visits/{cases['visit'].pk}/",
        "/m/search/?q=赵",
        f"/m/search/?q={PHONE}",
        f"/m/search/?q={TEXT_PHONE[:7]}",
        "/m/inbox/",
    ]


def test_no_phone_page_shows_a_full_phone_id_number_address_card_or_e_mail(bob, bobs_cases):
    for url in pages(bobs_cases):
        response = bob.get(url)
        assert response.status_code == 200, url
        # The page repeats what the assistant typed (the search box, the address to come back
        # to); that is theirs, not the record's, and the third test reads the results for it.
        typed = url.partition("q=")[2]
        content = response.content.decode()
        assert [v for v in FULL_VALUES if v in content and v != typed] == [], url
    # Reading is not revealing: nothing was written to the personal-data log.
    assert not PersonalDataAccess.objects.exists()


def test_the_text_is_there_masked_and_the_phone_shows_when_tapped(bob, bobs_cases):
    case_page = bob.get(f"/m/cases/{bobs_cases['open'].pk}/").content.decode()
    assert "139****5678" in case_page
    assert "138****4444" in case_page

    revealed = bob.post(f"/m/cases/{bobs_cases['open'].pk}/reveal/", {"then": "show"})

    assert PHONE in revealed.content.decode()
    assert PersonalDataAccess.objects.get().case == bobs_cases["open"]


def test_the_requester_search_finds_a_whole_phone_only_and_shows_it_masked(bob, bobs_cases):
    whole = bob.get("/m/cases/new/", {"q": PHONE}).content.decode()
    part = bob.get("/m/cases/new/", {"q": PHONE[:8]}).content.decode()
    search_part = bob.get("/m/search/", {"q": PHONE[:8]}).json()["results"]

    assert 'data-testid="case-new-match"' in whole
    assert "138****4444" in whole
    # A part of the phone tells nothing: asked digit by digit, it would spell the phone out.
    assert 'data-testid="case-new-match"' not in part
    assert search_part == []
