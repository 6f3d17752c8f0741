"""Validators for Chinese identifiers and phone numbers, shared by models, forms and imports.

Each validator raises a ValidationError with a translatable message and a stable code, so
that the admin, the import preview and the API show the same words on the field concerned.
"""

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 leaves out I, O, Z, S and V so that codes cannot be misread.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECKS = "10X98765432"
ID_NUMBER_PATTERN = r"^[1-9][0-9]{16}[0-9X]$"

MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
# A landline keeps its area code (0591...) so that a number is never ambiguous.
LANDLINE_PATTERN = r"^0[1-9][0-9]{8,10}$"
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0[1-9][0-9]{8,10})$"

# 律师执业证号: 17 digits (category, region, year of first licence, gender, sequence).
LICENCE_NUMBER_PATTERN = r"^[0-9]{17}$"


def credit_code_check_character(first17: str) -> str:
    """Return the check character that GB 32100-2015 puts after these 17 characters."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Upper-case a credit code and drop the spaces people paste with it."""
    return re.sub(r"\s+", "", value or "").upper()


def validate_credit_code(value: str) -> None:
    """Reject anything that is not an 18-character unified social credit code with a valid check."""
    if not re.fullmatch(CREDIT_CODE_PATTERN, value or ""):
        raise ValidationError(
            _(
                "Enter an 18-character unified social credit code "
                "(digits and capital letters except I, O, Z, S, V)."
            ),
            code="credit_code_format",
        )
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("This unified social credit code has a wrong check character; please re-check it."),
            code="credit_code_check",
        )


def id_number_check_digit(first17: str) -> str:
    """Return the check digit that GB 11643-1999 puts after these 17 digits."""
    total = sum(int(char) * weight for char, weight in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return ID_NUMBER_CHECKS[total % 11]


def validate_id_number(value: str) -> None:
    """Reject anything but an 18-character resident ID with a real birth date and check."""
    value = (value or "").upper()
    if not re.fullmatch(ID_NUMBER_PATTERN, value):
        raise ValidationError(
            _("Enter an 18-character resident ID number (17 digits, then a digit or X)."),
            code="id_number_format",
        )
    try:
        birth_date = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        birth_date = None
    if birth_date is None or not date(1900, 1, 1) <= birth_date <= date.today():
        raise ValidationError(
            _("This resident ID number contains an impossible birth date."),
            code="id_number_birth_date",
        )
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("This resident ID number has a wrong check digit; please re-check it."),
            code="id_number_check",
        )


def normalize_phone(value: str) -> str:
    """Drop spaces, hyphens and a +86 prefix, keeping only the digits that identify the line."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            # Written internationally a landline drops its trunk 0: +86 591 ... is 0591 ...
            if digits and not digits.startswith("1"):
                digits = "0" + digits
            break
    return digits


def validate_phone(value: str) -> None:
    """Accept an 11-digit mainland mobile number or a landline with its area code."""
    if not re.fullmatch(PHONE_PATTERN, value or ""):
        raise ValidationError(
            _(
                "Enter an 11-digit mobile number starting with 1, "
                "or a landline with its area code, such as 059187654321."
            ),
            code="phone_format",
        )


def validate_mobile(value: str) -> None:
    """Accept only an 11-digit mainland mobile number (assistants get SMS reminders on it)."""
    if not re.fullmatch(MOBILE_PATTERN, value or ""):
        raise ValidationError(
            _("Enter an 11-digit mobile number starting with 1."),
            code="mobile_format",
        )


def validate_licence_number(value: str) -> None:
    """Accept a 17-digit lawyer's practising-licence number."""
    if not re.fullmatch(LICENCE_NUMBER_PATTERN, value or ""):
        raise ValidationError(
            _("A lawyer's practising-licence number has exactly 17 digits."),
            code="licence_number_format",
        )


# The programme keeps no records from before this day; an earlier date is a typo or a probe
# (year 0001 would also break every "days since" sum and the week and month pages).
EARLIEST_PROGRAMME_DATE = date(2000, 1, 1)
# Duty is planned a quarter or two ahead, never further than a year.
FURTHEST_AHEAD = timedelta(days=366)


def validate_programme_date(value: date | datetime) -> None:
    """Refuse a date or time before 2000 or more than a year from today (local time)."""
    if value is None:
        return
    if isinstance(value, datetime):
        try:
            day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        except OverflowError:  # year 1 or 9999 cannot move to local time; it is out anyway
            day = value.date()
    else:
        day = value
    latest = timezone.localdate() + FURTHEST_AHEAD
    if not EARLIEST_PROGRAMME_DATE <= day <= latest:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_PROGRAMME_DATE.isoformat(), "last": latest.isoformat()},
        )
