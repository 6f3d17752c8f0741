"""Excel exports of every list and report, written row by row without a cap.

An .xlsx file is a zip of a few XML parts. The writer here streams each worksheet's XML
straight into a zip member of a temporary file on disk (cells as inline strings and numbers),
and the queryset is read with a server-side cursor in chunks (`iterator`), so memory stays flat
whatever the number of rows; the finished file is sent with FileResponse, which reads it in
blocks and deletes it when done. openpyxl's write-only mode does the same job, but without lxml
(not a dependency) it serializes every cell through a pure-Python XML tree, about ten times
slower than writing the few tags of a row directly; tests read the files back with openpyxl.

Text cells that a spreadsheet would run as a formula are prefixed with an apostrophe, as in
every export (talentoffice.importing.FORMULA_TRIGGERS).
"""

import re
import tempfile
import zipfile
from xml.sax.saxutils import escape, quoteattr

from django.http import FileResponse

from talentoffice.importing import FORMULA_TRIGGERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
# Characters XML 1.0 cannot carry at all; a pasted control character would corrupt the file.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters Excel refuses in a sheet's name.
ILLEGAL_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{sheets}</Relationships>"
)
SHEET_REL = (
    '<Relationship Id="rId{n}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = "</sheetData></worksheet>"


def inert(value):
    """A cell value that a spreadsheet shows as typed and never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    if value is None or value == "":
        return "<c/>"
    text = ILLEGAL_XML.sub("", inert(str(value)))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


class XlsxWriter:
    """A workbook streamed into a temporary file: add sheets one after another, then respond."""

    def __init__(self):
        self.file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by response()
        self.zip = zipfile.ZipFile(self.file, "w", compression=zipfile.ZIP_DEFLATED)
        self.titles: list[str] = []
        self.current = None

    def _close_sheet(self):
        if self.current is not None:
            self.current.write(SHEET_END.encode())
            self.current.close()
            self.current = None

    def sheet(self, title, header):
        """Start the next sheet with its header row; the previous sheet is finished."""
        self._close_sheet()
        title = (
            ILLEGAL_SHEET_NAME.sub(" ", str(title)).strip()[:31] or f"Sheet{len(self.titles) + 1}"
        )
        self.titles.append(title)
        # force_zip64: a sheet of millions of rows may pass 2 GiB before compression.
        self.current = self.zip.open(
            f"xl/worksheets/sheet{len(self.titles)}.xml", "w", force_zip64=True
        )
        self.current.write(SHEET_START.encode())
        self.append(self.current, [str(cell) for cell in header])
        return self.current

    @staticmethod
    def append(sheet, row):
        sheet.write(("<row>" + "".join(_cell(value) for value in row) + "</row>").encode())

    def response(self, filename):
        """Finish the workbook and send it; the temporary file goes when the response closes."""
        self._close_sheet()
        count = len(self.titles)
        self.zip.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                sheets="".join(SHEET_TYPE.format(n=n) for n in range(1, count + 1))
            ),
        )
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        self.zip.writestr(
            "xl/workbook.xml",
            WORKBOOK.format(
                sheets="".join(
                    f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
                    for n, title in enumerate(self.titles, start=1)
                )
            ),
        )
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(
                sheets="".join(SHEET_REL.format(n=n) for n in range(1, count + 1))
            ),
        )
        self.zip.close()
        self.file.seek(0)
        return FileResponse(self.file, as_attachment=True, filename=filename, content_type=XLSX)


def table_rows(queryset, table):
    """Every row of the queryset as cells, read in chunks with the table's joins."""
    queryset = queryset.select_related(*table.related)
    if table.only:
        queryset = queryset.only(*table.only)
    for row in queryset.iterator(chunk_size=CHUNK):
        yield table.cells(row)
