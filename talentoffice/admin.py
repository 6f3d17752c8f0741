"""Admin for the district's geography."""

from django.apps import apps
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .admin_base import (
    ProgrammeAdmin,
    ReadOnlyInline,
    ScopedTabularInline,
    SuperuserOnlyMixin,
    superuser_only,
)
from .models import (
    CalendarDay,
    ChatWebhook,
    Community,
    Delivery,
    DeliveryAttempt,
    HolidayNotice,
    Notification,
    NotificationPreference,
    Street,
    StreetCoordinator,
)


class CommunityInline(ScopedTabularInline):
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


@admin.register(StreetCoordinator)
class StreetCoordinatorAdmin(ProgrammeAdmin):
    """Which staff login sees only which street (docs/roles.md); administrators keep it."""

    list_display = ["user", "street"]
    list_filter = ["street"]
    list_select_related = ["user", "street"]
    search_fields = ["user__username", "street__name"]
    autocomplete_fields = ["street"]
    raw_id_fields = ["user"]


@admin.register(CalendarDay)
class CalendarDayAdmin(ProgrammeAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(ProgrammeAdmin):
    """The entered notices; staff enter one on the working-day calendar page, with its preview."""

    list_display = ["year", "entered_by", "entered_at"]
    list_select_related = ["entered_by"]
    fields = ["year", "holidays", "workdays", "text", "entered_by", "entered_at"]
    readonly_fields = ["entered_by", "entered_at"]


@admin.register(ChatWebhook)
class ChatWebhookAdmin(SuperuserOnlyMixin, ProgrammeAdmin):
    # The owner (a service point or a partner) is named by its type and id: the core knows no
    # app's models.
    list_display = ["name", "kind", "owner_type", "owner_id", "active"]
    list_filter = ["kind", "active", "owner_type"]
    list_select_related = ["owner_type"]
    search_fields = ["name"]
    fields = ["name", "kind", "url", "owner_type", "owner_id", "active"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ProgrammeAdmin):
    list_display = ["user", "language", "email_enabled", "quiet_from", "quiet_until"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["started_at", "finished_at", "succeeded", "http_status", "error"]
    readonly_fields = fields


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ["channel", "target", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Notification)
class NotificationAdmin(ProgrammeAdmin):
    """Read-only: notifications are written by the events that cause them."""

    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["subject", "recipient__username"]
    readonly_fields = [
        "recipient",
        "kind",
        "target_type",
        "target_id",
        "occasion",
        "subject",
        "body",
        "link",
        "read_at",
    ]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnlyMixin, ProgrammeAdmin):
    """Staff see here what failed to arrive, and why."""

    list_display = ["notification", "channel", "target", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["notification"]
    search_fields = ["target", "notification__subject"]
    readonly_fields = [
        "notification",
        "channel",
        "target",
        "webhook",
        "status",
        "attempts",
        "not_before",
        "claimed_until",
        "sent_at",
        "last_http_status",
        "last_error",
    ]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request):
        return False


# The libraries' machinery: the periodic-task schedule (django-celery-beat) and lock-outs
# (django-axes). Their apps come before this one in
# INSTALLED_APPS, so their admins are registered by now.
for technical_model in [
    *apps.get_app_config("django_celery_beat").get_models(),
    *apps.get_app_config("axes").get_models(),
]:
    if admin.site.is_registered(technical_model):
        superuser_only(technical_model)
