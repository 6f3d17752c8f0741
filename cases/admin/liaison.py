"""Admin pages for enterprise liaison: who visits which enterprise, and which are due."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin

from .. import liaison
from ..models import EnterpriseLiaison


class VisitDueFilter(admin.SimpleListFilter):
    title = _("visit due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("yes", _("not visited within the interval"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            due = liaison.enterprises_due_for_visit(today=timezone.localdate())
            return queryset.filter(pk__in=due.values("pk"))
        return queryset


@admin.register(EnterpriseLiaison)
class EnterpriseLiaisonAdmin(ProgrammeAdmin):
    list_display = [
        "enterprise",
        "assistant",
        "visit_interval_days",
        "last_visit",
        "visit_due",
        "active",
    ]
    list_filter = [VisitDueFilter, "active", "assistant__partner"]
    list_select_related = ["enterprise", "assistant__partner"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "assistant__name"]
    autocomplete_fields = ["enterprise", "assistant"]

    def get_queryset(self, request):
        return liaison.with_visit_due(super().get_queryset(request))

    @admin.display(description=_("last visit"), ordering="last_visit_at")
    def last_visit(self, link):
        if link.last_visit_at is None:
            return "—"
        return f"{timezone.localtime(link.last_visit_at):%Y-%m-%d}"

    @admin.display(description=_("next visit due"), ordering="visit_due_at")
    def visit_due(self, link):
        due = timezone.localtime(link.visit_due_at).date()
        if link.active and due <= timezone.localdate():
            return format_html(
                '<strong style="color: var(--error-fg, #ba2121)">{}</strong>', due.isoformat()
            )
        return due.isoformat()
