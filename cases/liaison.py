"""Enterprise liaison (挂钩联系): which linked enterprises are due for their regular visit."""

from datetime import datetime, time, timedelta

from django.db.models import DateTimeField, DurationField, F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from assistants.choices import AssistantStatus

from .models import EnterpriseLiaison, Visit


class Days(Func):
    """A whole number of days as a duration, on PostgreSQL and on the embedded SQLite alike.

    Django cannot multiply an interval by a column on SQLite, where durations are stored as
    microseconds; each backend gets the arithmetic it understands.
    """

    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="make_interval(days => %(expressions)s)")

    def as_sql(self, compiler, connection, template=None, **extra_context):
        if template is None:
            template = "(%(expressions)s * 86400000000)"
        return super().as_sql(compiler, connection, template=template, **extra_context)


def last_visit_subquery():
    """The latest visit by the liaison's own assistant to the liaison's enterprise."""
    return Subquery(
        Visit.objects.filter(
            enterprise=OuterRef("enterprise_id"), assistant=OuterRef("assistant_id")
        )
        .order_by("-occurred_at")
        .values("occurred_at")[:1],
        output_field=DateTimeField(),
    )


def with_visit_due(queryset):
    """Annotate liaisons with `last_visit_at` and `visit_due_at` (when the next visit is due).

    A liaison never visited counts its interval from the day it was set up: a link made
    yesterday is not overdue today, but one made two months ago and never used is.
    """
    return queryset.annotate(
        last_visit_at=last_visit_subquery(),
    ).annotate(
        visit_due_at=Coalesce(F("last_visit_at"), F("created_at")) + Days(F("visit_interval_days")),
    )


def enterprises_due_for_visit(*, today):
    """Active liaisons whose enterprise their assistant has not visited within its interval.

    One query whatever the number of liaisons: the last visit is a correlated subquery served
    by the (enterprise, occurred_at) index, and the enterprise and assistant come joined.
    A visit on day D with an interval of N days makes the enterprise due again on day D + N
    (district time).
    """
    tz = timezone.get_current_timezone()
    end_of_today = datetime.combine(today + timedelta(days=1), time.min, tz)
    return (
        with_visit_due(EnterpriseLiaison.objects.filter(active=True))
        .filter(assistant__status=AssistantStatus.ACTIVE, visit_due_at__lt=end_of_today)
        .select_related("enterprise", "assistant__partner", "assistant__user")
        .order_by("visit_due_at", "pk")
    )
