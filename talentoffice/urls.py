"""URL root."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cases.files import protected_media

from .access import home_url_for
from .admin_base import ScrubbedAutocompleteJsonView
from .calendar_pages import calendar_notice
from .health import health
from .login import login_view, logout_view


def favicon(request):
    """The programme's icon; its static address is looked up per request (hashed in production)."""
    return HttpResponsePermanentRedirect(static("talentoffice/favicon.svg"))


admin.site.site_header = _("TalentOffice · talent assistant programme")
admin.site.site_title = _("TalentOffice")
admin.site.index_title = _("Programme administration")

# A page of another role answers with the site's page that says where to go.
handler403 = "talentoffice.login.permission_denied"


def home(request):
    """The site's root: each role's own home, or the login page."""
    return redirect(home_url_for(request.user))


urlpatterns = [
    path("", home, name="home"),
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
    # Browsers ask for /favicon.ico on every page without a <link rel="icon">, the admin's too.
    path(
        "favicon.ico",
        favicon,
        name="favicon",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own: the same autocomplete, with record names scrubbed by role.
    path(
        "admin/autocomplete/",
        ScrubbedAutocompleteJsonView.as_view(admin_site=admin.site),
        name="admin_autocomplete",
    ),
    path("admin/", admin.site.urls),
    path("rota/", include("assistants.urls")),
    path("calendar/", include("assistants.feed_urls")),
    path("p/", include("cases.public_urls")),
    path("m/", include("mobile.urls")),
    path("partner/", include("portal.urls")),
    path("api/v1/", include("partner_api.urls")),
    path("staff/calendar/", calendar_notice, name="calendar_notice"),
    path("staff/", include("steering.urls")),
    path("health/", health, name="health"),
    path("files/", include("cases.file_urls")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", protected_media, name="media"),
]
