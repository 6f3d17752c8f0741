"""Admin pages for partners, their agreements and contacts."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from talentoffice.admin_base import (
    ProgrammeAdmin,
    ReadOnlyInline,
    RosterAdmin,
    ScopedTabularInline,
    SuperuserOnlyMixin,
)
from talentoffice.uploads import check_document

from .models import (
    Agreement,
    ApiKey,
    Partner,
    PartnerContact,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .resources import PartnerResource
from .services import reactivate_partners, revoke_api_keys, suspend_partners


class AgreementForm(forms.ModelForm):
    """An agreement whose document is checked by size and content and stored under a random name."""

    class Meta:
        model = Agreement
        fields = ["partner", "title", "signed_on", "starts_on", "ends_on", "document"]

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if not upload or not hasattr(upload, "content_type"):  # unchanged or cleared
            return upload
        extension = check_document(upload)
        # Kept under a random name: the stored file's name tells nothing.
        upload.name = f"{uuid.uuid4().hex}{extension}"
        return upload


class AgreementInline(ScopedTabularInline):
    model = Agreement
    form = AgreementForm
    extra = 0
    fields = ["title", "signed_on", "starts_on", "ends_on", "document"]


class PartnerContactInline(ScopedTabularInline):
    model = PartnerContact
    extra = 0
    fields = ["name", "role", "phone", "email", "user"]
    raw_id_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(RosterAdmin):
    resource_classes = [PartnerResource]
    list_display = [
        "name",
        "short_name",
        "sector",
        "kind",
        "credit_code",
        "status",
        "assistant_count",
    ]
    list_filter = ["sector", "kind", "status"]
    search_fields = ["name", "short_name", "credit_code"]
    inlines = [AgreementInline, PartnerContactInline]
    actions = ["suspend", "reactivate"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .annotate(_assistant_count=Count("assistants"))
        )

    @admin.display(description=_("assistants"), ordering="_assistant_count")
    def assistant_count(self, partner):
        return partner._assistant_count

    @admin.action(description=_("Suspend the selected partners"), permissions=["change"])
    def suspend(self, request, queryset):
        changed = suspend_partners(partners=queryset)
        self.message_user(
            request,
            ngettext("%(count)d partner suspended.", "%(count)d partners suspended.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate the selected partners"), permissions=["change"])
    def reactivate(self, request, queryset):
        changed = reactivate_partners(partners=queryset)
        self.message_user(
            request,
            ngettext("%(count)d partner reactivated.", "%(count)d partners reactivated.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )


@admin.register(Agreement)
class AgreementAdmin(ProgrammeAdmin):
    form = AgreementForm
    list_display = ["title", "partner", "signed_on", "starts_on", "ends_on"]
    list_filter = ["partner__sector", "starts_on"]
    list_select_related = ["partner"]
    search_fields = ["title", "partner__name", "partner__short_name"]
    autocomplete_fields = ["partner"]
    date_hierarchy = "starts_on"


@admin.register(PartnerContact)
class PartnerContactAdmin(ProgrammeAdmin):
    list_display = ["name", "partner", "role", "phone", "email", "user"]
    list_filter = ["partner__sector"]
    list_select_related = ["partner", "user"]
    search_fields = ["name", "phone", "partner__name", "partner__short_name"]
    autocomplete_fields = ["partner"]
    raw_id_fields = ["user"]


# ---------------------------------------------------------------------------------------------
# The partner REST API


@admin.register(ApiKey)
class ApiKeyAdmin(ProgrammeAdmin):
    """Staff issue keys here; the full key is shown once, in the message after saving."""

    list_display = ["__str__", "partner", "prefix", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["partner__sector", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["partner"]
    search_fields = ["name", "prefix", "partner__name", "partner__short_name"]
    autocomplete_fields = ["partner"]
    fields = [
        "partner",
        "name",
        "expires_at",
        "allowed_ips",
        "prefix",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["prefix", "last_used_at", "revoked_at", "created_by", "created_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # The partner of an issued key never changes: a new partner needs a new key.
        return [*self.readonly_fields, "partner"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        raw_key = obj.set_new_secret()
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            _("The new API key, shown only this once; give it to the partner now: %(key)s")
            % {"key": raw_key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        changed = revoke_api_keys(api_keys=queryset)
        self.message_user(
            request,
            ngettext("%(count)d API key revoked.", "%(count)d API keys revoked.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ProgrammeAdmin):
    """Partners keep their endpoints through the API; staff can see them and switch them off."""

    list_display = ["url", "partner", "active", "created_at"]
    list_filter = ["active"]
    list_select_related = ["partner"]
    search_fields = ["url", "partner__name", "partner__short_name"]
    fields = ["partner", "url", "events", "description", "active"]
    readonly_fields = ["partner", "url", "events", "description"]

    def has_add_permission(self, request):
        return False


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["started_at", "finished_at", "succeeded", "http_status", "error"]
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperuserOnlyMixin, ProgrammeAdmin):
    list_display = ["event", "partner", "endpoint", "status", "attempts", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["partner", "endpoint"]
    search_fields = ["partner__name", "partner__short_name", "endpoint__url"]
    raw_id_fields = ["endpoint", "replay_of"]
    inlines = [WebhookAttemptInline]
    readonly_fields = [
        "partner",
        "endpoint",
        "event",
        "event_id",
        "payload",
        "status",
        "attempts",
        "not_before",
        "claimed_until",
        "delivered_at",
        "last_http_status",
        "last_error",
        "replay_of",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False
