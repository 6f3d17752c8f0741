"""Builders for cases, going through the workflow like every real path does."""

from cases.choices import CaseSource
from cases.workflow import create_case
from tests import factories


def make_case(**overrides):
    """A new case for a fresh resident, opened by `create_case` (so it has its number and event)."""
    fields = {
        "title": f"诉求{factories.next_number()}",
        "source": CaseSource.SERVICE_WINDOW,
    } | overrides
    if "service_item" not in fields:
        fields["service_item"] = factories.make_service_item()
    if "resident" not in fields and "enterprise" not in fields:
        fields["resident"] = factories.make_resident()
    return create_case(**fields)
