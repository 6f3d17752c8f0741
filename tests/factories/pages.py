"""Builders for rotas and shifts as the staff rota pages show them."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from assistants.models import Rota, Shift
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_rota(**overrides) -> Rota:
    fields = {
        "name": f"值班表{factories.next_number()}",
        "starts_on": date(2026, 3, 2),
        "ends_on": date(2026, 3, 8),
    } | overrides
    if fields.get("status") == "published":
        fields.setdefault("published_at", timezone.now())
    return Rota.objects.create(**fields)


def make_shift(*, day: date, starts: time = time(9), ends: time = time(12), **overrides) -> Shift:
    """A shift on a local day and local hours (Asia/Shanghai), open unless an assistant is given."""
    fields = {
        "date": day,
        "starts_at": datetime.combine(day, starts, tzinfo=SHANGHAI),
        "ends_at": datetime.combine(day, ends, tzinfo=SHANGHAI),
        "specialty": "finance",
    } | overrides
    if "service_point" not in fields:
        fields["service_point"] = factories.make_service_point()
    if fields.get("assistant") is not None and "specialty" not in overrides:
        fields["specialty"] = fields["assistant"].specialty
    return Shift.objects.create(**fields)
