"""Signing in with a phone number: assistants know their mobile number better than a username."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from talentoffice.validators import MOBILE_PATTERN, normalize_phone

from ..models import Assistant


def login_of_phone(typed: str):
    """The login of the assistant whose mobile number this is, or None."""
    phone = normalize_phone(typed or "")
    if not re.fullmatch(MOBILE_PATTERN, phone):
        return None
    assistant = (
        Assistant.objects.select_related("user").filter(phone=phone, user__isnull=False).first()
    )
    return assistant.user if assistant is not None else None


class PhoneBackend(ModelBackend):
    """Authenticate an assistant by the mobile number on their record and their password.

    Runs after Django's ModelBackend, so a username always wins over a phone number. Only an
    assistant's own login is found this way; staff and partner managers sign in by username.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None or not re.fullmatch(MOBILE_PATTERN, normalize_phone(username or "")):
            return None
        user = login_of_phone(username)
        if user is None:
            # Hash anyway, so a phone that is not on file answers as slowly as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
