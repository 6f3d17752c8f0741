"""Campaign progress from logged visits and cases, and target lists from a spreadsheet."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cases.models import Visit
from steering import campaigns
from steering.models import Campaign, CampaignTarget
from tests import factories

from .conftest import local


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def drive(district):
    """ "A thousand cadres into a thousand enterprises" over May, on the three enterprises."""
    campaign = Campaign.objects.create(
        name="千名干部进千企",
        target_kind="enterprise",
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 31),
    )
    campaigns.add_targets(campaign=campaign, ids=[e.pk for e in district.enterprises])
    return campaign


def _visit(assistant, enterprise, day):
    return Visit.objects.create(
        kind="enterprise_visit",
        assistant=assistant,
        enterprise=enterprise,
        occurred_at=local(day, 15),
        duration_minutes=40,
    )


def _reached_by_hand(campaign, district):
    """Enterprises with a visit or an opened case inside the campaign's days."""
    reached = set()
    for enterprise in district.enterprises:
        for visit in Visit.objects.filter(enterprise=enterprise):
            if campaign.starts_on <= visit.occurred_at.astimezone().date() <= campaign.ends_on:
                reached.add(enterprise.pk)
        for case in enterprise.cases.all():
            if campaign.starts_on <= case.created_at.astimezone().date() <= campaign.ends_on:
                reached.add(enterprise.pk)
    return reached


def test_progress_counts_targets_visited_or_served_in_the_period(drive, district, assistant):
    quiet = factories.make_enterprise(street=district.streets[1])
    district.enterprises.append(quiet)
    campaigns.add_targets(campaign=drive, ids=[quiet.pk])
    before = campaigns.progress(drive)
    assert before.total == 4
    assert before.reached == len(_reached_by_hand(drive, district))
    unreached = [t.enterprise for t in campaigns.targets_with_reach(drive) if not t.reached]
    _visit(assistant, unreached[0], date(2026, 5, 20))
    _visit(assistant, unreached[0], date(2026, 6, 2))  # after the campaign: not counted
    after = campaigns.progress(drive)
    assert after.reached == before.reached + 1
    assert after.reached == len(_reached_by_hand(drive, district))
    by_street = {row["street"]: (row["done"], row["total"]) for row in after.by_street}
    assert sum(total for _done, total in by_street.values()) == 4
    assert sum(done for done, _total in by_street.values()) == after.reached
    assert any(row["assistant_id"] == assistant.pk for row in after.by_assistant)


def test_only_the_campaigns_own_people_count_when_it_names_them(
    drive, district, assistant, second_assistant
):
    Visit.objects.filter(enterprise__in=district.enterprises).delete()
    drive.targets.exclude(enterprise=district.enterprises[2]).delete()
    drive.partners.set([assistant.partner])
    baseline = campaigns.progress(drive).reached
    _visit(second_assistant, district.enterprises[2], date(2026, 5, 10))
    assert campaigns.progress(drive).reached == baseline
    _visit(assistant, district.enterprises[2], date(2026, 5, 11))
    assert campaigns.progress(drive).reached == 1


def test_the_campaign_page_shows_progress_and_the_targets_not_reached(
    staff_client, drive, django_assert_num_queries
):
    # Session, user, the campaign, its assistants and partners (2), the progress totals, by
    # street, by partner, by assistant (4), the unreached targets' count (1; every target is
    # reached here, so no page of them is read), the target-picking form's streets (1).
    with django_assert_num_queries(11):
        response = staff_client.get(
            reverse("steering:campaign", args=[drive.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Targets not yet reached" in page and "By street" in page


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("targets.xlsx", data.getvalue())


def test_a_target_list_with_unknown_enterprises_is_reported_row_by_row_and_adds_nothing(
    staff_client, drive, district
):
    drive.targets.all().delete()
    upload = _xlsx(
        [
            ["统一社会信用代码"],
            [district.enterprises[0].credit_code],
            ["91350103MA0000000X"],
            [""],
            ["not a code"],
        ]
    )
    response = staff_client.post(
        reverse("steering:campaign_upload", args=[drive.pk]),
        {"file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.context["upload_errors"]
    assert [(number, value) for number, value, _reason in errors] == [
        (3, "91350103MA0000000X"),
        (5, "not a code"),
    ]
    assert "No enterprise has this credit code." in response.content.decode()
    assert not CampaignTarget.objects.filter(campaign=drive).exists()


def test_a_good_target_list_adds_every_row_once(staff_client, drive, district):
    drive.targets.all().delete()
    codes = [e.credit_code for e in district.enterprises]
    csv = ("信用代码\n" + "\n".join(codes + codes[:1]) + "\n").encode("utf-8-sig")
    upload = SimpleUploadedFile("targets.csv", csv)
    response = staff_client.post(
        reverse("steering:campaign_upload", args=[drive.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert set(drive.targets.values_list("enterprise_id", flat=True)) == {
        e.pk for e in district.enterprises
    }


def test_an_unreadable_file_is_explained(staff_client, drive):
    upload = SimpleUploadedFile("targets.xlsx", b"not a workbook")
    response = staff_client.post(
        reverse("steering:campaign_upload", args=[drive.pk]),
        {"file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not a readable .xlsx workbook" in response.content.decode()
    upload = SimpleUploadedFile("targets.pdf", b"%PDF-1.4")
    response = staff_client.post(
        reverse("steering:campaign_upload", args=[drive.pk]),
        {"file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Upload an .xlsx or .csv file." in response.content.decode()


def test_targets_can_be_picked_by_street(staff_client, drive, district):
    drive.targets.all().delete()
    street = district.streets[0]
    response = staff_client.post(
        reverse("steering:campaign_pick", args=[drive.pk]), {"street": street.pk}
    )
    assert response.status_code == 302
    assert set(drive.targets.values_list("enterprise__street", flat=True)) == {street.pk}
    response = staff_client.post(
        reverse("steering:campaign_pick", args=[drive.pk]),
        {"street": street.pk, "industry": "no such trade"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No record matches these filters" in response.content.decode()


def test_a_campaign_cannot_end_before_it_starts(db):
    campaign = Campaign(
        name="x", target_kind="household", starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 1)
    )
    with pytest.raises(ValidationError):
        campaign.full_clean()


def test_the_demo_adds_campaigns_activities_targets_and_the_chairs(district, client, staff_user):
    from demo.seeding.steering import build_for_existing_district
    from steering.models import Activity, ChairTerm, PartnerTarget

    before = Activity.objects.count()
    counts = build_for_existing_district()
    assert Campaign.objects.count() == counts["campaigns"] == 3
    assert Activity.objects.count() == before + counts["activities"]
    assert PartnerTarget.objects.count() == 2
    assert ChairTerm.objects.filter(sector="finance").count() == 4
    client.force_login(staff_user)
    response = client.get(reverse("steering:dashboard"), {"preset": "year"})
    assert not response.context["charts"][-1].empty  # the campaign progress chart
    assert response.context["charts"][0].key == "enterprises_reached_by_street"
