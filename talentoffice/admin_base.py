"""Base classes for every admin page staff use: fast changelists, CSV and Excel export."""

from django.contrib import admin
from django.db import models
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .importing import RosterCSV
from .pagination import EstimatedCountPaginator


class ProgrammeAdmin(ExportMixin, admin.ModelAdmin):
    """A changelist that stays fast on big tables and exports whatever filter is applied."""

    paginator = EstimatedCountPaginator
    # The "N results (M total)" line costs a second COUNT over the whole table.
    show_full_result_count = False
    list_per_page = 50
    formats = [XLSX, CSV]
    # Robot and callback URLs are HTTPS; a bare host typed by staff should become https://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Excel on Windows reads a UTF-8 CSV as mojibake unless it starts with a byte-order mark.
    to_encoding = "utf-8-sig"


class RosterAdmin(ImportExportMixin, ProgrammeAdmin):
    """A changelist whose records also come in from the programme's Excel rosters."""

    import_error_display = ("message",)

    def get_import_formats(self):
        return [XLSX, RosterCSV]
