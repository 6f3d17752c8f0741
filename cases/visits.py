"""Logging visits (走访/服务记录) and keeping their photos and PDFs.

A visit may belong to a case or stand alone (a routine enterprise visit). Attachments are
checked by what their bytes are (talentoffice.uploads), and stored under the extension of
their real format.
"""

import os
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from talentoffice.uploads import Sniffed, check_attachments
from talentoffice.validators import validate_programme_date

from .choices import CaseEventKind, CaseState, VisitKind
from .models import Case, CaseEvent, Visit, VisitAttachment

# A visit logged "in the future" is a typo, but phones' clocks drift by a few minutes.
CLOCK_SKEW = timedelta(minutes=5)
# FileField's default max_length is 100; "visits/<id>/" and a collision suffix need room.
MAX_STEM_LENGTH = 60


def _storage_name(upload, sniffed: Sniffed) -> str:
    stem = os.path.splitext(os.path.basename(upload.name or ""))[0]
    stem = get_valid_filename(stem)[:MAX_STEM_LENGTH] if stem.strip() else "attachment"
    # Stored under its real extension, so the file is served with the type it really has.
    return f"{stem or 'attachment'}{sniffed.extension}"


def _save_attachments(*, visit, uploads, sniffed, written: list[str]) -> list[VisitAttachment]:
    attachments = []
    for upload, kind in zip(uploads, sniffed, strict=True):
        attachment = VisitAttachment(
            visit=visit,
            content_type=kind.content_type,
            size=upload.size,
            original_name=_storage_name(upload, kind)[:100],
        )
        upload.seek(0)
        attachment.file.save(_storage_name(upload, kind), File(upload), save=False)
        written.append(attachment.file.name)
        attachment.save()
        attachments.append(attachment)
        if visit.case_id is not None:
            CaseEvent.objects.create(
                case_id=visit.case_id,
                kind=CaseEventKind.ATTACHMENT,
                actor=visit.assistant.user,
                assistant=visit.assistant,
                note=attachment.original_name,
            )
    return attachments


def _delete_written(names):
    # The database rows went with the rollback; the files would stay behind as orphans.
    for name in names:
        default_storage.delete(name)


def check_case_for_visit(*, case, assistant):
    """A visit on a case is logged by its lead or a helper, and not on a closed case."""
    if case.state == CaseState.CLOSED:
        raise ValidationError(
            {"case": _("This case is closed; log the visit without it.")}, code="case_closed"
        )
    if case.lead_id != assistant.pk and not case.helpers.filter(pk=assistant.pk).exists():
        raise ValidationError(
            {"case": _("Only the case's lead assistant or a helper logs visits on it.")},
            code="not_on_case",
        )


def check_visit(*, kind, occurred_at, service_point, enterprise, resident, people_present):
    """The rules on a visit's own fields; raise ValidationError naming every field at fault."""
    errors = {}
    if kind not in VisitKind.values:
        errors["kind"] = _("Choose what kind of visit this was.")
    if service_point is None and enterprise is None and resident is None:
        errors["service_point"] = _(
            "Say where the visit took place: a service point, an enterprise or a household."
        )
    if occurred_at is not None and occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = _("The visit time cannot be in the future.")
    elif occurred_at is not None:
        try:
            validate_programme_date(occurred_at)
        except ValidationError as error:
            errors["occurred_at"] = error.messages[0]
    if people_present is None or people_present < 1:
        errors["people_present"] = _("At least one person was present.")
    if errors:
        raise ValidationError(errors)


def _key_seen(key) -> bool:
    return Visit.objects.filter(idempotency_key=key).exists()


def _first_visit_for_key(*, key, assistant) -> Visit:
    visit = Visit.objects.get(idempotency_key=key)
    if visit.assistant_id != assistant.pk:
        # Keys are random per submission; another assistant's key is a client bug, not a retry.
        raise ValidationError(
            _("This submission key was already used by someone else."), code="key_reused"
        )
    return visit


def log_visit(
    *,
    assistant,
    kind,
    occurred_at,
    duration_minutes,
    case=None,
    service_point=None,
    enterprise=None,
    resident=None,
    people_present=1,
    notes="",
    attachments=(),
    idempotency_key=None,
) -> tuple[Visit, bool]:
    """Log a visit with its attachments in one go; a retry with the same key returns the first.

    Returns (visit, created). Nothing is saved when any check fails, files included: all
    attachments are checked before the first is written, and files written before a later
    database error are deleted again. (Files written inside a caller's own transaction that
    later rolls back are not tracked here; callers should let this function own the transaction.)
    """
    idempotency_key = (idempotency_key or "").strip() or None
    if idempotency_key is not None and _key_seen(idempotency_key):
        return _first_visit_for_key(key=idempotency_key, assistant=assistant), False

    check_visit(
        kind=kind,
        occurred_at=occurred_at,
        service_point=service_point,
        enterprise=enterprise,
        resident=resident,
        people_present=people_present,
    )
    attachments = list(attachments)
    sniffed = check_attachments(attachments)

    written: list[str] = []
    try:
        with transaction.atomic():
            if case is not None:
                # Read the case afresh under a lock: the caller's copy may predate an
                # assignment, and a case closed meanwhile must not gain a visit.
                case = Case.objects.select_for_update().get(pk=case.pk)
                check_case_for_visit(case=case, assistant=assistant)
            visit = Visit(
                kind=kind,
                assistant=assistant,
                case=case,
                occurred_at=occurred_at,
                duration_minutes=duration_minutes,
                service_point=service_point,
                enterprise=enterprise,
                resident=resident,
                people_present=people_present,
                notes=notes,
                idempotency_key=idempotency_key,
            )
            visit.full_clean(exclude=["idempotency_key"])
            visit.save()
            if case is not None:
                # The timeline is the case's official record: written in the district's
                # language whoever logs the visit (as cases.deadlines does).
                with translation.override(settings.LANGUAGE_CODE):
                    label = str(visit.get_kind_display())
                local = timezone.localtime(occurred_at)
                CaseEvent.objects.create(
                    case=case,
                    kind=CaseEventKind.VISIT,
                    actor=assistant.user,
                    assistant=assistant,
                    note=f"{label} {local:%Y-%m-%d %H:%M} {notes}".strip(),
                )
            _save_attachments(visit=visit, uploads=attachments, sniffed=sniffed, written=written)
    except IntegrityError:
        _delete_written(written)
        if idempotency_key is None or not _key_seen(idempotency_key):
            raise
        # Two copies of one submission raced past the check above; the other one won and
        # committed (the unique index made us wait for it), so answer with its visit.
        return _first_visit_for_key(key=idempotency_key, assistant=assistant), False
    except BaseException:
        _delete_written(written)
        raise
    return visit, True


def attach_files(*, visit, files) -> list[VisitAttachment]:
    """Add photos or PDFs to a visit already logged; all are checked before any is kept."""
    files = list(files)
    sniffed = check_attachments(files)
    written: list[str] = []
    try:
        with transaction.atomic():
            return _save_attachments(visit=visit, uploads=files, sniffed=sniffed, written=written)
    except BaseException:
        _delete_written(written)
        raise
