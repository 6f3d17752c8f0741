"""Assistants, the service points where they serve, and their dispatches there.

One module per topic; every model (and what migrations name) is importable from here.
"""

from .people import WEEKDAY_CHOICES, Assistant, Skill, new_calendar_token
from .places import Dispatch, ServicePoint
from .planning import Rota, ShiftTemplate, Unavailability
from .shifts import ReminderPolicy, Shift, ShiftEvent, SwapRequest

__all__ = [
    "WEEKDAY_CHOICES",
    "Assistant",
    "Dispatch",
    "ReminderPolicy",
    "Rota",
    "ServicePoint",
    "Shift",
    "ShiftEvent",
    "ShiftTemplate",
    "Skill",
    "SwapRequest",
    "Unavailability",
    "new_calendar_token",
]
