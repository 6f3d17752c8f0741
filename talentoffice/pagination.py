"""Pagination that never runs an exact COUNT over a big table."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


def planner_row_estimate(queryset) -> int | None:
    """Ask PostgreSQL's planner how many rows the queryset returns; None where it cannot say."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg returns parsed JSON, but be safe with other drivers
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Counts exactly when the planner expects few rows, and trusts its estimate otherwise.

    An exact COUNT(*) over hundreds of thousands of residents costs a sequential scan on every
    page view; staff paging through a list need the order of magnitude, not the last digit.
    """

    @cached_property
    def count(self):
        queryset = self.object_list
        if hasattr(queryset, "query"):
            estimate = planner_row_estimate(queryset)
            if estimate is not None and estimate >= settings.ESTIMATED_COUNT_THRESHOLD:
                return estimate
        return super().count
