"""Reads of assistants, service points and dispatches, scoped to who is asking."""

from django.db import models
from django.db.models import Q


def _partner_id_of(user):
    contact = getattr(user, "partner_contact", None) if user.is_authenticated else None
    return contact.partner_id if contact is not None else None


class AssistantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all; a partner manager, their partner's assistants; an assistant, self."""
        if user.is_active and user.is_staff:
            return self
        partner_id = _partner_id_of(user)
        if partner_id is not None:
            return self.filter(partner_id=partner_id)
        if user.is_authenticated:
            return self.filter(user=user)
        return self.none()

    def for_partner(self, partner):
        return self.filter(partner=partner)

    def active(self):
        return self.filter(status="active")


class ServicePointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Service points are public places: every signed-in user may see them."""
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(active=True)


class DispatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Follows the visibility of the assistant that was dispatched."""
        if user.is_active and user.is_staff:
            return self
        partner_id = _partner_id_of(user)
        if partner_id is not None:
            return self.filter(assistant__partner_id=partner_id)
        if user.is_authenticated:
            return self.filter(assistant__user=user)
        return self.none()

    def current_on(self, day):
        """Dispatches in force on the given day."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)
