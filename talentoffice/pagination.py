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


class PeekPage:
    """One page of a list and whether another follows, found by reading one row more.

    No COUNT at all: on a phone "previous / next" is all the navigation there is, and counting
    an assistant's whole history on every page view would make the page grow with it. Reads
    `per_page + 1` rows at the page's offset; a page number past the end is empty, with a link
    back.
    """

    LAST_PAGE = 10_000

    def __init__(self, queryset, per_page: int, number):
        try:
            # Capped: an offset past a bigint is an SQL error, and nobody pages that far back.
            number = min(max(int(number), 1), self.LAST_PAGE)
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.number = number
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self.has_previous = number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1
