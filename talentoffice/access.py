"""Who is asking: the one place that tells staff, street coordinators, partner managers and
assistants apart (the role matrix is docs/roles.md)."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from .roles import PARTNER_VIEWER, READ_ONLY_VIEWER


def partner_id_of(user) -> int | None:
    """The partner a signed-in partner manager acts for, or None for anyone else."""
    # A partner API key (partner_api.authentication.ApiKeyPrincipal) acts for its partner.
    key_partner_id = getattr(user, "api_key_partner_id", None)
    if key_partner_id is not None:
        return key_partner_id
    if not user.is_authenticated:
        return None
    contact = getattr(user, "partner_contact", None)
    return contact.partner_id if contact is not None else None


def may_manage_partner(user) -> bool:
    """A partner manager keeps the partner's keys and webhooks and proposes; a viewer only reads."""
    if partner_id_of(user) is None or not user.is_authenticated:
        return False
    return not user.groups.filter(name=PARTNER_VIEWER).exists()


def street_id_of(user) -> int | None:
    """The street a signed-in street coordinator looks after, or None for anyone else."""
    # Only staff logins can coordinate a street: the link gives a staff login a narrower view,
    # never an assistant or a partner manager a wider one. Superusers are never narrowed.
    if not getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return None
    # The reverse one-to-one caches its answer (also "none") on the user for the request.
    link = getattr(user, "street_coordinator", None)
    return link.street_id if link is not None else None


def is_district_staff(user) -> bool:
    """Organization-department staff see every row of the programme; a street coordinator not."""
    return user.is_active and user.is_staff and street_id_of(user) is None


def district_staff():
    """The organization-department staff who run the programme: who hears "tell staff" news.

    The active staff logins that `is_district_staff` lets see every row, less read-only
    viewers: they see every row too, but only read, so nothing waits for them to act on.
    Street coordinators watch one street and hear nothing meant for the whole district.
    """
    # Superusers are never narrowed to a street, whatever links they have (as street_id_of).
    coordinator = Q(street_coordinator__isnull=False) & Q(is_superuser=False)
    viewer = Q(groups__name=READ_ONLY_VIEWER) & Q(is_superuser=False)
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(coordinator)
        .exclude(pk__in=get_user_model().objects.filter(viewer).values("pk"))
        .select_related("notification_preference")
        .order_by("pk")
    )


def own_assistant_id(user):
    """The id of the user's own assistant record, as a subquery PostgreSQL runs once.

    Filtering `assistant__user=user` joins the assistant table to every row; at district scale
    the planner hashes all 31,000 assistants per query. `assistant_id = (SELECT id …)` is one
    index lookup, and leaves the row's own assistant index free to serve the order and limit.
    """
    from django.apps import apps
    from django.db.models import Subquery

    assistants = apps.get_model("assistants", "Assistant").objects
    return Subquery(assistants.filter(user=user).order_by().values("pk")[:1])


def home_url_for(user) -> str:
    """The page each role starts from: staff their workspace, partner managers the portal,
    assistants (and cadres, for now) the phone pages; anyone not signed in, the login page."""
    if not user.is_authenticated:
        return reverse("login")
    if user.is_staff:
        return reverse("steering:workspace")
    if partner_id_of(user) is not None:
        return reverse("portal:home")
    return reverse("mobile:today")
