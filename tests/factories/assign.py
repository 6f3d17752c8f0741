"""Builders for cases in a given state, on top of tests.factories and the real workflow."""

from cases import workflow
from cases.models import Case
from tests import factories


def make_case(**overrides) -> Case:
    """A new case opened through workflow.create_case (so its timeline starts as in real life)."""
    fields = {"title": f"诉求{factories.next_number()}", "source": "service_window"} | overrides
    if "service_item" not in fields:
        fields["service_item"] = factories.make_service_item()
    if "resident" not in fields and "enterprise" not in fields:
        fields["resident"] = factories.make_resident()
    return workflow.create_case(**fields)


def make_assigned_case(*, lead, by=None, **overrides) -> Case:
    """A case assigned to `lead`, waiting for them to accept it."""
    case = make_case(**overrides)
    return workflow.assign_case(case=case, lead=lead, by=by)


def make_case_in_progress(*, lead, by=None, **overrides) -> Case:
    """A case `lead` has accepted and is working on."""
    case = make_assigned_case(lead=lead, by=by, **overrides)
    return workflow.accept_case(case=case, assistant=lead)
