"""Partner scorecards: the formula shown on the page, the ranking, and the rotating chair."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from steering.models import ChairTerm, PartnerTarget
from steering.scorecards import elapsed_share, scorecards

TODAY = date(2026, 7, 15)


@pytest.fixture
def targets(district, partner_a, partner_b):
    return [
        PartnerTarget.objects.create(
            partner=partner_a, year=2026, shifts=4, enterprises=2, cases=40, activities=0
        ),
        PartnerTarget.objects.create(
            partner=partner_b, year=2026, shifts=1, enterprises=1, cases=1, activities=1
        ),
    ]


def test_the_score_is_the_average_achievement_capped_at_one(targets, partner_a):
    card = next(c for c in scorecards(2026, today=TODAY) if c.partner == partner_a)
    lines = {line.key: line for line in card.lines}
    achieved = [
        min(lines[k].actual / lines[k].target, 1) for k in ("shifts", "enterprises", "cases")
    ]
    # Activities have no target, so they are left out of the average.
    assert lines["activities"].achievement is None
    assert card.score == round(100 * sum(achieved) / 3, 1)


def test_behind_compares_the_actual_with_the_share_of_the_year_gone_by(targets, partner_a):
    share = elapsed_share(2026, TODAY)
    assert share == pytest.approx(196 / 365)
    card = next(c for c in scorecards(2026, today=TODAY) if c.partner == partner_a)
    cases = next(line for line in card.lines if line.key == "cases")
    assert cases.expected == pytest.approx(40 * share)
    assert cases.behind == (cases.actual < 40 * share)
    assert card.behind


def test_partners_are_ranked_by_score(targets):
    cards = scorecards(2026, today=TODAY)
    scores = [card.score for card in cards]
    assert scores == sorted(scores, reverse=True)
    assert [card.rank for card in cards] == [1, 2]


def test_the_scorecard_page_shows_the_formula_the_chair_and_who_is_behind(
    client, staff_user, targets, partner_a, django_assert_num_queries
):
    ChairTerm.objects.create(
        sector="finance", partner=partner_a, starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31)
    )
    client.force_login(staff_user)
    # Session, user, the targets with their partners, the four measures' grouped actuals (4),
    # the chairs in office.
    with django_assert_num_queries(8):
        response = client.get(
            reverse("steering:scorecards"), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en"
        )
    page = response.content.decode()
    assert "achievement = min(actual ÷ target, 1)" in page
    assert "partners are behind their targets" in page or "partner is behind" in page
    assert partner_a.short_name in page


def test_a_year_without_targets_says_where_to_add_them(client, staff_user):
    client.force_login(staff_user)
    response = client.get(
        reverse("steering:scorecards"), {"year": "abc"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "No partner has targets for" in response.content.decode()


def test_chair_terms_of_one_alliance_cannot_overlap(partner_a):
    ChairTerm.objects.create(
        sector="finance", partner=partner_a, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    overlapping = ChairTerm(
        sector="finance", partner=partner_a, starts_on=date(2026, 6, 1), ends_on=date(2026, 12, 31)
    )
    with pytest.raises(ValidationError):
        overlapping.full_clean()


def test_the_chair_belongs_to_the_alliances_sector(partner_b):
    term = ChairTerm(
        sector="finance", partner=partner_b, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    with pytest.raises(ValidationError):
        term.full_clean()


def test_the_ranking_exports_to_excel(client, staff_user, targets):
    import io

    from openpyxl import load_workbook

    client.force_login(staff_user)
    response = client.get(
        reverse("steering:scorecard_export"), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en"
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    table = list(book.worksheets[0].iter_rows(values_only=True))
    assert table[0][:3] == ("rank", "partner", "score")
    assert [row[0] for row in table[1:]] == [1, 2]
