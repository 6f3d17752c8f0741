"""Visits: logging one (from a draft kept on the phone), one visit, my visits."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assistants.choices import ShiftStatus
from assistants.models import Shift
from cases import visits
from cases.models import Case, EnterpriseLiaison, Visit, VisitAttachment
from talentoffice.masking import mask_name, scrub
from talentoffice.pagination import PeekPage

from ..forms import VisitForm
from ..photos import shrink_photos
from ..scopes import (
    NEWEST,
    enterprises_visible_to,
    first_cases,
    recent_requesters,
    residents_visible_to,
)
from .access import assistant_page, wants_json
from .cases import _add_errors, _name_attachments

VISITS_PER_PAGE = 20
TARGET_CHOICES_PER_KIND = 30


def _case_label(case) -> str:
    return f"{case.number} · {scrub(case.title)}"


def _visit_target(request, value):
    """The case, enterprise or resident a target value names, among mine; else None."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None
    if kind == "case":
        case = (
            Case.objects.visible_to(request.user)
            .select_related("resident", "enterprise")
            .filter(pk=pk)
            .first()
        )
        return case
    if kind == "enterprise":
        return enterprises_visible_to(request.user, request.assistant).filter(pk=pk).first()
    if kind == "resident":
        return residents_visible_to(request.user, request.assistant).filter(pk=pk).first()
    return None


def _target_choices(request, selected=None):
    """The choices of the target select: my open cases, and my enterprises and households."""
    # Queries: open cases, enterprises, residents.
    user, assistant = request.user, request.assistant
    cases = first_cases(user, assistant, Case.objects.open(), NEWEST, TARGET_CHOICES_PER_KIND)
    residents, enterprises = recent_requesters(
        user,
        assistant,
        Case.objects.select_related("resident", "enterprise"),
        TARGET_CHOICES_PER_KIND,
    )
    liaisons = EnterpriseLiaison.objects.filter(assistant=assistant, active=True).select_related(
        "enterprise"
    )[:TARGET_CHOICES_PER_KIND]
    for liaison in liaisons:
        if liaison.enterprise not in enterprises:
            enterprises.append(liaison.enterprise)
    enterprises = sorted(enterprises, key=lambda e: (e.name, e.pk))[:TARGET_CHOICES_PER_KIND]
    residents = sorted(residents, key=lambda r: (r.name, r.pk))
    choices = [
        (_("Cases"), [(f"case:{case.pk}", _case_label(case)) for case in cases]),
        (_("Enterprises"), [(f"enterprise:{e.pk}", e.name) for e in enterprises]),
        (_("Households"), [(f"resident:{r.pk}", mask_name(r.name)) for r in residents]),
    ]
    if selected is not None:
        value, label = selected
        listed = {v for _group, options in choices for v, _label in options}
        if value not in listed:
            choices.insert(0, (_("Chosen"), [(value, label)]))
    return choices


def _target_label(target) -> str:
    if isinstance(target, Case):
        return _case_label(target)
    return target.name


def _target_value(target) -> str:
    kind = {"Case": "case", "Enterprise": "enterprise", "Resident": "resident"}
    return f"{kind[type(target).__name__]}:{target.pk}"


def _visit_json_errors(form, photo_errors):
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    if photo_errors:
        errors["photos"] = photo_errors
    return JsonResponse(
        {
            "ok": False,
            "error": "invalid",
            "message": _("The visit was not saved. Correct what is marked; nothing typed is lost."),
            "errors": errors,
        },
        status=400,
    )


@require_http_methods(["GET", "POST"])
@assistant_page
def visit_new(request):
    """Log a visit: one tap per field, photos from the camera, safe to send twice."""
    # Queries (GET): session, user, assistant, open cases, enterprises, residents, and the
    # preselected target when the page was opened from a case.
    preset = None
    target_value = request.GET.get("target", "")
    if target_value:
        target = _visit_target(request, target_value)
        if target is None:
            raise Http404
        preset = (target_value, _target_label(target))
    if request.method == "GET":
        form = VisitForm(
            initial=VisitForm.fresh_initial(target=target_value),
            target_choices=_target_choices(request, preset),
        )
        return render(request, "mobile/visit_new.html", {"form": form, "photo_errors": []})

    posted_target = _visit_target(request, request.POST.get("target"))
    selected = (request.POST["target"], _target_label(posted_target)) if posted_target else None
    form = VisitForm(request.POST, target_choices=_target_choices(request, selected))
    photo_errors: list[str] = []
    visit = created = None
    # Every mistake is shown at once: the photos are checked whatever else is wrong, and the
    # visit's own rules whatever is wrong with the photos (not one round trip per mistake).
    photos = _checked_photos(request, photo_errors)
    if form.is_valid():
        if posted_target is None:
            form.add_error("target", _("Choose one of your cases, enterprises or households."))
        else:
            visit, created = _log_visit(request, form, posted_target, photos, photo_errors)
    if visit is None:
        if wants_json(request):
            return _visit_json_errors(form, photo_errors)
        return render(
            request,
            "mobile/visit_new.html",
            {"form": form, "photo_errors": photo_errors},
            status=400,
        )
    if created:
        messages.success(request, _("Visit saved."))
    else:
        messages.info(request, _("This visit was already saved; it was not saved twice."))
    next_url = (
        reverse("mobile:case_detail", args=[visit.case_id])
        if visit.case_id
        else reverse("mobile:visit_detail", args=[visit.pk])
    )
    if wants_json(request):
        return JsonResponse(
            {"ok": True, "created": created, "visit": visit.pk, "redirect": next_url},
            status=201 if created else 200,
        )
    return redirect(next_url)


def _visit_service_point(request, occurred_at):
    """The service point of my shift the visit falls in, else of my shift that day, else None.

    A visit made while on duty counts for the point the assistant serves (staff report visits
    per service point); one made on a day off is the assistant's own and names no point.
    """
    shifts = Shift.objects.filter(
        assistant=request.assistant, date=timezone.localdate(occurred_at)
    ).exclude(status=ShiftStatus.CANCELLED)
    during = shifts.filter(starts_at__lte=occurred_at, ends_at__gt=occurred_at)
    shift = during.order_by("starts_at", "pk").first() or shifts.order_by("starts_at", "pk").first()
    return shift.service_point if shift is not None else None


def _checked_photos(request, photo_errors):
    """The uploads shrunk and checked by cases.visits; problems go to photo_errors."""
    try:
        photos = shrink_photos(request.FILES.getlist("photos"))
        visits.check_attachments(photos)
    except ValidationError as error:
        photo_errors.extend(error.messages)
        return []
    return photos


VISIT_FIELD_NAMES = {"case": "target", "service_point": "target", "enterprise": "target"}


def _log_visit(request, form, target, photos, photo_errors):
    """Call cases.visits.log_visit with the checked photos; errors land on the form."""
    data = form.cleaned_data
    case = target if isinstance(target, Case) else None
    enterprise = target if type(target).__name__ == "Enterprise" else None
    resident = target if type(target).__name__ == "Resident" else None
    if case is not None:
        enterprise, resident = case.enterprise, case.resident
    service_point = _visit_service_point(request, data["occurred_at"])
    try:
        # log_visit checks these too, but stops at the first group of problems; asked here
        # first, the fields' problems and the photos' are shown together.
        visits.check_visit(
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            service_point=service_point,
            enterprise=enterprise,
            resident=resident,
            people_present=data["people_present"],
        )
    except ValidationError as error:
        _add_errors(form, error, fallback=None, rename=VISIT_FIELD_NAMES)
    if form.errors or photo_errors:
        return None, None
    try:
        return visits.log_visit(
            assistant=request.assistant,
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            duration_minutes=data["duration_minutes"],
            case=case,
            service_point=service_point,
            enterprise=enterprise,
            resident=resident,
            people_present=data["people_present"],
            notes=data["notes"],
            attachments=photos,
            idempotency_key=data["idempotency_key"],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            _add_errors(form, error, fallback=None, rename=VISIT_FIELD_NAMES)
        else:
            photo_errors.extend(error.messages)
        return None, None


@require_GET
@assistant_page
def visit_detail(request, pk):
    """One of my visits, with its attachments."""
    # Queries: session, user, assistant, visit with case and requester, attachments.
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user)
        .select_related("case", "enterprise", "resident", "service_point")
        .prefetch_related("attachments"),
        pk=pk,
    )
    _name_attachments(visit.attachments.all())
    return render(
        request,
        "mobile/visit_detail.html",
        {"visit": visit, "attachment_links": hasattr(VisitAttachment, "get_absolute_url")},
    )


@require_GET
@assistant_page
def visit_list(request):
    """My visits, newest first."""
    # Queries: session, user, assistant, one page of visits (one row more, no count).
    page = PeekPage(
        # Filtered by the assistant too, so that their index serves the order and the limit.
        Visit.objects.visible_to(request.user)
        .filter(assistant=request.assistant)
        .select_related("case", "enterprise", "resident")
        .order_by("-occurred_at", "-pk"),
        VISITS_PER_PAGE,
        request.GET.get("page"),
    )
    return render(request, "mobile/visits.html", {"page": page})
