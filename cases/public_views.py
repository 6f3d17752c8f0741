"""The public QR form of a service point, and the staff pages that print its QR code.

A point's public address is /p/<token>/, where the token is the point's id signed with the
site's secret (django.core.signing). The id alone would let anyone walk every point's form by
counting; the signature makes a form reachable only from its printed code, without a model
field to keep. Posters survive a SECRET_KEY rotation as long as the old key stays in
SECRET_KEY_FALLBACKS, which Django's signer also accepts.
"""

import io

import segno
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from assistants.models import ServicePoint

from . import throttle
from .forms import HONEYPOT_FIELD, PublicRequestForm
from .intake import submit_public_request

POINT_SALT = "cases.public-form.point"
RECEIPT_SALT = "cases.public-form.receipt"
# The thanks page shows the case number for a day; after that the link is dead.
RECEIPT_MAX_AGE = 24 * 60 * 60

# The QR code's look. Error correction M survives a scuffed or partly covered poster.
QR_ERROR = "m"
QR_SCALE = 10
QR_BORDER = 4


# --- tokens -----------------------------------------------------------------------------------


def point_token(point) -> str:
    """The signed token in a service point's public address."""
    return signing.Signer(salt=POINT_SALT).sign(str(point.pk))


def point_from_token(token: str) -> ServicePoint:
    """The active service point a token names; 404 for a forged, altered or retired one."""
    try:
        pk = int(signing.Signer(salt=POINT_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    return get_object_or_404(ServicePoint.objects.active().select_related("street"), pk=pk)


def public_form_url(request, point) -> str:
    """The absolute address the point's QR code opens.

    PUBLIC_BASE_URL names the public host when staff work on another one (an intranet admin);
    without it the address is built from the host staff are using.
    """
    path = reverse("public:form", args=[point_token(point)])
    base = settings.PUBLIC_BASE_URL
    if base:
        return base.rstrip("/") + path
    return request.build_absolute_uri(path)


def make_qr(url: str):
    """The QR code of a public form address."""
    return segno.make_qr(url, error=QR_ERROR)


def qr_svg(url: str) -> bytes:
    """A standalone SVG file of the QR code, with the address it encodes as its description."""
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="svg", scale=QR_SCALE, border=QR_BORDER, desc=url)
    return buffer.getvalue()


# --- the public form ----------------------------------------------------------------------------


def _limited(request, point):
    return render(request, "public/limited.html", {"point": point}, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request, token):
    """The form a resident opens from the QR code; no login, rate-limited, CSRF-protected."""
    point = point_from_token(token)
    if request.method == "GET":
        form = PublicRequestForm(service_point=point)
        return render(request, "public/form.html", _form_context(point, form))

    ip = throttle.client_ip(request)
    if throttle.ip_is_blocked(ip):
        return _limited(request, point)
    form = PublicRequestForm(request.POST, service_point=point)
    if not form.is_valid():
        return render(request, "public/form.html", _form_context(point, form), status=400)
    try:
        throttle.register_submission(ip=ip, phone=form.cleaned_data["phone"])
    except throttle.RateLimited:
        return _limited(request, point)
    service_item, category_only = form.cleaned_data["service"]
    case = submit_public_request(
        service_point=point,
        name=form.cleaned_data["name"],
        phone=form.cleaned_data["phone"],
        community=form.cleaned_data["community"],
        description=form.cleaned_data["description"],
        service_item=service_item,
        category_only=category_only,
    )
    receipt = signing.TimestampSigner(salt=RECEIPT_SALT).sign(case.number)
    # Post/redirect/get: reloading the thanks page does not submit the request again.
    return redirect("public:thanks", token=token, receipt=receipt)


def _form_context(point, form):
    return {
        "point": point,
        "form": form,
        "visible_fields": [field for field in form if field.name != HONEYPOT_FIELD],
        "honeypot": form[HONEYPOT_FIELD],
    }


@never_cache
@require_GET
def thanks(request, token, receipt):
    """The case number of a request just sent, for the resident to quote when they call."""
    point = point_from_token(token)
    try:
        number = signing.TimestampSigner(salt=RECEIPT_SALT).unsign(receipt, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    context = {
        "point": point,
        "case_number": number,
        "form_url": reverse("public:form", args=[token]),
    }
    return render(request, "public/thanks.html", context)


# --- staff: the QR code and its poster ---------------------------------------------------------


def staff_page(view):
    """Signed-in staff allowed to view service points; others get the login page or 403."""
    return staff_member_required(
        permission_required("assistants.view_servicepoint", raise_exception=True)(view)
    )


@require_GET
@staff_page
def point_qr_svg(request, pk):
    """The point's QR code as an SVG file, for print shops and other posters."""
    point = get_object_or_404(ServicePoint.objects.visible_to(request.user), pk=pk)
    response = HttpResponse(qr_svg(public_form_url(request, point)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="service-point-{point.pk}-qr.svg"'
    return response


@require_GET
@staff_page
def point_poster(request, pk):
    """A printable A4 poster with the point's QR code and how to use it."""
    points = ServicePoint.objects.visible_to(request.user).select_related("street", "community")
    point = get_object_or_404(points, pk=pk)
    url = public_form_url(request, point)
    # segno writes the markup itself from the matrix; the address is not part of it.
    svg = mark_safe(make_qr(url).svg_inline(scale=QR_SCALE, border=QR_BORDER, omitsize=True))
    context = {
        "point": point,
        "url": url,
        "qr_svg": svg,
        "qr_svg_url": reverse("public:point_qr", args=[point.pk]),
    }
    return render(request, "public/poster.html", context)
