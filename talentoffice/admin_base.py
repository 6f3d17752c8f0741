"""Base classes for every admin page staff use: fast changelists, CSV and Excel export."""

from django.contrib import admin
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .pagination import EstimatedCountPaginator


class ProgrammeAdmin(ExportMixin, admin.ModelAdmin):
    """A changelist that stays fast on big tables and exports whatever filter is applied."""

    paginator = EstimatedCountPaginator
    # The "N results (M total)" line costs a second COUNT over the whole table.
    show_full_result_count = False
    list_per_page = 50
    formats = [XLSX, CSV]


class RosterAdmin(ImportExportMixin, ProgrammeAdmin):
    """A changelist whose records also come in from the programme's Excel rosters."""

    import_error_display = ("message",)
