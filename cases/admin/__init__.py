"""Admin pages for the service checklist, enterprises, residents and the case records.

Staff follow a case end to end here: the case page shows its timeline, visits, follow-ups,
referrals and extension requests, and its workflow buttons open small forms that call
`cases.workflow` (and `cases.deadlines`). A case's state, lead and dates are never edited as
fields: every change goes through the one state machine, which writes the timeline.

Each module registers its admins (or, `handover`, its receiver) when imported; importing them
here is what registers them.
"""

from . import audit, case, catalogue, handover, liaison, meeting, records, resident, visit

__all__ = [
    "audit",
    "case",
    "catalogue",
    "handover",
    "liaison",
    "meeting",
    "records",
    "resident",
    "visit",
]
