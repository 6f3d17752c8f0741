"""The one login page of the site, and the page a signed-in person gets on someone else's page.

Everyone logs in at /login/ and lands on their role's home (`access.home_url_for`); a page that
belongs to another role answers with a page in the site's layout that says where to go, never
a bare "403 Forbidden".
"""

from functools import wraps

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from .access import home_url_for


class SiteLoginForm(AuthenticationForm):
    """Username, or an assistant's mobile number (mobile.backends.PhoneBackend), and password."""

    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SiteLoginView(auth_views.LoginView):
    """Log in once, land on the home of one's role (or the page one was sent from)."""

    template_name = "site/login.html"
    authentication_form = SiteLoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        return self.get_redirect_url() or home_url_for(self.request.user)


login_view = SiteLoginView.as_view()
logout_view = auth_views.LogoutView.as_view(next_page="login")


@requires_csrf_token
def permission_denied(request, exception=None):
    """The site's 403 page: who you are signed in as and where your own pages are."""
    return render(
        request,
        "site/wrong_role.html",
        {"home_url": home_url_for(request.user)},
        status=403,
    )


def role_page(allowed):
    """A page for the roles `allowed(user)` accepts: others signed in get the wrong-role page,
    anonymous visitors the login page (and come back here after)."""

    def decorate(view):
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("login"))
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(wraps(view)(wrapper))

    return decorate


class RolePageMixin:
    """The class-based views' `role_page`: set `allowed` to a test of the user."""

    allowed = staticmethod(lambda user: False)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("login"))
        if not self.allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
