"""The calendar subscription link and its QR code."""

import hashlib
import re

import segno
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .access import assistant_page

QR_CACHE_SECONDS = 24 * 60 * 60


def calendar_feed_url(request, assistant) -> str:
    """The absolute address of the assistant's private calendar feed."""
    path = reverse("calendar:feed", args=[assistant.calendar_token])
    base = settings.PUBLIC_BASE_URL
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def _qr_svg(text: str) -> str:
    """An inline SVG QR code (no style attributes: the page's CSS sizes it).

    Choosing a QR code's mask is slow pure Python in segno, and the feed address changes only
    when staff reset the token, so the drawing is kept in the cache for a day.
    """
    key = "mobile:qr:" + hashlib.sha256(text.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        qr = segno.make_qr(text, error="m")
        svg = qr.svg_inline(scale=4, border=2, svgclass="m-qr", lineclass=None, omitsize=True)
        cache.set(key, svg, QR_CACHE_SECONDS)
    # segno writes only path data and our own class into it: safe to place in the page as is.
    return mark_safe(svg)


@require_GET
@assistant_page
def calendar(request):
    """The calendar subscription link, with a QR code to scan from the phone's calendar app."""
    # Queries: session, user, assistant.
    url = calendar_feed_url(request, request.assistant)
    webcal = re.sub(r"^https?://", "webcal://", url)
    return render(
        request,
        "mobile/calendar.html",
        {"feed_url": url, "webcal_url": webcal, "qr": _qr_svg(url)},
    )
