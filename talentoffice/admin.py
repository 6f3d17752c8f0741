"""Admin for the district's geography."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .admin_base import ProgrammeAdmin
from .models import Community, Street


class CommunityInline(admin.TabularInline):
    model = Community
    extra = 0
    fields = ["name"]


@admin.register(Street)
class StreetAdmin(ProgrammeAdmin):
    list_display = ["name", "code", "community_count"]
    search_fields = ["name", "code"]
    inlines = [CommunityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_community_count=Count("communities"))

    @admin.display(description=_("communities"), ordering="_community_count")
    def community_count(self, street):
        return street._community_count


@admin.register(Community)
class CommunityAdmin(ProgrammeAdmin):
    list_display = ["name", "street"]
    list_filter = ["street"]
    list_select_related = ["street"]
    search_fields = ["name", "street__name"]
    autocomplete_fields = ["street"]
