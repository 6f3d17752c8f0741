"""The partner portal: the role walk, one partner never sees another's records, masking,
keys and webhooks through the same rows as the API, bad input, bounded query counts."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import ApiKey, AssistantProposal, WebhookDelivery, WebhookEndpoint
from partners.services import create_api_key
from portal.urls import urlpatterns
from talentoffice import roles
from tests import factories
from tests.api.conftest import client_with_key
from tests.factories.assign import make_case_in_progress
from tests.factories.roles import make_login
from tests.portal.conftest import client_of

pytestmark = pytest.mark.django_db

READ_PAGES = ["home", "assistants", "proposals", "duty", "cases", "case_detail", "exports"]
READ_PAGES += ["export_assistants", "export_shifts", "export_cases"]
MANAGE_PAGES = ["proposal_new", "keys", "webhooks", "webhook_edit", "deliveries"]
WHO = ["anonymous", "assistant", "a manager", "a viewer", "b manager", "coordinator", "staff"]

# What each person gets on each page of partner A's world, in the order of WHO.
# 302: to the login page; 403: the wrong-role page; 404: not theirs (another partner's record).
MATRIX = {
    "home": [302, 403, 200, 200, 200, 403, 403],
    "assistants": [302, 403, 200, 200, 200, 403, 403],
    "proposals": [302, 403, 200, 200, 200, 403, 403],
    "duty": [302, 403, 200, 200, 200, 403, 403],
    "cases": [302, 403, 200, 200, 200, 403, 403],
    "case_detail": [302, 403, 200, 200, 404, 403, 403],
    "exports": [302, 403, 200, 200, 200, 403, 403],
    "export_assistants": [302, 403, 200, 200, 200, 403, 403],
    "export_shifts": [302, 403, 200, 200, 200, 403, 403],
    "export_cases": [302, 403, 200, 200, 200, 403, 403],
    "proposal_new": [302, 403, 200, 403, 200, 403, 403],
    "keys": [302, 403, 200, 403, 200, 403, 403],
    "webhooks": [302, 403, 200, 403, 200, 403, 403],
    "webhook_edit": [302, 403, 200, 403, 404, 403, 403],
    "deliveries": [302, 403, 200, 403, 200, 403, 403],
}


def url_of(page, world):
    if page == "case_detail":
        return reverse("portal:case_detail", args=[world["case"].pk])
    if page == "webhook_edit":
        return reverse("portal:webhook_edit", args=[world["endpoint"].pk])
    return reverse(f"portal:{page}")


@pytest.fixture
def people(assistant, partner_a_manager, partner_a_viewer, partner_b_manager, staff_user):
    street = factories.make_street()
    return {
        "anonymous": None,
        "assistant": assistant.user,
        "a manager": partner_a_manager,
        "a viewer": partner_a_viewer,
        "b manager": partner_b_manager,
        "coordinator": make_login("cora", roles.STREET_COORDINATOR, street=street),
        "staff": staff_user,
    }


def test_every_portal_page_answers_each_role_as_the_matrix_says(people, world_a, world_b):
    assert set(MATRIX) == set(READ_PAGES) | set(MANAGE_PAGES)
    answers = {}
    for page, expected in MATRIX.items():
        for who, status in zip(WHO, expected, strict=True):
            response = client_of(people[who]).get(url_of(page, world_a))
            if response.streaming:
                # Read to the end: the test client then closes the workbook's temporary file.
                b"".join(response.streaming_content)
            answers[page, who] = response.status_code
            if status == 302 and response.status_code == 302:
                assert response["Location"].startswith("/login/?next=/partner/")
    assert answers == {
        (page, who): status
        for page, expected in MATRIX.items()
        for who, status in zip(WHO, expected, strict=True)
    }


def test_every_portal_route_is_in_the_role_walk():
    posted_only = {
        "proposal_cancel",
        "key_revoke",
        "webhook_test",
        "webhook_delete",
        "delivery_replay",
    }
    assert {pattern.name for pattern in urlpatterns} == set(MATRIX) | posted_only


def test_no_list_or_detail_shows_partner_bs_records_to_partner_a(
    partner_a_manager, world_a, world_b
):
    api_key_b, _raw = create_api_key(partner=world_b["partner"], name="B 的系统")
    WebhookEndpoint.objects.filter(pk=world_b["endpoint"].pk).update(url="https://b.example.com/")
    client = client_of(partner_a_manager)
    pages = (
        "".join(
            client.get(reverse(f"portal:{page}")).content.decode()
            for page in ["home", "assistants", "proposals", "duty", "cases", "keys", "webhooks"]
        )
        + client.get(reverse("portal:deliveries")).content.decode()
    )
    assert world_a["case"].number in pages
    assert world_a["assistant"].name in pages
    for foreign in [
        world_b["case"].number,
        world_b["assistant"].name,
        "https://b.example.com/",
        api_key_b.prefix,
        "李",
    ]:
        assert foreign not in pages, foreign


def test_another_partners_records_answer_404_to_every_action(partner_a_manager, world_b):
    client = client_of(partner_a_manager)
    api_key_b = ApiKey.objects.create(partner=world_b["partner"], name="B", prefix="bbbbbbbb")
    for url in [
        reverse("portal:case_detail", args=[world_b["case"].pk]),
        reverse("portal:webhook_edit", args=[world_b["endpoint"].pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("portal:delivery_replay", args=[world_b["delivery"].pk]),
        reverse("portal:webhook_test", args=[world_b["endpoint"].pk]),
        reverse("portal:webhook_delete", args=[world_b["endpoint"].pk]),
        reverse("portal:key_revoke", args=[api_key_b.pk]),
        reverse("portal:proposal_cancel", args=[world_b["proposal"].pk]),
    ]:
        assert client.post(url).status_code == 404, url
    assert WebhookDelivery.objects.filter(partner=world_b["partner"]).count() == 1
    assert WebhookEndpoint.objects.filter(partner=world_b["partner"]).exists()
    assert ApiKey.objects.get(pk=api_key_b.pk).revoked_at is None
    assert AssistantProposal.objects.get(pk=world_b["proposal"].pk).status == "pending"


def test_residents_are_masked_on_the_case_pages_as_the_api_masks_them(partner_a_manager, world_a):
    client = client_of(partner_a_manager)
    listing = client.get(reverse("portal:cases")).content.decode()
    detail = client.get(reverse("portal:case_detail", args=[world_a["case"].pk])).content.decode()
    for page in (listing, detail):
        assert "王**" in page
        assert "138****5678" in page
        assert "王小明" not in page
        assert "13812345678" not in page


def test_the_exports_hold_only_the_partners_rows_and_mask_residents(
    partner_a_manager, world_a, world_b
):
    client = client_of(partner_a_manager)
    text = ""
    for page in ["export_assistants", "export_shifts", "export_cases"]:
        response = client.get(reverse(f"portal:{page}"))
        assert response.status_code == 200
        workbook = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        text += "".join(
            workbook.read(name).decode() for name in workbook.namelist() if "worksheets" in name
        )
    assert world_a["case"].number in text
    assert world_a["assistant"].name in text
    assert "138****5678" in text
    for secret in ["13812345678", "王小明", world_b["case"].number, world_b["assistant"].name]:
        assert secret not in text, secret


def test_a_phone_typed_in_a_case_title_is_scrubbed(partner_a_manager, world_a):
    case = make_case_in_progress(lead=world_a["assistant"], title="请回电 13912345678")
    page = client_of(partner_a_manager).get(reverse("portal:cases")).content.decode()
    assert case.number in page
    assert "13912345678" not in page


# ---------------------------------------------------------------------------------------------
# Keys


def test_a_key_made_in_the_portal_works_on_the_api_until_revoked_there(partner_a_manager):
    client = client_of(partner_a_manager, language="en")
    response = client.post(reverse("portal:keys"), {"name": "HR system"})
    assert response.status_code == 200
    raw_key = response.context["created"].raw_key
    assert raw_key in response.content.decode()
    api = client_with_key(raw_key)
    assert api.get("/api/v1/assistants/").status_code == 200
    api_key = ApiKey.objects.get(name="HR system")
    assert api_key.created_by == partner_a_manager
    # Shown once: the list never shows it again.
    assert raw_key not in client.get(reverse("portal:keys")).content.decode()
    client.post(reverse("portal:key_revoke", args=[api_key.pk]))
    assert client_with_key(raw_key).get("/api/v1/assistants/").status_code == 401


def test_a_duplicate_key_name_or_an_expiry_in_the_past_is_refused_in_chinese(
    partner_a_manager,
):
    client = client_of(partner_a_manager)
    client.post(reverse("portal:keys"), {"name": "HR system"})
    again = client.post(reverse("portal:keys"), {"name": "hr system"})
    assert again.status_code == 400
    assert "已有同名的密钥" in again.content.decode()
    past = client.post(reverse("portal:keys"), {"name": "旧系统", "expires_on": "2020-01-01"})
    assert past.status_code == 400
    assert "新密钥的到期日必须晚于今天" in past.content.decode()
    assert ApiKey.objects.count() == 1


def test_a_viewer_cannot_make_a_key(partner_a_viewer):
    response = client_of(partner_a_viewer).post(reverse("portal:keys"), {"name": "x"})
    assert response.status_code == 403
    assert not ApiKey.objects.exists()


# ---------------------------------------------------------------------------------------------
# Webhooks


def test_a_webhook_endpoint_made_in_the_portal_shows_its_secret_once(partner_a_manager):
    client = client_of(partner_a_manager)
    response = client.post(
        reverse("portal:webhooks"),
        {"url": "https://hooks.example.com/in", "events": ["case.resolved"]},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(reverse("portal:webhooks")).content.decode()


def test_a_plain_http_or_private_callback_is_refused_and_nothing_saved(partner_a_manager, settings):
    settings.PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    client = client_of(partner_a_manager)
    for url in ["http://hooks.example.com/in", "https://10.0.0.5/in", "https://127.0.0.1/in"]:
        response = client.post(
            reverse("portal:webhooks"), {"url": url, "events": ["case.resolved"]}
        )
        assert response.status_code == 400, url
        assert "回调" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_same_endpoint_sent_twice_is_saved_once(partner_a_manager):
    client = client_of(partner_a_manager)
    data = {"url": "https://hooks.example.com/in", "events": ["case.resolved"]}
    client.post(reverse("portal:webhooks"), data)
    assert client.post(reverse("portal:webhooks"), data).status_code == 400
    assert WebhookEndpoint.objects.count() == 1


def test_pausing_an_endpoint_and_sending_it_a_test_event(partner_a_manager, world_a):
    client = client_of(partner_a_manager)
    endpoint = world_a["endpoint"]
    response = client.post(
        reverse("portal:webhook_edit", args=[endpoint.pk]),
        {"url": endpoint.url, "events": ["case.resolved", "case.closed"], "description": "HR"},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert endpoint.events == ["case.resolved", "case.closed"]
    client.post(reverse("portal:webhook_test", args=[endpoint.pk]))
    test_delivery = WebhookDelivery.objects.filter(endpoint=endpoint, event="ping").get()
    assert test_delivery.payload["event"] == "ping"
    assert test_delivery.partner_id == world_a["partner"].pk


def test_replaying_a_failed_delivery_sends_the_same_event_again(partner_a_manager, world_a):
    failed = world_a["delivery"]
    client_of(partner_a_manager).post(reverse("portal:delivery_replay", args=[failed.pk]))
    again = WebhookDelivery.objects.get(replay_of=failed)
    assert again.event_id == failed.event_id


# ---------------------------------------------------------------------------------------------
# Proposals


def test_a_proposal_made_in_the_portal_waits_for_the_district(partner_a_manager, partner_a):
    response = client_of(partner_a_manager).post(
        reverse("portal:proposal_new"),
        {"kind": "new", "name": "林新", "phone": "13700001111"},
    )
    assert response.status_code == 302
    proposal = AssistantProposal.objects.get(partner=partner_a)
    assert proposal.status == "pending"
    assert proposal.changes == {"name": "林新", "phone": "13700001111"}


def test_a_proposal_about_another_partners_assistant_is_refused(
    partner_a_manager, second_assistant
):
    response = client_of(partner_a_manager).post(
        reverse("portal:proposal_new"),
        {"kind": "withdrawal", "assistant": second_assistant.pk},
    )
    assert response.status_code == 200
    assert not AssistantProposal.objects.exists()


def test_the_decision_on_a_proposal_shows_with_its_reason(partner_a_manager, world_a):
    proposal = world_a["proposal"]
    proposal.status = "rejected"
    proposal.decision_reason = "材料不全"
    proposal.save(update_fields=["status", "decision_reason"])
    page = client_of(partner_a_manager).get(reverse("portal:proposals")).content.decode()
    assert "材料不全" in page


# ---------------------------------------------------------------------------------------------
# Query counts


LIST_PAGES = ["home", "assistants", "proposals", "duty", "cases", "keys", "webhooks", "deliveries"]


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", LIST_PAGES)
def test_each_list_page_runs_the_same_queries_for_one_record_or_many(
    partner_a_manager, world_a, page, django_assert_max_num_queries
):
    create_api_key(partner=world_a["partner"], name="HR system", by=partner_a_manager)
    client = client_of(partner_a_manager)
    url = reverse(f"portal:{page}")
    client.get(url)  # the session and the translations are loaded once
    small = queries_of(client, url)
    for _more in range(4):
        extra = factories.make_assistant(partner=world_a["partner"])
        factories.make_dispatch(assistant=extra, service_point=world_a["service_point"])
        make_case_in_progress(lead=extra)
        factories.make_shift(assistant=extra, service_point=world_a["service_point"])
        ApiKey.objects.create(
            partner=world_a["partner"], name=f"k{extra.pk}", prefix=f"p{extra.pk}"
        )
        AssistantProposal.objects.create(
            partner=world_a["partner"], kind="withdrawal", assistant=extra
        )
    # session, user, contact, partner, the page's own reads: at most 12 on any page.
    with django_assert_max_num_queries(12):
        big = queries_of(client, url)
    assert big == small
