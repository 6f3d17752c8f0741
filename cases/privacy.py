"""Residents' personal data: who saw it in full, and how long it is kept.

Lists, exports and timelines show a resident's phone, address and ID number masked
(talentoffice.masking). Someone whose role needs a full value (the `view_personal_data`
permission) asks for it on the resident's page, giving a reason; the values then show for a few
minutes, and the request is one `PersonalDataAccess` row: who, whose, when, why, from where.
Exports in full need `export_personal_data` and are logged the same way.

Retention: a resident's name, phone, address and ID number are anonymized
`RESIDENT_RETENTION_DAYS` after their last case closed, provided no case of theirs is open.
The cases themselves stay (for the programme's figures), pointing at the anonymized row.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from talentoffice.audit import mask_value
from talentoffice.database_rules import append_only_unlocked
from talentoffice.masking import mask_name
from talentoffice.models import Delivery, DeliveryAttempt, Notification

from .choices import CaseState
from .models import Case, PersonalDataAccess, Resident

REVEAL_SESSION_KEY = "personal-data-reveal"
# Phones of anonymized residents: 0900 is no area code, so no real number starts with it, and
# the resident's id keeps the unique phone column unique.
ANONYMIZED_PHONE_PREFIX = "0900"


def client_address(request) -> str | None:
    """The address the request came from, as the audit middleware records it."""
    if settings.TRUST_X_FORWARDED_FOR and request.headers.get("X-Forwarded-For"):
        return request.headers["X-Forwarded-For"].split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


# -- showing in full --------------------------------------------------------------------------


def can_view_in_full(user) -> bool:
    """Whether the user's role may ask to see a resident's personal data in full."""
    return user.has_perm("cases.view_personal_data")


def can_export_in_full(user) -> bool:
    """Whether the user's role may export residents' personal data unmasked."""
    return user.has_perm("cases.export_personal_data")


@transaction.atomic
def reveal(*, request, resident: Resident, reason: str) -> PersonalDataAccess:
    """Log that the user asks to see this resident's data in full, and show it for a while."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required")
    access = PersonalDataAccess.objects.create(
        kind=PersonalDataAccess.Kind.VIEW,
        user=request.user,
        username=request.user.get_username(),
        resident=resident,
        reason=reason,
        remote_addr=client_address(request),
    )
    until = timezone.now() + timedelta(minutes=settings.PERSONAL_DATA_REVEAL_MINUTES)
    shown = dict(request.session.get(REVEAL_SESSION_KEY, {}))
    shown[str(resident.pk)] = until.isoformat()
    request.session[REVEAL_SESSION_KEY] = shown
    return access


def is_revealed(request, resident: Resident) -> bool:
    """Whether this session was granted a full view of this resident that has not run out."""
    if resident is None or resident.pk is None or not can_view_in_full(request.user):
        return False
    until = request.session.get(REVEAL_SESSION_KEY, {}).get(str(resident.pk))
    return until is not None and datetime.fromisoformat(until) > timezone.now()


def record_export(*, request, rows: int, detail: str = "") -> PersonalDataAccess:
    """Log an export of residents' personal data in full."""
    return PersonalDataAccess.objects.create(
        kind=PersonalDataAccess.Kind.EXPORT,
        user=request.user,
        username=request.user.get_username(),
        rows=rows,
        detail=detail[:500],
        remote_addr=client_address(request),
    )


# -- retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueResident:
    """A resident whose personal data is due to be anonymized, as a dry run reports it."""

    pk: int
    masked_name: str
    last_closed_at: datetime


def residents_due(*, now=None):
    """Residents not yet anonymized whose cases are all closed, the last before the cut-off."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RESIDENT_RETENTION_DAYS)
    still_open = Case.objects.filter(resident__isnull=False).exclude(state=CaseState.CLOSED)
    return (
        Resident.objects.filter(anonymized_at__isnull=True)
        .exclude(pk__in=still_open.values("resident_id"))
        .annotate(last_closed_at=Max("cases__closed_at"))
        .filter(last_closed_at__lt=cutoff)
        .order_by("last_closed_at", "pk")
    )


def dry_run(*, now=None, limit: int | None = None) -> list[DueResident]:
    """What a run would anonymize now, without changing anything."""
    due = residents_due(now=now)
    if limit is not None:
        due = due[:limit]
    return [
        DueResident(pk=resident.pk, masked_name=mask_name(resident.name), last_closed_at=last)
        for resident, last in ((r, r.last_closed_at) for r in due)
    ]


def anonymize_resident(resident: Resident, *, now) -> None:
    """Replace one resident's name, phone, address and ID number for good, copies included."""
    old = [v for v in (resident.name, resident.phone, resident.address, resident.id_number) if v]
    with translation.override(settings.LANGUAGE_CODE):
        resident.name = gettext("anonymized")
    resident.phone = f"{ANONYMIZED_PHONE_PREFIX}{resident.pk:08d}"
    resident.address = ""
    resident.id_number = ""
    resident.anonymized_at = now
    resident.save(
        update_fields=["name", "phone", "address", "id_number", "anonymized_at", "updated_at"]
    )
    _anonymize_copies(resident, old)


def _replaced(value, old, new):
    """A JSON value with every string holding one of the old values rewritten."""
    if isinstance(value, str):
        for text in old:
            value = value.replace(text, new)
        return value
    if isinstance(value, list):
        return [_replaced(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, old, new) for key, item in value.items()}
    return value


@transaction.atomic
def _anonymize_copies(resident: Resident, old: list[str]) -> None:
    """Rewrite the copies of a resident's name and phone kept beside the record.

    The audit trail names the resident in its entries' titles (and their masked changes), and
    notifications and delivery logs may quote a name or phone; retention is only kept if those
    forget the person too. The audit trail is append-only in the database; this transaction
    alone is let through (`append_only_unlocked`), and DELETE stays refused.
    """
    new = resident.name
    # Audit entries keep values masked as 陈*…*倩; those masks name nobody else but this person.
    old = sorted({*old, *(mask_value(v) for v in old if len(v) > 4)}, key=len, reverse=True)
    with append_only_unlocked():
        own = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Resident), object_pk=str(resident.pk)
        )
        mentions = Q()
        for text in old:
            mentions |= Q(object_repr__contains=text) | Q(changes_text__contains=text)
            mentions |= Q(changes__icontains=text)
        for entry in (own | LogEntry.objects.filter(mentions)).distinct():
            entry.object_repr = _replaced(entry.object_repr, old, new)
            entry.changes_text = _replaced(entry.changes_text, old, new)
            entry.changes = _replaced(entry.changes, old, new)
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=entry.object_repr,
                changes_text=entry.changes_text,
                changes=entry.changes,
            )
    for model, fields in (
        (Notification, ["subject", "body"]),
        (Delivery, ["target", "last_error"]),
        (DeliveryAttempt, ["error"]),
    ):
        mentions = Q()
        for text in old:
            for field in fields:
                mentions |= Q(**{f"{field}__contains": text})
        for row in model.objects.filter(mentions).only("pk", *fields):
            model.objects.filter(pk=row.pk).update(
                **{field: _replaced(getattr(row, field), old, new) for field in fields}
            )


def anonymize_due(*, now=None, limit: int | None = None) -> list[int]:
    """Anonymize the due residents (up to `limit`); returns their ids.

    One short transaction per resident, each re-checked under its row lock, so a long run
    never holds many locks and a case opened meanwhile is respected.
    """
    now = now or timezone.now()
    done = []
    due = residents_due(now=now).values_list("pk", flat=True)
    for pk in list(due if limit is None else due[:limit]):
        with transaction.atomic():
            resident = Resident.objects.select_for_update().filter(pk=pk).first()
            # A case opened for them since the list was read keeps them as they are.
            if resident is None or not residents_due(now=now).filter(pk=pk).exists():
                continue
            anonymize_resident(resident, now=now)
            done.append(pk)
    return done


def record_admin_search(sender, *, request, term_hash: str, rows: int, **kwargs) -> None:
    """Log a search by a whole phone or ID number: who, when, and the hash of what was typed."""
    PersonalDataAccess.objects.create(
        kind=PersonalDataAccess.Kind.SEARCH,
        user=request.user,
        username=request.user.get_username(),
        term_hash=term_hash,
        rows=rows,
        remote_addr=client_address(request),
    )
