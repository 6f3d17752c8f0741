"""Self-service for the partner's systems: API keys, webhook endpoints and their deliveries.

The same rows and services as the API and the admin (partners.services, partners.webhooks):
a key made here authenticates on /api/v1/, a delivery goes through the one outbox.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners import webhooks
from partners.choices import WebhookDeliveryStatus
from partners.models import ApiKey, WebhookDelivery, WebhookEndpoint
from partners.services import create_api_key, revoke_api_keys

from ..access import manager_page
from ..forms import ApiKeyForm, WebhookEndpointForm

PAGE_SIZE = 50


def _keys(user):
    return (
        ApiKey.objects.visible_to(user)
        .select_related("created_by")
        .defer("key_hash")
        .order_by("-created_at", "-pk")
    )


@manager_page
def key_list(request):
    """The partner's keys; a new one's full secret is shown on this answer and never again."""
    form = ApiKeyForm(request.POST or None, partner=request.partner)
    created = None
    if request.method == "POST" and form.is_valid():
        created, raw_key = create_api_key(
            partner=request.partner,
            name=form.cleaned_data["name"],
            by=request.user,
            expires_at=form.expires_at(),
            allowed_ips=form.cleaned_data.get("allowed_ips", ""),
        )
        created.raw_key = raw_key
        form = ApiKeyForm(partner=request.partner)
    page = Paginator(_keys(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    api_url = request.build_absolute_uri("/api/v1/assistants/")
    return render(
        request,
        "portal/keys.html",
        {"form": form, "page": page, "created": created, "api_url": api_url},
        status=400 if form.errors else 200,
    )


@require_POST
@manager_page
def key_revoke(request, pk):
    """Revoke one key: the next API call with it answers 401."""
    api_key = get_object_or_404(ApiKey.objects.visible_to(request.user), pk=pk)
    if revoke_api_keys(api_keys=[api_key]):
        messages.success(request, _("The key was revoked."))
    else:
        messages.info(request, _("The key was already revoked."))
    return redirect("portal:keys")


def _endpoints(user):
    return WebhookEndpoint.objects.visible_to(user).defer("secret").order_by("pk")


@manager_page
def endpoint_list(request):
    """The partner's endpoints with their delivery counts; a new one's secret shown once."""
    form = WebhookEndpointForm(request.POST or None, partner=request.partner)
    created = None
    if request.method == "POST" and form.is_valid():
        created = form.save()
        form = WebhookEndpointForm(partner=request.partner)
    endpoints = _endpoints(request.user).annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=WebhookDeliveryStatus.FAILED))
    )
    return render(
        request,
        "portal/webhooks.html",
        {"form": form, "endpoints": endpoints[:100], "created": created},
        status=400 if form.errors else 200,
    )


@manager_page
def endpoint_edit(request, pk):
    """Change the URL, the events or the description, or pause the endpoint."""
    endpoint = get_object_or_404(_endpoints(request.user), pk=pk)
    form = WebhookEndpointForm(request.POST or None, instance=endpoint, partner=request.partner)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The endpoint was saved."))
        return redirect("portal:webhooks")
    return render(
        request,
        "portal/webhook_edit.html",
        {"form": form, "endpoint": endpoint},
        status=400 if form.errors else 200,
    )


@require_POST
@manager_page
def endpoint_test(request, pk):
    """Queue a test event to the endpoint; its delivery shows in the log."""
    endpoint = get_object_or_404(_endpoints(request.user), pk=pk)
    webhooks.send_test_event(endpoint=endpoint)
    messages.success(request, _("A test event is on its way; see the delivery log."))
    return redirect("portal:deliveries")


@require_POST
@manager_page
def endpoint_delete(request, pk):
    """Delete the endpoint and its delivery log."""
    endpoint = get_object_or_404(_endpoints(request.user), pk=pk)
    with transaction.atomic():
        endpoint.delete()
    messages.success(request, _("The endpoint was deleted."))
    return redirect("portal:webhooks")


@manager_page
def delivery_list(request):
    """Every event sent to the partner's endpoints, newest first, with status and answer."""
    deliveries = (
        WebhookDelivery.objects.visible_to(request.user)
        .select_related("endpoint")
        .only(
            "id",
            "event",
            "status",
            "attempts",
            "last_http_status",
            "created_at",
            "delivered_at",
            "endpoint__url",
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/deliveries.html", {"page": page})


@require_POST
@manager_page
def delivery_replay(request, pk):
    """Send a finished delivery's event again (same event id); another partner's answers 404."""
    delivery = get_object_or_404(WebhookDelivery.objects.visible_to(request.user), pk=pk)
    if delivery.status in (WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.SENDING):
        messages.error(request, _("This delivery is still being sent."))
    else:
        webhooks.replay(delivery=delivery)
        messages.success(request, _("The event will be sent again."))
    return redirect("portal:deliveries")
