"""Reads of steering records, scoped to who is asking."""

from django.db import models

from talentoffice import access


def _street_of(user):
    # A street coordinator sees only their street; anyone else is no coordinator.
    return access.street_id_of(user) if user.is_active else None


class StaffOnlyQuerySet(models.QuerySet):
    """Campaigns, targets and chair terms are the district staff's own records."""

    def visible_to(self, user):
        return self if access.is_district_staff(user) else self.none()


class ActivityQuerySet(models.QuerySet):
    """Activities: district staff see all; a street coordinator, those held in their street."""

    def visible_to(self, user):
        if access.is_district_staff(user):
            return self
        street_id = _street_of(user)
        if street_id is not None:
            return self.filter(street_id=street_id)
        return self.none()

    def between(self, start, end):
        """Activities held from `start` to `end`, both included."""
        return self.filter(held_on__gte=start, held_on__lte=end)
