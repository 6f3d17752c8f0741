"""Who may open the partner portal: a partner's managers and viewers, each for their own partner."""

from functools import wraps

from partners.models import Partner
from talentoffice.access import may_manage_partner, partner_id_of
from talentoffice.login import role_page


def _partner_contact(user) -> bool:
    return partner_id_of(user) is not None


def _with_partner(view):
    def wrapper(request, *args, **kwargs):
        # Through visible_to like every other read: the login's own partner, never another.
        request.partner = Partner.objects.visible_to(request.user).get()
        request.may_manage = may_manage_partner(request.user)
        return view(request, *args, **kwargs)

    return wraps(view)(wrapper)


def partner_page(view):
    """A page for the partner's managers and viewers; request.partner is their partner."""
    return role_page(_partner_contact)(_with_partner(view))


def manager_page(view):
    """A page that changes the partner's keys, webhooks or proposals: managers only."""
    return role_page(may_manage_partner)(_with_partner(view))
