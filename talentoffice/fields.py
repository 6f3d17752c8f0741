"""Model fields that normalize what people type before it is validated and saved."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import (
    normalize_credit_code,
    normalize_phone,
    validate_credit_code,
    validate_licence_number,
    validate_mobile,
    validate_phone,
)


class _NormalizedCharField(models.CharField):
    """A CharField whose `to_python` cleans the value, so full_clean() stores the clean form."""

    default_max_length = 32
    default_validators_list = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(*args, **kwargs)

    @property
    def default_validators(self):
        return list(self.default_validators_list)

    def normalize(self, value: str) -> str:
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        return self.normalize(value)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == self.default_max_length:
            del kwargs["max_length"]
        return name, path, args, kwargs


class CreditCodeField(_NormalizedCharField):
    """A unified social credit code (统一社会信用代码), upper-cased and check-verified."""

    description = _("Unified social credit code")
    default_max_length = 18
    default_validators_list = (validate_credit_code,)

    def normalize(self, value):
        return normalize_credit_code(value)


class PhoneField(_NormalizedCharField):
    """A mobile or landline number, stored as digits only."""

    description = _("Phone number")
    default_max_length = 16
    default_validators_list = (validate_phone,)

    def normalize(self, value):
        return normalize_phone(value)


class MobileField(PhoneField):
    """A mainland mobile number, stored as its 11 digits."""

    description = _("Mobile number")
    default_validators_list = (validate_mobile,)


class LicenceNumberField(_NormalizedCharField):
    """A lawyer's 17-digit practising-licence number (律师执业证号)."""

    description = _("Practising-licence number")
    default_max_length = 17
    default_validators_list = (validate_licence_number,)

    def normalize(self, value):
        return "".join(value.split())
