"""Intake: finding the requester of a new case without duplicates, and the public QR form.

Residents are known by their phone number and enterprises by their credit code, both stored in
their normalized form, so "138 1234 5678", "+86 138-1234-5678" and "13812345678" are one person.
Every intake path (admin, mobile pages, partner API, public form) goes through these functions;
the case itself is always opened by `cases.workflow.create_case`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from talentoffice.masking import scrub
from talentoffice.validators import (
    normalize_credit_code,
    normalize_phone,
    validate_credit_code,
    validate_phone,
)

from .choices import CaseSource
from .models import Case, Enterprise, Resident
from .workflow import accept_case, assign_case, create_case

TITLE_LENGTH = 40


def _get_or_insert(model, lookup: dict, candidate):
    """Return (row, created): the existing row matching lookup, else candidate once inserted.

    Two requests for the same new phone (or credit code) can both miss the first read. The
    unique index then lets one insert win; the other's insert fails, and it takes the winner's
    row. The insert runs in a savepoint so that the failure leaves the caller's transaction
    usable, and under READ COMMITTED the second read sees the row the winner just committed.
    """
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    # Uniqueness is the database's job here: checking it in Python would only race. The looked-up
    # fields were validated by the caller; left out, so their unique constraint is not queried.
    candidate.full_clean(exclude=[key.split("__")[0] for key in lookup], validate_unique=False)
    try:
        with transaction.atomic():
            candidate.save(force_insert=True)
    except IntegrityError:
        existing = model.objects.filter(**lookup).first()
        if existing is None:  # the insert failed for another reason than the race
            raise
        return existing, False
    return candidate, True


def same_name(typed: str, stored: str) -> bool:
    """Whether a typed name is the stored one, whatever the spaces around or inside it."""
    return "".join((typed or "").split()) == "".join((stored or "").split())


@transaction.atomic
def find_or_create_resident(*, name, phone, community=None, address="") -> tuple[Resident, bool]:
    """The resident with this phone number and name, created if unknown; never changes a known one.

    Whoever types a phone learns nothing about the resident on file: the case joins that record
    only when the typed name is theirs too. With another name, a new record holds what was
    typed, flagged as a possible duplicate for staff to compare and merge, so guessing phones
    never shows a stranger's name or address.
    """
    phone = normalize_phone(phone)
    validate_phone(phone)
    name = (name or "").strip()
    candidate = Resident(
        name=name,
        phone=phone,
        community=community,
        address=(address or "").strip(),
    )
    resident, created = _get_or_insert(
        Resident, {"phone": phone, "possible_duplicate_of__isnull": True}, candidate
    )
    if created or same_name(name, resident.name):
        return resident, created
    # The same stranger typing again lands on the record made the first time.
    for waiting in Resident.objects.filter(phone=phone, possible_duplicate_of=resident):
        if same_name(name, waiting.name):
            return waiting, False
    duplicate = Resident(
        name=name,
        phone=phone,
        community=community,
        address=(address or "").strip(),
        possible_duplicate_of=resident,
    )
    duplicate.full_clean(validate_unique=False, validate_constraints=False)
    duplicate.save(force_insert=True)
    return duplicate, True


@transaction.atomic
def find_or_create_enterprise(
    *,
    name,
    credit_code,
    street,
    industry="",
    address="",
    contact_name="",
    contact_phone="",
) -> tuple[Enterprise, bool]:
    """The enterprise with this credit code, created if unknown; never changes a known one."""
    credit_code = normalize_credit_code(credit_code)
    validate_credit_code(credit_code)
    candidate = Enterprise(
        name=(name or "").strip(),
        credit_code=credit_code,
        street=street,
        industry=(industry or "").strip(),
        address=(address or "").strip(),
        contact_name=(contact_name or "").strip(),
        contact_phone=normalize_phone(contact_phone) if contact_phone else "",
    )
    return _get_or_insert(Enterprise, {"credit_code": credit_code}, candidate)


def _title_from(description: str) -> str:
    """The first line of a request, as the case's title that lists and partners show.

    Scrubbed here, once: a first line such as "请回电138…" would otherwise carry the resident's
    phone into every list, export and partner feed that shows titles.
    """
    first_line = scrub(description.strip().splitlines()[0].strip())
    if len(first_line) <= TITLE_LENGTH:
        return first_line
    return first_line[: TITLE_LENGTH - 1] + "…"


@transaction.atomic
def submit_public_request(
    *,
    service_point,
    name,
    phone,
    description,
    service_item,
    community=None,
    category_only=False,
) -> Case:
    """Open a case from the public QR form; a known phone keeps its resident record untouched.

    The form is anonymous, so what it says about a person already on file is not trusted to
    change that record: the existing resident stays as it is and the name (and community) typed
    on the form go into the case description for staff to compare. The case starts "new";
    staff assign it, whatever the item's specialty.
    """
    description = (description or "").strip()
    if not description:
        raise ValidationError(
            {"description": ValidationError(_("Describe your problem briefly."), code="required")}
        )
    name = (name or "").strip()
    resident, created = find_or_create_resident(name=name, phone=phone, community=community)
    with translation.override(settings.LANGUAGE_CODE):
        # Staff read these notes, so they are written in the district's language, not in the
        # language of the resident's browser.
        notes = _notes_for_staff(resident, created, name, community, service_item, category_only)
    if notes:
        description = description + "\n\n" + "\n".join(notes)
    return create_case(
        title=_title_from(description),
        description=description,
        service_item=service_item,
        source=CaseSource.PUBLIC_FORM,
        resident=resident,
        service_point=service_point,
    )


def _notes_for_staff(resident, created, name, community, service_item, category_only):
    """What the form said that the resident record does not, for staff to compare."""
    notes = []
    if not created and name != resident.name:
        notes.append(_("Name given on the public form: %(name)s") % {"name": name})
    if not created and community is not None and community.pk != resident.community_id:
        notes.append(
            _("Community given on the public form: %(community)s") % {"community": community}
        )
    if category_only:
        notes.append(
            _("The requester chose only the category “%(category)s”; check the service item.")
            % {"category": service_item.category.name}
        )
    return notes


@transaction.atomic
def open_case_in_person(
    *,
    assistant,
    title,
    service_item,
    source,
    resident=None,
    enterprise=None,
    description="",
    service_point=None,
):
    """An assistant opens a case on the spot and takes it: created, assigned to them, accepted.

    The assistant met the requester in person, so there is nobody to dispatch it to and no
    acceptance deadline to wait for; the timeline still shows all three steps.
    """
    user = assistant.user
    case = create_case(
        title=title,
        description=description,
        service_item=service_item,
        source=source,
        resident=resident,
        enterprise=enterprise,
        service_point=service_point,
        by=user,
    )
    case = assign_case(case=case, lead=assistant, by=user)
    return accept_case(case=case, assistant=assistant)
