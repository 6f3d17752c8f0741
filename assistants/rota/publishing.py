"""Publishing a draft rota, which makes its shifts binding, and discarding one."""

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentoffice import events
from talentoffice.audit import log_bulk_create
from talentoffice.workdays import not_official_years

from ..choices import RotaStatus, ShiftEventKind
from ..models import Rota, Shift, ShiftEvent, SwapRequest
from .common import RotaError, record_events


@transaction.atomic
def publish_rota(
    *, rota: Rota, by, notify_assistants: bool = True, provisional_confirmed: bool = False
) -> Rota:
    """Publish a draft: its shifts become binding and visible, and assignees are told.

    A rota reaching into a year with no official calendar is published only when the caller
    says staff saw that (`provisional_confirmed`): its duty days may move when the notice comes.
    """
    # The row lock makes a second, concurrent publish wait and then see "published".
    locked = Rota.objects.select_for_update().get(pk=rota.pk)
    if locked.is_published:
        raise RotaError(_("This rota is already published."), code="rota_already_published")
    not_official = not_official_years(locked.starts_on, locked.ends_on)
    if not_official and not provisional_confirmed:
        raise RotaError(
            _(
                "This rota reaches into %(years)s, whose holidays are provisional: the State "
                "Council's notice is not entered yet, so holidays may move and make-up workdays "
                "are missing. Tick the confirmation to publish it anyway."
            )
            % {"years": ", ".join(str(year) for year in not_official)},
            code="rota_calendar_provisional",
        )
    locked.status = RotaStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = by
    locked.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    # Drafts only propose; the assignment is made when the rota is published.
    record_events(
        rota=locked,
        kind=ShiftEventKind.ASSIGNED,
        actor=by,
        at=locked.published_at,
        assigned_only=True,
    )
    # The audit trail records each shift as it becomes binding: one entry per shift, written in
    # bulk (a draft is only a proposal, discarded without trace if never published).
    log_bulk_create(
        locked.shifts.select_related("service_point").order_by("pk"),
        note=f"rota published: {locked.name}",
    )
    # The rota's assignment rows were written in one statement, so no signal tells of them:
    # its assistants (unless staff publish quietly) and their partners hear of the rota after
    # commit, one message per assistant.
    events.announce([locked], kind="published" if notify_assistants else "published_quietly")
    for name in ("status", "published_at", "published_by", "updated_at"):
        setattr(rota, name, getattr(locked, name))
    return locked


@transaction.atomic
def discard_rota(*, rota: Rota) -> None:
    """Delete a draft rota with its shifts and their history; a published rota stays."""
    locked = Rota.objects.select_for_update().get(pk=rota.pk)
    if locked.is_published:
        raise RotaError(
            _("A published rota cannot be discarded; cancel its shifts instead."),
            code="rota_published_cannot_discard",
        )
    # A draft leaves no trace in the audit trail, which starts when a rota is published. Left on,
    # auditlog would write an entry per shift, each naming the shift with two queries of its
    # own, so discarding a district's month would keep staff waiting for minutes.
    with disable_auditlog():
        # Children first, each as one DELETE: the ORM's cascade would fetch every shift's id.
        ShiftEvent.objects.filter(shift__rota=locked).delete()
        SwapRequest.objects.filter(shift__rota=locked).delete()
        Shift.objects.filter(rota=locked).delete()
    locked.delete()
