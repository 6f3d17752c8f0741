"""The monthly digest: last month's figures to district staff, their street's to each street
coordinator, and to each partner's managers their own partner's figures only.

Written as notifications (rows first, delivered by Celery after commit, talentoffice.
notifications), rendered in each recipient's language. The month is the notification's
occasion, unique per recipient, so a repeated or overlapping run writes nothing new.
"""

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from partners.models import PartnerContact
from talentoffice import access, kinds
from talentoffice.models import NotificationKind
from talentoffice.notifications import notify, quiet_hours_end

from .figures import HEADLINE_ORDER, RATE_ORDER, Filters, Period, Sources, compute_figures

logger = logging.getLogger(__name__)


def last_month(today: date) -> Period:
    """The whole calendar month before the one `today` is in."""
    first = today.replace(day=1)
    end = date.fromordinal(first.toordinal() - 1)
    return Period(end.replace(day=1), end)


def render_digest(period: Period, figures, *, partner=None):
    """(subject, body) of a digest; called inside the recipient's language."""

    def render():
        digest = kinds.template(NotificationKind.STEERING_DIGEST)
        lines = []
        for key in HEADLINE_ORDER:
            figure = figures[key]
            lines.append(
                digest.part(
                    "headline",
                    {"label": figure.label, "value": figure.value, "previous": figure.previous},
                )
            )
        for key in RATE_ORDER:
            figure = figures[key]
            value = "–" if figure.value is None else f"{figure.value}%"
            lines.append(
                digest.part(
                    "rate",
                    {
                        "label": figure.label,
                        "value": value,
                        "numerator": figure.numerator,
                        "denominator": figure.denominator,
                    },
                )
            )
        names = {"month": f"{period.start:%Y-%m}", "lines": "\n".join(lines)}
        if partner is None:
            return digest.render(names)
        return digest.render(names | {"partner": partner.short_name}, "partner")

    return render


def send_monthly_digest(*, today: date | None = None) -> int:
    """Write last month's digest for district staff, street coordinators and partner managers."""
    today = today or timezone.localdate()
    period = last_month(today)
    now = timezone.now()
    written = 0
    # District staff read the district's figures; a street coordinator reads their street's.
    coordinators = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, is_superuser=False)
        .filter(street_coordinator__isnull=False)
        .select_related("notification_preference")
    )
    staff = sorted([*access.district_staff(), *coordinators], key=lambda user: user.pk)
    if staff:
        figures = compute_figures(Filters(period), Sources())
        start, end = period.start.isoformat(), period.end.isoformat()
        link = f"{reverse('steering:dashboard')}?start={start}&end={end}"
        for user in staff:
            # A street coordinator reads their street's figures, through the same scoping as
            # the dashboard; district staff share the one set computed above.
            own = figures
            if access.street_id_of(user) is not None:
                own = compute_figures(Filters(period), Sources(user))
            written += _send(user, period, render_digest(period, own), link, now)
    contacts = (
        PartnerContact.objects.filter(user__isnull=False, user__is_active=True)
        .select_related("partner", "user__notification_preference")
        .order_by("partner_id", "pk")
    )
    by_partner = {}
    for contact in contacts:
        by_partner.setdefault(contact.partner, []).append(contact.user)
    for partner, users in by_partner.items():
        # Each partner's figures are computed with its own filter: nothing of another partner's.
        figures = compute_figures(Filters(period, partner_id=partner.pk), Sources())
        for user in users:
            written += _send(user, period, render_digest(period, figures, partner=partner), "", now)
    if written:
        logger.info("steering digest for %s sent to %s people", period.start, written)
    return written


def _send(user, period, render, link, now) -> int:
    notification = notify(
        recipient=user,
        kind=NotificationKind.STEERING_DIGEST,
        occasion=f"{period.start:%Y-%m}",
        render=render,
        link=link,
        not_before=quiet_hours_end(user=user, at=now),
    )
    return int(notification is not None)
