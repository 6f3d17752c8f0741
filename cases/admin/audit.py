"""The audit trail's admin page, in place of django-auditlog's own."""

from auditlog.models import LogEntry
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from talentoffice import audit
from talentoffice.admin_base import PersonalDataAdminMixin
from talentoffice.pagination import EstimatedCountPaginator


class AuditTrailAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """The whole audit trail, searchable; nobody may add, change or delete an entry."""

    list_display = ["timestamp", "action", "resource", "actor_name", "remote_addr", "changed"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "actor"]
    search_fields = ["object_repr", "=object_pk", "actor__username", "=remote_addr"]
    search_help_text = _("Record name or number, username, or an exact address.")
    date_hierarchy = "timestamp"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    fields = [
        "timestamp",
        "action",
        "resource",
        "actor_name",
        "remote_addr",
        "cid",
        "changes_table",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    @admin.display(description=_("record"), ordering="object_repr")
    def resource(self, entry):
        label = f"{entry.content_type.name} · {entry.object_repr}"
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_history",
                args=[entry.object_pk],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("by"), ordering="actor__username")
    def actor_name(self, entry):
        name = entry.actor.get_username() if entry.actor_id else (entry.actor_email or "—")
        process = (entry.additional_data or {}).get("process")
        return f"{name} ({process})" if process else name

    @admin.display(description=_("changed fields"))
    def changed(self, entry):
        return ", ".join((entry.changes or {}).keys())[:120] or "—"

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        rows = audit.describe_entries([entry])[0]["rows"]
        return format_html_join(
            "",
            "<div><strong>{}</strong>: {} → {}</div>",
            ((row["label"], row["old"], row["new"]) for row in rows),
        )


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditTrailAdmin)
