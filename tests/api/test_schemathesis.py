"""Schemathesis (from PyPI) against the live schema, served by a real server, with a valid key:
every operation is exercised with valid and invalid data; no answer is a 5xx, and every status
code, content type, header and body matches what the schema documents. Bounded: a few examples
per operation and mode, so the run takes about a minute."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partners.services import create_api_key
from tests import factories
from tests.api.conftest import build_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 4
# Which object of the partner's own world fills `{id}` in each path, so details answer 200 too.
OWN_OBJECT = {
    "agreements": "agreement",
    "assistants": "assistant",
    "assistant-proposals": "proposal",
    "shifts": "shift",
    "cases": "case",
    "visits": "visit",
    "webhook-endpoints": "endpoint",
    "webhook-deliveries": "delivery",
}


@pytest.fixture
def partner_world(transactional_db, settings):
    settings.PARTNER_API_RATE = "100000/min"  # the fuzzer is not what the limit is for
    partner = factories.make_partner()
    assistant = factories.make_assistant(partner=partner)
    world = build_world(partner, assistant, resident_name="王小明", resident_phone="13812345678")
    world["key"] = create_api_key(partner=partner, name="fuzz")[1]
    return world


def exercise(strategy, headers):
    """Send EXAMPLES generated requests of one operation and check every answer."""

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_meets_the_published_schema(live_server, partner_world):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    headers = {"Authorization": f"Bearer {partner_world['key']}", "Accept-Language": "en"}
    operations = [result.ok() for result in schema.get_all_operations()]
    exercised = set()

    for operation in operations:
        own = OWN_OBJECT.get(operation.path.split("/")[3])
        fixed_ids = [None]
        if "{id}" in operation.path and own:
            fixed_ids.append({"id": partner_world[own].pk})
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in fixed_ids:
                strategy = operation.as_strategy(
                    generation_mode=mode, path_parameters=path_parameters
                )
                exercise(strategy, headers)
                exercised.add(operation.label)

    assert exercised == {operation.label for operation in operations}
    assert len(exercised) >= 25
