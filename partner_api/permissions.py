"""Who may use the partner API: callers acting for exactly one partner."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from talentoffice.access import partner_id_of


class IsPartner(permissions.BasePermission):
    """An API key, or a signed-in partner manager; staff and assistants have their own pages."""

    message = _("Only a partner's API key or a partner manager may use this API.")
    code = "not_a_partner"

    def has_permission(self, request, view):
        return request.user.is_authenticated and partner_id_of(request.user) is not None
