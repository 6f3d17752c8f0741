"""The rota's preview: every shift, the open ones, and who got how many before publishing."""

from dataclasses import dataclass

from django.db.models import Q

from ..choices import AssistantStatus, ShiftStatus
from ..models import Assistant, Rota, Shift


@dataclass(frozen=True)
class FairnessRow:
    """One assistant's or one partner's share of a rota."""

    subject: object
    shifts: int
    # For a partner: how many of its assistants could serve in the rota.
    assistants: int = 1

    @property
    def per_assistant(self) -> float:
        return self.shifts / self.assistants if self.assistants else 0.0


@dataclass(frozen=True)
class Fairness:
    """Shares of a rota, most shifts first, with their range."""

    rows: list[FairnessRow]

    @property
    def minimum(self) -> int:
        return min((row.shifts for row in self.rows), default=0)

    @property
    def maximum(self) -> int:
        return max((row.shifts for row in self.rows), default=0)

    @property
    def spread(self) -> int:
        return self.maximum - self.minimum


@dataclass(frozen=True)
class RotaPreview:
    """What staff check before publishing: every shift, the open ones, and who got how many."""

    rota: Rota
    shifts: list[Shift]
    open_shifts: list[Shift]
    per_assistant: Fairness
    per_partner: Fairness

    @property
    def filled_count(self) -> int:
        return len(self.shifts) - len(self.open_shifts)


def rota_preview(rota: Rota) -> RotaPreview:
    """The rota's shifts with a fairness table, in two queries whatever its size."""
    shifts = list(
        rota.shifts.select_related("service_point", "assistant__partner").order_by(
            "starts_at", "service_point__name", "specialty", "pk"
        )
    )
    open_shifts = [shift for shift in shifts if shift.is_open]
    point_ids = (
        [rota.service_point_id]
        if rota.service_point_id
        else sorted({shift.service_point_id for shift in shifts})
    )
    # Everyone who could have served counts, with zero shifts if need be: a fairness table of
    # only the people who got shifts would hide those who got none.
    pool = {
        assistant.pk: assistant
        for assistant in Assistant.objects.filter(
            Q(dispatches__ends_on__isnull=True) | Q(dispatches__ends_on__gte=rota.starts_on),
            dispatches__service_point_id__in=point_ids,
            dispatches__starts_on__lte=rota.ends_on,
            status=AssistantStatus.ACTIVE,
        )
        .select_related("partner")
        .distinct()
    }
    counts: dict[int, int] = dict.fromkeys(pool, 0)
    for shift in shifts:
        if shift.assistant_id is not None and shift.status != ShiftStatus.CANCELLED:
            pool.setdefault(shift.assistant_id, shift.assistant)
            counts[shift.assistant_id] = counts.get(shift.assistant_id, 0) + 1
    per_assistant = sorted(
        (FairnessRow(pool[pk], count) for pk, count in counts.items()),
        key=lambda row: (-row.shifts, row.subject.name, row.subject.pk),
    )
    partners: dict[int, list] = {}
    for row in per_assistant:
        partner = row.subject.partner
        entry = partners.setdefault(partner.pk, [partner, 0, 0])
        entry[1] += row.shifts
        entry[2] += 1
    per_partner = sorted(
        (FairnessRow(partner, count, people) for partner, count, people in partners.values()),
        key=lambda row: (-row.shifts, row.subject.name, row.subject.pk),
    )
    return RotaPreview(
        rota=rota,
        shifts=shifts,
        open_shifts=open_shifts,
        per_assistant=Fairness(per_assistant),
        per_partner=Fairness(per_partner),
    )
