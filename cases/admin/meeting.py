"""Admin pages for council meetings and the cases they raised."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin, ReadOnlyInline

from .. import meetings
from ..choices import CaseSource
from ..models import Case, CouncilMeeting


class MeetingCaseInline(ReadOnlyInline):
    """The problems the meeting raised, each followed to its return visit."""

    model = Case
    fk_name = "council_meeting"
    fields = ["number", "title", "state", "outcome", "lead", "target_date", "follow_up_due"]
    readonly_fields = fields
    select_related = ["lead__partner"]
    show_change_link = True
    verbose_name_plural = _("cases raised")


@admin.register(CouncilMeeting)
class CouncilMeetingAdmin(ProgrammeAdmin):
    list_display = ["held_on", "title", "place", "service_point", "enterprise", "case_count"]
    list_select_related = ["service_point", "enterprise"]
    search_fields = ["title", "place", "enterprise__name"]
    autocomplete_fields = ["service_point", "enterprise", "institutions", "assistants"]
    date_hierarchy = "held_on"
    inlines = [MeetingCaseInline]
    readonly_fields = ["raise_case"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_total=Count("cases"))

    def get_fields(self, request, obj=None):
        fields = [
            "title",
            "held_on",
            "place",
            "service_point",
            "enterprise",
            "participants",
            "institutions",
            "assistants",
            "minutes",
        ]
        return fields if obj is None else [*fields, "raise_case"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        meeting = meetings.record_council_meeting(
            title=data["title"],
            held_on=data["held_on"],
            place=data["place"],
            service_point=data.get("service_point"),
            enterprise=data.get("enterprise"),
            participants=data.get("participants", ""),
            institutions=data.get("institutions") or (),
            assistants=data.get("assistants") or (),
            minutes=data.get("minutes", ""),
        )
        for model_field in CouncilMeeting._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(meeting, model_field.attname))
        obj._state.adding = False
        obj._state.db = meeting._state.db

    @admin.display(description=_("cases"), ordering="case_total")
    def case_count(self, meeting):
        return meeting.case_total

    @admin.display(description=_("raise a case"))
    def raise_case(self, meeting):
        url = reverse("admin:cases_case_add")
        return format_html(
            '<a class="button" href="{}?council_meeting={}&amp;source={}">{}</a>',
            url,
            meeting.pk,
            CaseSource.COUNCIL_MEETING,
            gettext("Raise a case from this meeting"),
        )
