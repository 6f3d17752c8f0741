"""Masking of personal data for lists, exports and the partner API."""

import re

from .crypto import Undecryptable

MASK = "*"


def mask_name(name: str) -> str:
    """Keep the family name: 王小明 becomes 王**, 王明 becomes 王*."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + MASK * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits: 13812345678 becomes 138****5678."""
    phone = phone or ""
    if len(phone) <= 7:
        return MASK * len(phone)
    return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """Keep the region prefix and the last four characters of a resident ID number."""
    if isinstance(id_number, Undecryptable):
        return id_number  # the label says no key opens it; it hides nothing to mask
    id_number = id_number or ""
    if len(id_number) <= 10:
        return MASK * len(id_number)
    return id_number[:6] + MASK * (len(id_number) - 10) + id_number[-4:]


def mask_address(address: str) -> str:
    """Keep the first six characters (the street and estate), hide the building and door."""
    address = (address or "").strip()
    if len(address) <= 6:
        return address[:2] + MASK * max(len(address) - 2, 0)
    return address[:6] + MASK * 4


# Residents' personal fields and how each is shown to whoever may not see it in full, by
# "app_label.model"; exports mask through it (talentoffice.exporting).
PERSONAL_FIELDS = {
    "cases.resident": {
        "name": mask_name,
        "phone": mask_phone,
        "address": mask_address,
        "id_number": mask_id_number,
    },
}


def is_personal_field(model, name: str) -> bool:
    """Whether `name` is one of the model's personal fields in the registry above.

    The keyed hash kept beside an encrypted field ("id_number_hash") counts as the field itself:
    a filter on it would test guesses just the same.
    """
    fields = PERSONAL_FIELDS.get(model._meta.label_lower, {})
    return name in fields or (name.endswith("_hash") and name[: -len("_hash")] in fields)


def personal_path(model, path: str) -> bool:
    """Whether a lookup path such as "resident__phone__startswith" reads a personal field."""
    from django.core.exceptions import FieldDoesNotExist

    for part in (path or "").split("__"):
        if is_personal_field(model, part):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.related_model is None:
            return False
        model = field.related_model
    return False


# -- free text --------------------------------------------------------------------------------
#
# Residents write their phone and ID number into requests ("请回电…，身份证…"), and assistants
# copy them into notes; the registry's masks cannot reach a value typed inside a sentence. The
# scrubber finds the shapes of such values and masks each the way its field is masked. Chinese
# text has no word boundaries a regex knows of, so each pattern is bounded by "no digit (or
# letter) on either side"; digits may be typed full-width on a Chinese keyboard.

_D = "[0-9\uff10-\uff19]"
_NOT_DIGIT_BEFORE = r"(?<![0-9\uff10-\uff19])"
_NOT_DIGIT_AFTER = r"(?![0-9\uff10-\uff19])"
_SEP = "[ \\-\u2014\u00a0]?"

EMAIL_PATTERN = re.compile(
    r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-]+)@((?:[A-Za-z0-9\-]+\.)+[A-Za-z][A-Za-z0-9\-]*)"
)
# 17 digits and a check character; masked whether the check digit is right or not, because a
# mistyped number still names a person.
ID_NUMBER_PATTERN = re.compile(
    rf"(?<![0-9\uff10-\uff19A-Za-z]){_D}{{17}}[0-9\uff10-\uff19XxＸｘ](?![0-9\uff10-\uff19A-Za-z])"
)
# Bank cards: 16 to 19 digits, often typed in groups of four.
CARD_PATTERN = re.compile(rf"{_NOT_DIGIT_BEFORE}(?:{_D}{_SEP}){{15,18}}{_D}{_NOT_DIGIT_AFTER}")
# Mainland mobiles: 1[3-9]x plus eight digits, maybe after +86 and with spaces or dashes.
MOBILE_PATTERN = re.compile(
    rf"{_NOT_DIGIT_BEFORE}(?:(?:\+|＋)?86{_SEP})?[1１][3-9３-９]{_D}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}"
    rf"{_NOT_DIGIT_AFTER}"
)
# Landlines with their area code: 010-12345678, (0591) 8765 4321, 0591-87654321.
LANDLINE_PATTERN = re.compile(
    rf"{_NOT_DIGIT_BEFORE}(?:[(（]0{_D}{{2,3}}[)）]|0{_D}{{2,3}}){_SEP}{_D}{{3,4}}{_SEP}{_D}{{4}}"
    rf"{_NOT_DIGIT_AFTER}"
)
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def _digits(text: str) -> str:
    return "".join(c for c in text.translate(_FULL_WIDTH_DIGITS) if c.isalnum())


def _mask_email(match) -> str:
    local, domain = match.group(1), match.group(2)
    return local[:1] + MASK * 3 + "@" + domain


def _mask_card(match) -> str:
    digits = _digits(match.group(0))
    return MASK * (len(digits) - 4) + digits[-4:]


def scrub(text: str) -> str:
    """The text with phones, landlines, ID numbers, bank cards and e-mails masked in place."""
    if not text:
        return text or ""
    text = EMAIL_PATTERN.sub(_mask_email, text)
    text = ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(_digits(m.group(0))), text)
    text = CARD_PATTERN.sub(_mask_card, text)
    text = MOBILE_PATTERN.sub(lambda m: mask_phone(_digits(m.group(0))[-11:]), text)
    return LANDLINE_PATTERN.sub(lambda m: mask_phone(_digits(m.group(0))), text)
