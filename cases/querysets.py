"""Reads of enterprises, residents and the checklist, scoped to who is asking."""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from talentoffice.access import is_district_staff, own_assistant_id, partner_id_of, street_id_of


class StaffOnlyQuerySet(models.QuerySet):
    """Records that only district staff browse until cases link them to assistants.

    A street coordinator does not browse the registers of residents and enterprises either: they
    meet a requester through the cases of their street, masked.
    """

    def visible_to(self, user):
        if is_district_staff(user):
            return self
        return self.none()


class CatalogueQuerySet(models.QuerySet):
    """The service checklist is the same for everyone who is signed in."""

    def visible_to(self, user):
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(active=True)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all; a partner, cases its assistants lead or help; an assistant, theirs.

        A street coordinator sees the cases of their street's service points, and the cases
        with no service point whose resident or enterprise is on their street.
        """
        if is_district_staff(user):
            return self
        street_id = street_id_of(user)
        if street_id is not None:
            return self.filter(
                Q(service_point__street_id=street_id)
                | Q(service_point__isnull=True, resident__community__street_id=street_id)
                | Q(service_point__isnull=True, enterprise__street_id=street_id)
            )
        partner_id = partner_id_of(user)
        if partner_id is not None:
            # EXISTS, not "id IN (every case the partner's people help)": the planner may then
            # probe the helpers of just the rows it reads, when a filter leaves few (one
            # assistant's cases in a big district); elsewhere it plans the same.
            helped_by_partner = self.model.helpers.through.objects.filter(
                case_id=OuterRef("pk"), assistant__partner_id=partner_id
            )
            return self.filter(Q(lead__partner_id=partner_id) | Q(Exists(helped_by_partner)))
        if user.is_authenticated:
            helped = self.model.helpers.through.objects.filter(assistant_id=own_assistant_id(user))
            return self.filter(
                Q(lead_id=own_assistant_id(user)) | Q(pk__in=helped.values("case_id"))
            )
        return self.none()

    def open(self):
        return self.filter(state__in=["new", "assigned", "in_progress"])

    def due_before(self, day):
        return self.open().filter(target_date__lt=day)


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all visits; a partner, its assistants' visits; an assistant, their own.

        A street coordinator sees visits made at their street's points or for its cases.
        """
        if is_district_staff(user):
            return self
        street_id = street_id_of(user)
        if street_id is not None:
            cases = self.model._meta.get_field("case").related_model.objects
            return self.filter(
                Q(service_point__street_id=street_id)
                | Q(case__in=cases.visible_to(user).values("pk"))
            )
        partner_id = partner_id_of(user)
        if partner_id is not None:
            return self.filter(assistant__partner_id=partner_id)
        if user.is_authenticated:
            return self.filter(assistant_id=own_assistant_id(user))
        return self.none()


class CaseFollowerQuerySet(models.QuerySet):
    """Requests that follow a case (referrals, extension requests): the staff's decisions.

    District staff see all; a street coordinator, those of their street's cases, to watch them;
    nobody else browses them (the lead reads their own on the case page).
    """

    def visible_to(self, user):
        if is_district_staff(user):
            return self
        if street_id_of(user) is not None:
            cases = self.model._meta.get_field("case").related_model.objects
            return self.filter(case__in=cases.visible_to(user).values("pk"))
        return self.none()
