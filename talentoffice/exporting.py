"""Every spreadsheet the programme hands out: formula-safe, secret-free, masked and streamed.

Exports are opened by staff in Excel or WPS, and their text may come from outside the office: a
resident's request typed on a public form, a partner's webhook description sent through the API.
So one base here serves the admin's exports (django-import-export resources) and the staff
workspace's streamed reports alike:

- a text cell that a spreadsheet would run as a formula is prefixed with an apostrophe, and
  workbook cells are written as text or numbers, never as formulas;
- fields that let someone act as the office or a partner (signing secrets, key hashes, calendar
  tokens, chat robot URLs) never leave in a file, whoever exports;
- residents' personal fields are masked (talentoffice.masking) unless the resource is the logged
  "in full" export and the user's role may take it, and free-text columns (titles, notes) pass
  through the same module's scrubber;
- rows are read in chunks with their relations joined or prefetched, and written straight to the
  response (CSV) or to a temporary file on disk (xlsx), so time and memory do not grow with the
  number of rows more than the rows themselves.
"""

import codecs
import csv
import re
import tempfile
import zipfile
from functools import partial
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX as XLSXFormat
from import_export.forms import SelectableFieldsExportForm
from import_export.resources import modelresource_factory
from import_export.signals import post_export

from .masking import PERSONAL_FIELDS, scrub

# A cell starting with one of these is run as a formula by Excel, WPS and LibreOffice (OWASP
# "CSV injection"). django-import-export's own switch only strips a leading "=", which changes
# the data and misses the rest, so cells are prefixed with an apostrophe instead: the
# spreadsheet shows the text as typed and never runs it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Fields that stand for the office or a partner rather than describe something: whoever holds
# one can sign webhooks, call the API, read an assistant's calendar or post to a chat group.
# No export carries them, whatever the role of the person exporting.
SECRET_FIELD_NAMES = frozenset(
    {
        "secret",
        "key_hash",
        "calendar_token",
        "token",
        "password",
        "id_number_hash",
        "request_hash",
        "session_hash",
        # The keyed hash of a phone or ID number someone searched for.
        "term_hash",
        # The key canary's keyed hash: with it, a stolen export tests guesses of the hash key.
        "lookup_hash",
    }
)
# Fields whose name says nothing secret but whose value is one, as "app_label.model.field".
SECRET_MODEL_FIELDS = frozenset(
    {
        # A WeCom or DingTalk robot URL carries the group's key: anyone with it posts as us.
        "talentoffice.chatwebhook.url",
    }
)

CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(value):
    """A cell value that a spreadsheet shows as typed and never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def final_field(model, attribute: str):
    """The model and field name an attribute path such as "resident__phone" ends on."""
    *relations, name = (attribute or "").split("__")
    for part in relations:
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if field.related_model is None:
            break
        model = field.related_model
    return model, name


def is_secret(model, attribute: str) -> bool:
    """Whether a column reading this attribute of the model must stay out of every export."""
    model, name = final_field(model, attribute)
    if name in SECRET_FIELD_NAMES:
        return True
    return f"{model._meta.label_lower}.{name}" in SECRET_MODEL_FIELDS


def personal_mask(model, attribute: str):
    """How a column reading this attribute is masked, if it is a personal field; else None."""
    model, name = final_field(model, attribute)
    return PERSONAL_FIELDS.get(model._meta.label_lower, {}).get(name)


# Free-text columns: typed by people, so they may hold a phone or ID number mid-sentence.
FREE_TEXT_NAMES = frozenset({"title", "description", "notes", "note", "reason", "summary"})


def free_text_mask(model, attribute: str):
    """The scrubber if a column reading this attribute is free text; else None."""
    model, name = final_field(model, attribute)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, models.TextField) or (
        isinstance(field, models.CharField) and name in FREE_TEXT_NAMES
    ):
        return scrub
    return None


def relations_of(model, attributes):
    """The joins (foreign keys) and prefetches (many-valued relations) that export columns read.

    Each column names an attribute path such as "partner" or "case__lead__partner"; a path is
    joined as far as it follows single-valued relations, and prefetched from the first
    many-valued one on, so that every row's columns come from a fixed number of queries.
    """
    joins, prefetches = set(), set()
    for attribute in attributes:
        current, path, many = model, [], False
        for part in (attribute or "").split("__"):
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:  # a property or a computed column: nothing to join
                break
            # A foreign key read as its raw id ("partner_id") needs no join.
            if not field.is_relation or field.related_model is None or part != field.name:
                break
            path.append(part)
            many = many or field.many_to_many or field.one_to_many
            current = field.related_model
        if path:
            (prefetches if many else joins).add("__".join(path))
    return sorted(joins), sorted(prefetches)


class ExportResource(resources.ModelResource):
    """Base of every django-import-export resource of the programme (see the module's docstring).

    Built with `request=` (the admin passes it) so that the rules can ask who is exporting.
    """

    # Joins and prefetches a resource needs beyond the relations its columns name, for
    # example the related objects a dehydrate method reads through `str()`.
    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.request = kwargs.get("request")
        model = self._meta.model
        for name, field in list(self.fields.items()):
            if is_secret(model, name) or is_secret(model, field.attribute or ""):
                del self.fields[name]

    def get_export_order(self):
        model = self._meta.model
        return tuple(name for name in super().get_export_order() if not is_secret(model, name))

    def shows_personal_data_in_full(self) -> bool:
        """Whether this resource writes residents' personal fields unmasked; never by default."""
        return False

    def export_cells(self, selected_fields=None, **kwargs):
        """How each column's cell is read from a row, and masked if personal: worked out once per
        export rather than once per cell, as a big export has millions of cells."""
        in_full = self.shows_personal_data_in_full()
        cells = []
        for field in self.get_export_fields(selected_fields):
            method = field.get_dehydrate_method(self.get_field_name(field))
            if not callable(method):
                method = getattr(self, method, None)
            if method is None:
                method = partial(field.export, **kwargs)
            # The default export is for anyone; free text in it is scrubbed like the fields.
            mask = None
            if not in_full:
                mask = personal_mask(self._meta.model, field.attribute) or free_text_mask(
                    self._meta.model, field.attribute
                )
            cells.append((method, mask))
        return cells

    @staticmethod
    def cell(read, mask, instance):
        value = read(instance)
        if mask is not None and value:
            value = mask(str(value))
        return inert(value)

    def export_field(self, field, instance, **kwargs):
        ((read, mask),) = self.export_cells([self.get_field_name(field)], **kwargs)
        return self.cell(read, mask, instance)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        cell = self.cell
        return [
            cell(read, mask, instance)
            for read, mask in self.export_cells(selected_fields, **kwargs)
        ]

    def export_queryset(self, queryset, selected_fields=None):
        """The queryset with the joins and prefetches that keep the export's queries constant."""
        attributes = [field.attribute for field in self.get_export_fields(selected_fields)]
        joins, prefetches = relations_of(self._meta.model, attributes)
        joins = [*joins, *self.export_select_related]
        prefetches = [*prefetches, *self.export_prefetch_related]
        # The changelist joins what its page of rows shows; an export joins only what its
        # columns read, as every join is paid again on every row of a big table.
        queryset = queryset.select_related(None)
        if joins:
            queryset = queryset.select_related(*joins)
        if prefetches:
            queryset = queryset.prefetch_related(*prefetches)
        return queryset

    def iter_queryset(self, queryset):
        # Django reads a queryset in chunks from a server-side cursor and prefetches each chunk
        # in one query per relation, so rows never pile up in memory.
        if not isinstance(queryset, models.QuerySet):
            yield from queryset
            return
        yield from queryset.iterator(chunk_size=CHUNK)

    def export_rows(self, queryset, selected_fields=None, **kwargs):
        """Each row of the export as a list of cells, read in chunks with its relations."""
        queryset = self.filter_export(self.export_queryset(queryset, selected_fields), **kwargs)
        cells, cell = self.export_cells(selected_fields, **kwargs), self.cell
        for instance in self.iter_queryset(queryset):
            yield [cell(read, mask, instance) for read, mask in cells]

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = self.export_queryset(queryset, kwargs.get("export_fields"))
        return super().export(queryset, **kwargs)


# -- writers ----------------------------------------------------------------------------------


class Echo:
    """A file-like object whose write returns what it was given, for csv.writer to stream."""

    def write(self, value):
        return value


def csv_response(header, rows, *, filename, encoding="utf-8-sig"):
    """A CSV streamed row by row; the first chunk carries the encoding's byte-order mark."""
    writer = csv.writer(Echo())
    encoder = codecs.getincrementalencoder(encoding)()

    def lines():
        yield encoder.encode(writer.writerow([inert(cell) for cell in header]))
        for row in rows:
            yield encoder.encode(writer.writerow([inert(cell) for cell in row]))
        yield encoder.encode("", final=True)

    response = StreamingHttpResponse(lines(), content_type=f"text/csv; charset={encoding}")
    # A Chinese file name travels as RFC 6266 filename*, which every current browser reads.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


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


def xlsx_cell(value) -> str:
    """One cell's XML: a number, or an inline string made inert; never a formula."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    if value is None or value == "":
        return "<c/>"
    text = ILLEGAL_XML.sub("", inert(str(value)))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    # A carriage return is written as a character reference: a bare one reads back as a newline.
    text = escape(text, {"\r": "&#13;"})
    return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'


class XlsxWriter:
    """A workbook streamed into a temporary file: add sheets one after another, then respond.

    An .xlsx file is a zip of a few XML parts; each worksheet's XML goes straight into a zip
    member on disk, so memory stays flat whatever the number of rows. openpyxl's write-only mode
    does the same job, but without lxml (not a dependency) it serializes every cell through a
    pure-Python XML tree, which costs far more than writing the few tags of a row directly.
    """

    def __init__(self):
        self.file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by response()
        self.zip = zipfile.ZipFile(self.file, "w", compression=zipfile.ZIP_DEFLATED)
        self.titles: list[str] = []
        self.current = None

    def close_sheet(self):
        if self.current is not None:
            self.current.write(SHEET_END.encode())
            self.current.close()
            self.current = None

    def sheet(self, title, header):
        """Start the next sheet with its header row; the previous sheet is finished."""
        self.close_sheet()
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
        sheet.write(("<row>" + "".join(xlsx_cell(value) for value in row) + "</row>").encode())

    def response(self, filename):
        """Finish the workbook and send it; the temporary file goes when the response closes."""
        self.close_sheet()
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
        return FileResponse(
            self.file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
        )


def xlsx_response(title, header, rows, *, filename):
    """A one-sheet workbook of the rows, written to disk as they come, then sent."""
    writer = XlsxWriter()
    sheet = writer.sheet(title, header)
    for row in rows:
        writer.append(sheet, row)
    return writer.response(filename)


# -- the admin --------------------------------------------------------------------------------


def column_label(resource, field_name) -> str:
    """A column's name as staff know it: its model field's label in their language."""
    field = resource.fields.get(field_name)
    if field is None:
        return field_name
    attribute = (field.attribute or "").split("__")[0]
    try:
        return str(resource._meta.model._meta.get_field(attribute).verbose_name)
    except FieldDoesNotExist:
        return str(field.column_name or field_name)


class ProgrammeExportForm(SelectableFieldsExportForm):
    """The export page: each column offered by its label, and Excel chosen unless changed."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        # The admin lists Excel first; most staff open exports in Excel.
        self.initial.setdefault("format", "0")
        for resource_class in resources:
            resource = resource_class()
            for field_name in resource.get_export_order():
                name = self.create_boolean_field_name(resource_class, field_name)
                if name in self.fields:
                    self.fields[name].label = column_label(resource, field_name)


class StreamedExportMixin(ExportMixin):
    """The admin's export button, through ExportResource and the streamed writers above.

    The export form, the formats, the chosen resource and columns, and the filtered, scoped
    queryset are django-import-export's; only the file is written here, row by row, instead of
    as one dataset in memory.
    """

    def get_resource_classes(self, request):
        if not self.resource_classes and not self.resource_class:
            # An admin without its own resource exports every column of its model, through the
            # programme's base so that secrets, personal fields and formulas are handled.
            return [modelresource_factory(self.model, resource_class=ExportResource)]
        return super().get_resource_classes(request)

    export_form_class = ProgrammeExportForm

    def get_export_filename(self, request, queryset, file_format):
        """The list's name in the reader's language and the local date: 人才助理-2026-12-08.xlsx."""
        name = str(self.opts.verbose_name_plural).replace("/", "-")
        return f"{name}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "request": request}

    def export_action(self, request):
        if request.method != "POST" or "export_items" in request.POST:
            return super().export_action(request)
        if not self.has_export_permission(request):
            raise PermissionDenied
        formats = self.get_export_formats()
        form = self.get_export_form_class()(
            formats, self.get_export_resource_classes(request), data=request.POST
        )
        if not form.is_valid():
            return super().export_action(request)
        file_format = formats[int(form.cleaned_data["format"])]()
        return self.streamed_export(request, file_format, form)

    def streamed_export(self, request, file_format, form):
        """The chosen resource's rows of the filtered list, as a file streamed to the user."""
        resource_class = self.choose_export_resource_class(form, request)
        if not issubclass(resource_class, ExportResource):
            raise ImproperlyConfigured(
                f"{resource_class.__name__} must derive from talentoffice.exporting.ExportResource"
            )
        resource = resource_class(**self.get_export_resource_kwargs(request, export_form=form))
        selected = self.get_export_resource_fields_from_form(form)
        queryset = self.get_export_queryset(request)
        resource.before_export(queryset, request=request)
        header = resource.get_export_headers(selected_fields=selected)
        # Every cell as the text the list shows (dates in local time, choices by label), so a
        # workbook cell is always a string, never a formula or a date Excel re-interprets.
        rows = resource.export_rows(queryset, selected_fields=selected)
        filename = self.get_export_filename(request, queryset, file_format)
        post_export.send(sender=None, model=self.model)
        if isinstance(file_format, XLSXFormat):
            text_rows = (["" if cell is None else str(cell) for cell in row] for row in rows)
            return xlsx_response(
                self.opts.verbose_name_plural, header, text_rows, filename=filename
            )
        return csv_response(header, rows, filename=filename, encoding=self.to_encoding or "utf-8")
