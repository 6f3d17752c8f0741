"""Cursor pages: no COUNT over big tables, stable under inserts, `page_size` up to 100."""

from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Pages in the view's ordering (newest first unless the view or `ordering` says otherwise)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")
