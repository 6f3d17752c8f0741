"""The 21-item view: cases per service item of the checklist (4 categories, 21 items), each
with its target days and on-time rate, for the monthly report.

Three queries whatever the data size: the items with their categories, the cases opened per
item, and the cases resolved per item with how many of them on time.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from cases.models import ServiceItem

from .figures import Filters, Sources, rows


@dataclass
class ItemLine:
    """One service item's line: target days, cases opened and resolved, resolved on time."""

    category: str
    name: str
    target_days: int
    opened: int
    resolved: int
    on_time: int

    @property
    def on_time_rate(self) -> int | None:
        """Percent of the resolved cases that were resolved by their target date."""
        return round(100 * self.on_time / self.resolved) if self.resolved else None


def by_item(filters: Filters, sources: Sources) -> list[ItemLine]:
    """Every item of the checklist in catalogue order, with its figures for the period."""
    opened = dict(
        rows("cases_opened", filters, sources)
        .values_list("service_item_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    resolved = {
        item_id: (n, on_time)
        for item_id, n, on_time in rows("cases_resolved", filters, sources)
        # A case is on time when it was resolved on or before its target date (district days).
        .alias(resolved_on=TruncDate("resolved_at"))
        .values_list("service_item_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(resolved_on__lte=F("target_date"))),
        )
        .order_by()
    }
    items = (
        ServiceItem.objects.visible_to(sources.user)
        if sources.user is not None
        else ServiceItem.objects.all()
    )
    lines = []
    for item in items.select_related("category").order_by("category__code", "code"):
        n, on_time = resolved.get(item.pk, (0, 0))
        lines.append(
            ItemLine(
                item.category.name, item.name, item.target_days, opened.get(item.pk, 0), n, on_time
            )
        )
    return lines
