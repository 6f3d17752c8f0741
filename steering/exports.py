"""Excel exports of every list and report, written row by row without a cap.

The workbook writer is the programme's one export base (talentoffice.exporting): each worksheet
streams into a temporary file on disk, text that a spreadsheet would run as a formula is made
inert, and the queryset is read with a server-side cursor in chunks, so memory stays flat
whatever the number of rows.
"""

from talentoffice.exporting import CHUNK, XLSX_CONTENT_TYPE, XlsxWriter, inert

XLSX = XLSX_CONTENT_TYPE

__all__ = ["CHUNK", "XLSX", "XlsxWriter", "inert", "table_rows"]


def table_rows(queryset, table):
    """Every row of the queryset as cells, read in chunks with the table's joins."""
    queryset = queryset.select_related(*table.related)
    if table.only:
        queryset = queryset.only(*table.only)
    for row in queryset.iterator(chunk_size=CHUNK):
        yield table.cells(row)
