"""Who may open the phone pages, and small helpers every page uses."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from assistants.models import Assistant
from talentoffice.access import is_district_staff


def wants_json(request) -> bool:
    """A request sent by the page's own JavaScript, which reads JSON answers."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def assistant_page(view):
    """A page for a signed-in assistant; request.assistant is their record.

    Anonymous visitors go to the mobile login (JavaScript gets a 401 with the login address,
    so the phone keeps its draft); staff without an assistant record go to the admin;
    anyone else (a partner manager) is refused.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            login_url = reverse("mobile:login")
            if wants_json(request):
                next_url = request.headers.get("X-Next-Page") or request.get_full_path()
                return JsonResponse(
                    {
                        "ok": False,
                        "error": "login_required",
                        "message": _(
                            "Your session has ended. Log in again: the visit is kept on "
                            "this phone and sent after you log in."
                        ),
                        "login_url": f"{login_url}?{urlencode({'next': next_url})}",
                    },
                    status=401,
                )
            return redirect_to_login(request.get_full_path(), login_url)
        assistant = Assistant.objects.filter(user=request.user).first()
        if assistant is None:
            if is_district_staff(request.user):
                return redirect("admin:index")
            raise PermissionDenied
        request.assistant = assistant
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _next_or(request, default: str) -> str:
    """The page to go back to after a POST: a safe /m/ address the form named, else default."""
    candidate = request.POST.get("next", "")
    if candidate.startswith(reverse("mobile:today")) and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}
    ):
        return candidate
    return default


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]
