"""The duty rota's workflow: generation, preview, publishing and discarding.

One module per step: `calendar` (which weekday's templates staff a date), `generation` (a draft
with every seat of its duty days, filled fairly), `preview` (what staff check before publishing),
`publishing` (binding shifts, or a discarded draft); `common` holds what they share. Callers
import from here.
"""

from .calendar import DutyCalendar
from .common import LOCAL_TZ, RotaError
from .generation import BATCH_SIZE, MAX_RANGE_DAYS, generate_rota
from .preview import Fairness, FairnessRow, RotaPreview, rota_preview
from .publishing import discard_rota, publish_rota

__all__ = [
    "BATCH_SIZE",
    "LOCAL_TZ",
    "MAX_RANGE_DAYS",
    "DutyCalendar",
    "Fairness",
    "FairnessRow",
    "RotaError",
    "RotaPreview",
    "discard_rota",
    "generate_rota",
    "publish_rota",
    "rota_preview",
]
