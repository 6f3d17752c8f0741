"""Public pages reached from a service point's QR code, and the staff pages that print it.

Included at /p/ by the root URLconf. The public pages need no login on purpose; the point
pages are for staff.
"""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("point/<int:pk>/qr.svg", public_views.point_qr_svg, name="point_qr"),
    path("point/<int:pk>/poster/", public_views.point_poster, name="point_poster"),
    path("<str:token>/", public_views.request_form, name="form"),
    path("<str:token>/thanks/<str:receipt>/", public_views.thanks, name="thanks"),
]
