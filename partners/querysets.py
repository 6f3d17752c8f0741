"""Reads of partner records, always scoped to who is asking."""

from django.db import models


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """District staff see every partner; a partner manager sees only their own."""
        if user.is_active and user.is_staff:
            return self
        contact = getattr(user, "partner_contact", None) if user.is_authenticated else None
        if contact is None:
            return self.none()
        return self.filter(pk=contact.partner_id)

    def active(self):
        return self.filter(status="active")


class PartnerOwnedQuerySet(models.QuerySet):
    """For records that hang off one partner through a `partner` foreign key."""

    def for_partner(self, partner):
        return self.filter(partner=partner)

    def visible_to(self, user):
        """District staff see all rows; a partner manager sees their partner's rows only."""
        if user.is_active and user.is_staff:
            return self
        contact = getattr(user, "partner_contact", None) if user.is_authenticated else None
        if contact is None:
            return self.none()
        return self.for_partner(contact.partner_id)
