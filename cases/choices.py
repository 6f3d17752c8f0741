"""Choices for cases, visits, follow-ups and referrals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseSource(models.TextChoices):
    SERVICE_WINDOW = "service_window", _("service window")
    COMMUNITY_POINT = "community_point", _("community point")
    ENTERPRISE_VISIT = "enterprise_visit", _("enterprise visit")
    COUNCIL_MEETING = "council_meeting", _("council meeting")
    HOTLINE = "hotline", _("hotline")
    PARTNER = "partner", _("partner")
    PUBLIC_FORM = "public_form", _("public QR form")


class CasePriority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class CaseState(models.TextChoices):
    NEW = "new", _("new")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    FOLLOWED_UP = "followed_up", _("followed up")
    CLOSED = "closed", _("closed")


class CaseOutcome(models.TextChoices):
    RESOLVED = "resolved", _("resolved")
    REFERRED = "referred", _("referred")
    UNRESOLVABLE = "unresolvable", _("cannot be resolved")
    WITHDRAWN = "withdrawn", _("withdrawn")


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("created")
    TRANSITION = "transition", _("state changed")
    ASSIGNED = "assigned", _("assigned")
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("returned")
    REASSIGNED = "reassigned", _("reassigned")
    HELPER_ADDED = "helper_added", _("helper added")
    HELPER_REMOVED = "helper_removed", _("helper removed")
    NOTE = "note", _("note")
    ATTACHMENT = "attachment", _("attachment")
    VISIT = "visit", _("visit")
    EXTENSION_REQUESTED = "extension_requested", _("extension requested")
    EXTENSION_DECIDED = "extension_decided", _("extension decided")
    SUPERVISED = "supervised", _("supervised")
    SUPERVISION_LIFTED = "supervision_lifted", _("supervision lifted")
    WARNED = "warned", _("deadline warning")
    ESCALATED = "escalated", _("escalated")
    REFERRED = "referred", _("referred")
    REFERRAL_DECIDED = "referral_decided", _("referral decided")
    FOLLOW_UP = "follow_up", _("follow-up recorded")
    REOPENED = "reopened", _("reopened")


class VisitKind(models.TextChoices):
    CONSULTATION = "consultation", _("consultation")
    MEDIATION = "mediation", _("mediation")
    ENTERPRISE_VISIT = "enterprise_visit", _("enterprise visit")
    RETURN_VISIT = "return_visit", _("return visit")
    TALK = "talk", _("talk")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("phone call")
    VISIT = "visit", _("visit in person")
    MESSAGE = "message", _("message")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
