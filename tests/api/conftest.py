"""Fixtures of the partner API tests: a key per partner, and a small world for each partner."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from cases import workflow
from partners.models import AssistantProposal, WebhookEndpoint
from partners.services import create_api_key
from partners.webhooks import emit
from tests import factories
from tests.factories.assign import make_case


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Rate-limit counters live in the (process-memory) cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def client_with_key(raw_key: str, language: str = "en") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def key_a(partner_a):
    return create_api_key(partner=partner_a, name="HR system")[1]


@pytest.fixture
def key_b(partner_b):
    return create_api_key(partner=partner_b, name="HR system")[1]


@pytest.fixture
def api_a(key_a):
    return client_with_key(key_a)


@pytest.fixture
def api_b(key_b):
    return client_with_key(key_b)


def build_world(partner, assistant, *, resident_name, resident_phone):
    """One of everything the API shows, belonging to this partner."""
    point = factories.make_service_point()
    factories.make_dispatch(assistant=assistant, service_point=point)
    agreement = factories.make_agreement(partner=partner)
    shift = factories.make_shift(assistant=assistant, service_point=point)
    item = factories.make_service_item(specialty=assistant.specialty)
    resident = factories.make_resident(name=resident_name, phone=resident_phone)
    case = make_case(service_item=item, resident=resident, service_point=point)
    workflow.assign_case(case=case, lead=assistant, by=None)
    case = workflow.accept_case(case=case, assistant=assistant)
    from cases.visits import log_visit

    visit, _created = log_visit(
        assistant=assistant,
        kind="consultation",
        occurred_at=timezone.now() - timedelta(hours=2),
        duration_minutes=30,
        case=case,
        service_point=point,
        resident=resident,
    )
    proposal = AssistantProposal.objects.create(
        partner=partner, kind="change", assistant=assistant, changes={"title": "经理"}
    )
    endpoint = WebhookEndpoint.objects.create(
        partner=partner, url="https://hooks.example.com/talent", events=["case.resolved"]
    )
    [delivery] = emit(event="case.resolved", partner_ids=[partner.pk], data={"case": case.pk})
    delivery.status = "failed"
    delivery.save(update_fields=["status"])
    return {
        "partner": partner,
        "assistant": assistant,
        "service_point": point,
        "agreement": agreement,
        "shift": shift,
        "case": case,
        "resident": resident,
        "visit": visit,
        "proposal": proposal,
        "endpoint": endpoint,
        "delivery": delivery,
    }


@pytest.fixture
def world_a(partner_a, assistant):
    return build_world(partner_a, assistant, resident_name="王小明", resident_phone="13812345678")


@pytest.fixture
def world_b(partner_b, second_assistant):
    return build_world(
        partner_b, second_assistant, resident_name="李大华", resident_phone="13987654321"
    )
