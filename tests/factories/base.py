"""Small builders for valid records; each takes overrides and fills the rest plausibly."""

import itertools
from datetime import date

from assistants.models import Assistant, Dispatch, ServicePoint
from cases.models import Enterprise, Resident, ServiceCategory, ServiceItem
from partners.models import Agreement, Partner, PartnerContact
from talentoffice.models import Community, Street
from talentoffice.validators import credit_code_check_character

_sequence = itertools.count(1)


def next_number() -> int:
    return next(_sequence)


def make_credit_code(number: int | None = None) -> str:
    """A valid unified social credit code, different for every number."""
    number = next_number() if number is None else number
    body = f"91350100{number:09d}"
    return body + credit_code_check_character(body)


def make_mobile(number: int | None = None) -> str:
    number = next_number() if number is None else number
    return f"138{number:08d}"


def make_licence_number(number: int | None = None) -> str:
    number = next_number() if number is None else number
    return f"13501{2010:04d}1{number:07d}"[:17]


def make_street(**overrides) -> Street:
    fields = {"name": f"街道{next_number()}"} | overrides
    return Street.objects.create(**fields)


def make_community(**overrides) -> Community:
    fields = {"name": f"社区{next_number()}"} | overrides
    if "street" not in fields:
        fields["street"] = make_street()
    return Community.objects.create(**fields)


def make_partner(**overrides) -> Partner:
    number = next_number()
    fields = {
        "name": f"合作银行{number}",
        "short_name": f"银行{number}",
        "sector": "finance",
        "kind": "bank",
        "credit_code": make_credit_code(number),
    } | overrides
    return Partner.objects.create(**fields)


def make_agreement(**overrides) -> Agreement:
    fields = {
        "title": "战略合作协议",
        "signed_on": date(2024, 1, 10),
        "starts_on": date(2024, 1, 10),
        "ends_on": date(2026, 12, 31),
    } | overrides
    if "partner" not in fields:
        fields["partner"] = make_partner()
    return Agreement.objects.create(**fields)


def make_contact(**overrides) -> PartnerContact:
    fields = {"name": "联系人", "phone": make_mobile()} | overrides
    if "partner" not in fields:
        fields["partner"] = make_partner()
    return PartnerContact.objects.create(**fields)


def make_assistant(**overrides) -> Assistant:
    fields = {"name": f"助理{next_number()}", "phone": make_mobile()} | overrides
    if "partner" not in fields:
        fields["partner"] = make_partner()
    fields.setdefault("specialty", fields["partner"].sector)
    return Assistant.objects.create(**fields)


def make_service_point(**overrides) -> ServicePoint:
    fields = {
        "name": f"服务点{next_number()}",
        "kind": "community_point",
        "address": "台江区工业路1号",
    } | overrides
    if "street" not in fields:
        fields["street"] = make_street()
    return ServicePoint.objects.create(**fields)


def make_dispatch(**overrides) -> Dispatch:
    fields = {"starts_on": date(2026, 1, 1)} | overrides
    if "assistant" not in fields:
        fields["assistant"] = make_assistant()
    if "service_point" not in fields:
        fields["service_point"] = make_service_point()
    return Dispatch.objects.create(**fields)


def make_enterprise(**overrides) -> Enterprise:
    number = next_number()
    fields = {
        "name": f"企业{number}",
        "credit_code": make_credit_code(number + 500_000),
    } | overrides
    if "street" not in fields:
        fields["street"] = make_street()
    return Enterprise.objects.create(**fields)


def make_resident(**overrides) -> Resident:
    fields = {"name": f"居民{next_number()}", "phone": make_mobile()} | overrides
    return Resident.objects.create(**fields)


def make_service_item(**overrides) -> ServiceItem:
    number = next_number()
    fields = {
        "code": f"I{number}",
        "name": f"服务事项{number}",
        "specialty": "legal",
        "target_days": 10,
        "follow_up_days": 7,
    } | overrides
    if "category" not in fields:
        fields["category"] = ServiceCategory.objects.create(code=f"C{number}", name=f"类别{number}")
    return ServiceItem.objects.create(**fields)


def make_shift_template(**overrides):
    from datetime import time

    from assistants.models import ShiftTemplate

    fields = {"weekday": 0, "starts_at": time(9), "ends_at": time(12)} | overrides
    if "service_point" not in fields:
        fields["service_point"] = make_service_point()
    return ShiftTemplate.objects.create(**fields)


def make_shift(**overrides):
    """A published-by-default (no rota) shift tomorrow 9:00-12:00 local time."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from assistants.models import Shift

    day = overrides.pop("date", timezone.localdate() + timedelta(days=1))
    tz = timezone.get_current_timezone()
    fields = {
        "date": day,
        "starts_at": datetime.combine(day, time(9), tz),
        "ends_at": datetime.combine(day, time(12), tz),
        "specialty": "finance",
    } | overrides
    if "service_point" not in fields:
        fields["service_point"] = make_service_point()
    if fields.get("assistant") is not None:
        fields["specialty"] = fields["assistant"].specialty
    return Shift.objects.create(**fields)
