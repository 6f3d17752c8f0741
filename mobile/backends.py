"""Signing in with a phone number: assistants know their mobile number better than a username."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from assistants.models import Assistant
from talentoffice.validators import MOBILE_PATTERN, normalize_phone


def login_of_phone(typed: str):
    """The login of the assistant whose mobile number this is, or None."""
    phone = normalize_phone(typed or "")
    if not re.fullmatch(MOBILE_PATTERN, phone):
        return None
    assistant = (
        Assistant.objects.select_related("user").filter(phone=phone, user__isnull=False).first()
    )
    return assistant.user if assistant is not None else None


def login_username(request, credentials) -> str | None:
    """The login that failed attempts count against, whichever name it was typed under.

    django-axes' AXES_USERNAME_CALLABLE. Assistants may sign in with their mobile number
    (PhoneBackend); counted as typed, five guesses by phone and five by username would make ten.
    A number on an assistant's record with a login counts as that login's username.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    if not typed:
        return typed
    # A username wins over a phone number, as in AUTHENTICATION_BACKENDS (ModelBackend first).
    user = login_of_phone(typed)
    if user is None or get_user_model().objects.filter(username=typed).exists():
        return typed
    return user.get_username()


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
