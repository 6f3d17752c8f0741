"""Reads of enterprises, residents and the checklist, scoped to who is asking."""

from django.db import models


class StaffOnlyQuerySet(models.QuerySet):
    """Records that only district staff browse until cases link them to assistants."""

    def visible_to(self, user):
        if user.is_active and user.is_staff:
            return self
        return self.none()


class CatalogueQuerySet(models.QuerySet):
    """The service checklist is the same for everyone who is signed in."""

    def visible_to(self, user):
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(active=True)
