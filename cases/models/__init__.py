"""The service checklist and the people and companies the programme serves.

One module per topic; every model (and what migrations name) is importable from here.
"""

from .case import Case, CaseEvent, CaseNumberSequence
from .catalogue import ServiceCategory, ServiceItem
from .decisions import ExtensionRequest, FollowUp, Referral
from .liaison import EnterpriseLiaison
from .meeting import CouncilMeeting
from .registers import Enterprise, PersonalDataAccess, Resident
from .visit import Visit, VisitAttachment, visit_attachment_path

__all__ = [
    "Case",
    "CaseEvent",
    "CaseNumberSequence",
    "CouncilMeeting",
    "Enterprise",
    "EnterpriseLiaison",
    "ExtensionRequest",
    "FollowUp",
    "PersonalDataAccess",
    "Referral",
    "Resident",
    "ServiceCategory",
    "ServiceItem",
    "Visit",
    "VisitAttachment",
    "visit_attachment_path",
]
