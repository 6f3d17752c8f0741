"""Staff side of the partner API: issuing and revoking keys, deciding proposals."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse

from partners.models import ApiKey, AssistantProposal
from tests.api.conftest import client_with_key


def test_staff_issue_a_key_in_the_admin_and_see_it_only_once(client, staff_user, partner_a):
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:partners_apikey_add"),
        {"partner": partner_a.pk, "name": "人事系统", "expires_at_0": "", "expires_at_1": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    raw = re.search(r"tok_[0-9a-f]{8}_\S+", messages).group(0)
    api_key = ApiKey.objects.get()
    assert (api_key.partner, api_key.created_by) == (partner_a, staff_user)
    assert client_with_key(raw).get("/api/v1/partner/").status_code == 200
    client.get(reverse("admin:partners_apikey_changelist"))  # where the message is shown
    page = client.get(reverse("admin:partners_apikey_change", args=[api_key.pk]))
    assert raw not in page.content.decode()
    assert api_key.prefix in page.content.decode()


def test_staff_revoke_keys_from_the_list(client, staff_user, partner_a, key_a):
    client.force_login(staff_user)

    client.post(
        reverse("admin:partners_apikey_changelist"),
        {"action": "revoke", "_selected_action": [ApiKey.objects.get().pk]},
    )

    assert ApiKey.objects.get().revoked_at is not None
    assert client_with_key(key_a).get("/api/v1/partner/").status_code == 401


def test_staff_approve_proposals_from_the_list(client, staff_user, world_a):
    client.force_login(staff_user)

    client.post(
        reverse("admin:partners_assistantproposal_changelist"),
        {"action": "approve", "_selected_action": [world_a["proposal"].pk]},
    )

    assert AssistantProposal.objects.get().status == "approved"
    world_a["assistant"].refresh_from_db()
    assert world_a["assistant"].title == "经理"
