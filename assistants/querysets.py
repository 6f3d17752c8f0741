"""Reads of assistants, service points and dispatches, scoped to who is asking."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from talentoffice.access import is_district_staff, own_assistant_id, partner_id_of, street_id_of


class AssistantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all; a partner manager, their partner's assistants; an assistant, self.

        A street coordinator sees the assistants dispatched to their street (on_street).
        """
        if is_district_staff(user):
            return self
        street_id = street_id_of(user)
        if street_id is not None:
            return self.on_street(street_id)
        partner_id = partner_id_of(user)
        if partner_id is not None:
            return self.filter(partner_id=partner_id)
        if user.is_authenticated:
            return self.filter(user=user)
        return self.none()

    def for_partner(self, partner):
        return self.filter(partner=partner)

    def on_street(self, street_id):
        """Assistants with a dispatch to one of the street's points that has not ended yet."""
        dispatches = self.model._meta.get_field("dispatches").related_model.objects
        # A subquery, not a join: an assistant with two postings on the street is one row.
        current = dispatches.filter(service_point__street_id=street_id).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate())
        )
        return self.filter(pk__in=current.values("assistant_id"))

    def active(self):
        return self.filter(status="active")


class ServicePointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Service points are public places: every signed-in user may see them.

        Except a street coordinator, whose view of the district is their own street.
        """
        street_id = street_id_of(user)
        if street_id is not None:
            return self.filter(street_id=street_id)
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(active=True)


class DispatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Follows the visibility of the assistant; a street coordinator, the street's points."""
        if is_district_staff(user):
            return self
        street_id = street_id_of(user)
        if street_id is not None:
            return self.filter(service_point__street_id=street_id)
        partner_id = partner_id_of(user)
        if partner_id is not None:
            return self.filter(assistant__partner_id=partner_id)
        if user.is_authenticated:
            return self.filter(assistant_id=own_assistant_id(user))
        return self.none()

    def current_on(self, day):
        """Dispatches in force on the given day."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class UnavailabilityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Follows the visibility of the assistant concerned."""
        if is_district_staff(user):
            return self
        street_id = street_id_of(user)
        if street_id is not None:
            assistants = self.model._meta.get_field("assistant").related_model.objects
            return self.filter(assistant__in=assistants.on_street(street_id))
        partner_id = partner_id_of(user)
        if partner_id is not None:
            return self.filter(assistant__partner_id=partner_id)
        if user.is_authenticated:
            return self.filter(assistant_id=own_assistant_id(user))
        return self.none()

    def approved(self):
        return self.filter(status="approved")

    def overlapping(self, first_day, last_day):
        """Unavailability touching any day from first_day to last_day, both included."""
        return self.filter(starts_on__lte=last_day, ends_on__gte=first_day)


class ShiftQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all shifts; a partner, its assistants' published ones; an assistant, theirs.

        A street coordinator sees every shift at their street's points, drafts included.
        """
        if is_district_staff(user):
            return self
        street_id = street_id_of(user)
        if street_id is not None:
            return self.filter(service_point__street_id=street_id)
        partner_id = partner_id_of(user)
        if partner_id is not None:
            return self.published().filter(assistant__partner_id=partner_id)
        if user.is_authenticated:
            return self.published().filter(assistant_id=own_assistant_id(user))
        return self.none()

    def published(self):
        """Shifts assistants may see: made by hand, or part of a published rota."""
        return self.filter(Q(rota__isnull=True) | Q(rota__status="published"))

    def live(self):
        """Shifts that still occupy their assistant (not cancelled)."""
        return self.exclude(status="cancelled")

    def open(self):
        return self.filter(assistant__isnull=True, status="scheduled")

    def between(self, start, end):
        """Shifts overlapping the half-open interval [start, end)."""
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class SwapRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Follows the shift's visibility; an assistant also sees the offers made to them."""
        if is_district_staff(user):
            return self
        shifts = self.model._meta.get_field("shift").related_model.objects
        if street_id_of(user) is not None or partner_id_of(user) is not None:
            return self.filter(shift__in=shifts.visible_to(user).values("pk"))
        if user.is_authenticated:
            own = own_assistant_id(user)
            return self.filter(
                Q(requested_by_id=own) | Q(offered_to_id=own) | Q(accepted_by_id=own)
            )
        return self.none()
