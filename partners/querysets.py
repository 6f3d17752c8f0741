"""Reads of partner records, always scoped to who is asking."""

from django.db import models

from talentoffice.access import is_district_staff, partner_id_of, street_id_of


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """District staff see every partner; a partner manager sees only their own.

        A street coordinator sees the partners whose assistants serve on their street.
        """
        if is_district_staff(user):
            return self
        street_id = street_id_of(user)
        if street_id is not None:
            assistants = self.model._meta.get_field("assistants").related_model.objects
            return self.filter(pk__in=assistants.on_street(street_id).values("partner_id"))
        partner_id = partner_id_of(user)
        if partner_id is None:
            return self.none()
        return self.filter(pk=partner_id)

    def active(self):
        return self.filter(status="active")


class PartnerOwnedQuerySet(models.QuerySet):
    """For records that hang off one partner through a `partner` foreign key."""

    def for_partner(self, partner):
        return self.filter(partner=partner)

    def visible_to(self, user):
        """District staff see all rows; a partner manager sees their partner's rows only.

        Agreements and contacts are no business of a street coordinator: they see none.
        """
        if is_district_staff(user):
            return self
        partner_id = partner_id_of(user)
        if partner_id is None:
            return self.none()
        return self.for_partner(partner_id)
