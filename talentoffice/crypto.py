"""Encryption at rest for personal data, and the keyed hash that finds it again.

A resident ID number is stored as a Fernet token (AES with an HMAC, random per value), so a
copy of the database or a backup shows no ID number. An encrypted column cannot be searched,
so beside it sits a keyed hash (HMAC-SHA256) of the normalized value: equal numbers give equal
hashes, and without the key nobody can test guesses against them (a plain hash of an 18-digit
number with a known structure would fall to brute force in minutes).
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The configured keys: the first encrypts, every one decrypts (so keys can be rotated)."""
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt(text: str) -> str:
    """A Fernet token for the text; the empty string stays empty so blank fields stay blank."""
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text behind a token; a token no configured key opens is a configuration error."""
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Raised rather than shown as garbage: a missing old key must be noticed at once.
        raise InvalidToken("no configured PERSONAL_DATA_KEYS key decrypts this value") from None


class Undecryptable(str):
    """A stored value no configured key opens (its key was dropped): shown as "cannot be
    decrypted" wherever the value would be, and written back as the same token, never as the
    label, so putting the old key back recovers it."""

    token: str

    def __new__(cls, token: str):
        value = super().__new__(cls, gettext("cannot be decrypted"))
        value.token = token
        return value


def rotate(token: str) -> str:
    """The token re-encrypted under the first key (after a new key was put first)."""
    if not token:
        return ""
    return fernet().rotate(token.encode()).decode()


def lookup_hash(text: str) -> str:
    """The keyed hash of a normalized value, for exact lookups; empty for an empty value."""
    if not text:
        return ""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A short text kept encrypted in the database; Python code sees the plain value.

    Only equality through a companion hash column can find it; ordering, `contains` and
    other lookups on the column are meaningless, because each token is random.
    """

    def __init__(self, *args, max_length=None, **kwargs):
        # The limit is the plain value's, checked by forms; the token is longer.
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def normalize(self, value: str) -> str:
        return value

    def to_python(self, value):
        if isinstance(value, Undecryptable):
            return value
        value = super().to_python(value)
        return self.normalize(value) if value is not None else value

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            # One row from a dropped key must not make the whole page a 500.
            return Undecryptable(value)

    def get_prep_value(self, value):
        if isinstance(value, Undecryptable):
            return value.token
        value = super().get_prep_value(value)
        return encrypt(value) if value is not None else value

    def formfield(self, **kwargs):
        defaults = {"form_class": forms.CharField, "max_length": self.plain_max_length}
        defaults.update(kwargs)
        # TextField would hand the admin a textarea; an ID number is one short line.
        defaults.pop("widget", None)
        return models.Field.formfield(self, **defaults)


class EncryptedIdNumberField(EncryptedCharField):
    """A resident ID number (居民身份证号), upper-cased, check-digit validated, encrypted."""

    def __init__(self, *args, **kwargs):
        from .validators import validate_id_number

        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("validators", [validate_id_number])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        if kwargs.get("max_length") == 18:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def normalize(self, value: str) -> str:
        return "".join(value.split()).upper()
