"""Logging in and out of the phone pages, and changing the password."""

from django.contrib.auth import views as auth_views
from django.urls import reverse, reverse_lazy

from assistants.models import Assistant
from talentoffice.access import home_url_for, is_district_staff

from ..forms import MobileLoginForm, MobilePasswordChangeForm
from .access import assistant_page


class MobileLoginView(auth_views.LoginView):
    """Username or phone, and password; an assistant always lands on /m/, never on the admin."""

    template_name = "mobile/login.html"
    authentication_form = MobileLoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        user = self.request.user
        next_url = self.get_redirect_url()
        if Assistant.objects.filter(user=user).exists():
            mobile_root = reverse("mobile:today")
            return next_url if next_url.startswith(mobile_root) else mobile_root
        if is_district_staff(user):
            return next_url or reverse("admin:index")
        return next_url or home_url_for(user)


login_view = MobileLoginView.as_view()
logout_view = auth_views.LogoutView.as_view(next_page="mobile:login")
password_change = assistant_page(
    auth_views.PasswordChangeView.as_view(
        template_name="mobile/password_change.html",
        form_class=MobilePasswordChangeForm,
        success_url=reverse_lazy("mobile:password_change_done"),
    )
)
password_change_done = assistant_page(
    auth_views.PasswordChangeDoneView.as_view(template_name="mobile/password_change_done.html")
)
