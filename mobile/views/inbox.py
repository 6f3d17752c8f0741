"""My notifications: the list, opening one, marking all read."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import EnterpriseLiaison, FollowUp
from talentoffice import notifications
from talentoffice.pagination import PeekPage

from .access import assistant_page

INBOX_PER_PAGE = 20
NOTIFICATION_TARGETS = {"case", "shift", "followup", "enterpriseliaison"}


@require_GET
@assistant_page
def inbox(request):
    """My notifications, newest first, unread ones marked."""
    # Queries: session, user, assistant, one page of notifications (one row more, no count).
    page = PeekPage(notifications.inbox(request.user), INBOX_PER_PAGE, request.GET.get("page"))
    return render(request, "mobile/inbox.html", {"page": page})


def notification_target(request, notification) -> str:
    """Where a notification leads on the mobile pages: the case or shift it is about.

    Notifications are written for every audience with admin links or none; each names what it
    is about (a case, a shift...), so that is read instead. The page opened still checks that
    the assistant may see it.
    """
    if notification.link.startswith(reverse("mobile:today")):
        return notification.link
    about = notifications.about(notification)
    if about is None or about[0] not in NOTIFICATION_TARGETS:
        return reverse("mobile:inbox")
    kind, pk = about
    if kind == "case":
        return reverse("mobile:case_detail", args=[pk])
    if kind == "shift":
        return reverse("mobile:shift_detail", args=[pk])
    if kind == "followup":
        case_id = FollowUp.objects.filter(pk=pk).values_list("case_id", flat=True).first()
        return reverse("mobile:follow_up", args=[case_id]) if case_id else reverse("mobile:inbox")
    enterprise_id = (
        EnterpriseLiaison.objects.filter(pk=pk, assistant=request.assistant)
        .values_list("enterprise_id", flat=True)
        .first()
    )
    if enterprise_id is None:
        return reverse("mobile:inbox")
    return reverse("mobile:visit_new") + "?" + urlencode({"target": f"enterprise:{enterprise_id}"})


@require_GET
@assistant_page
def inbox_open(request, pk):
    """Open one notification: it is marked read and leads to what it is about."""
    notification = get_object_or_404(notifications.inbox(request.user), pk=pk)
    notifications.mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect(notification_target(request, notification))


@require_POST
@assistant_page
def inbox_read_all(request):
    """Mark every notification of mine as read."""
    count = notifications.mark_read(user=request.user)
    messages.success(request, _("Marked %(count)s as read.") % {"count": count})
    return redirect("mobile:inbox")
