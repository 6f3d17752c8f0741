"""Builders of valid rows for the tests: the basic ones here (from .base), the rest by topic
(assign, intake, notify, pages, roles, rota, shifts, visits), each on top of these."""

from .base import (
    make_agreement,
    make_assistant,
    make_community,
    make_contact,
    make_credit_code,
    make_dispatch,
    make_enterprise,
    make_licence_number,
    make_mobile,
    make_partner,
    make_resident,
    make_service_item,
    make_service_point,
    make_shift,
    make_shift_template,
    make_street,
    next_number,
)

__all__ = [
    "make_agreement",
    "make_assistant",
    "make_community",
    "make_contact",
    "make_credit_code",
    "make_dispatch",
    "make_enterprise",
    "make_licence_number",
    "make_mobile",
    "make_partner",
    "make_resident",
    "make_service_item",
    "make_service_point",
    "make_shift",
    "make_shift_template",
    "make_street",
    "next_number",
]
