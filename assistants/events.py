"""Who hears of each step in a shift's life, of a rota published and of leave that freed shifts:
the assistants' rows of the event table.

Registered by `AssistantsConfig.ready()`. A shift's history rows (`ShiftEvent`) are told when
written; a rota and an approved leave have no row of their own and are announced by the service
that publishes or approves them. A rota's own assignment rows are written in one statement and
never told one by one: the rota's publication says it all, one message per assistant.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from partners import webhooks as partner_webhooks
from partners.choices import WebhookEvent
from partners.models import WebhookEndpoint
from talentoffice import events
from talentoffice.events import Tell
from talentoffice.models import NotificationKind

from .choices import ShiftEventKind, SwapStatus
from .models import Rota, Shift, ShiftEvent, SwapRequest, Unavailability
from .shifts.suitability import some_suitable_colleagues

# Announced kinds of objects that keep no history row of their own.
ROTA_PUBLISHED = "published"
ROTA_PUBLISHED_QUIETLY = "published_quietly"
LEAVE_FREED_SHIFTS = "freed_shifts"
# A leave row is created once, when it is asked for; rows made already decided (by a seed or an
# import of past leave) have no rule under their kind and tell nobody.
LEAVE_REQUESTED = "leave_requested"

# An offer to every suitable colleague reaches this many of them at most: enough for someone
# to take it up, not the whole point's roster.
OFFER_TOLD_TO = 20


# -- audiences --------------------------------------------------------------------------------


def _swap_of(event, *statuses):
    # The history row does not name its swap; the newest one of the shift in that state is it
    # (a shift has at most one live swap, and the row is read as the step ends).
    return (
        SwapRequest.objects.filter(shift_id=event.shift_id, status__in=statuses)
        .select_related("requested_by__user", "offered_to__user", "accepted_by__user")
        .order_by("-pk")
        .first()
    )


def colleagues_offered(event):
    """The named colleague, or the first suitable colleagues of an offer to everyone."""
    swap = _swap_of(event, SwapStatus.OPEN)
    if swap is None:
        return []
    if swap.offered_to is not None:
        return events.users_of(swap.offered_to)
    colleagues = some_suitable_colleagues(event.shift, OFFER_TOLD_TO).select_related("user")
    return [person.user for person in colleagues if person.user_id]


def staff_when_approval_waits(event):
    """District staff, when the point wants swaps approved and this one waits for them."""
    return events.staff(event) if _swap_of(event, SwapStatus.ACCEPTED) is not None else []


def both_sides_of_the_swap(event):
    """The assistant who gave the shift away and the one who took it."""
    swap = _swap_of(event, SwapStatus.APPROVED)
    if swap is None:
        return events.the_assistant(event)
    return events.users_of(swap.requested_by, swap.accepted_by)


def both_sides_of_the_rejected_swap(event):
    """The assistant who offered the shift and the colleague who had taken it up, if any."""
    swap = _swap_of(event, SwapStatus.REJECTED)
    if swap is None:
        return []
    return events.users_of(swap.requested_by, swap.accepted_by)


def colleague_of_the_withdrawn_swap(event):
    """The colleague who had taken up (or was named in) the offer now withdrawn."""
    swap = _swap_of(event, SwapStatus.CANCELLED)
    if swap is None:
        return []
    return events.users_of(swap.accepted_by or swap.offered_to)


def leave_kind(leave) -> str:
    return f"leave_{leave.status}"


def assignees(rota):
    """Every assistant with a login who has a shift in the rota."""
    users = Shift.objects.live().filter(rota=rota, assistant__user__isnull=False)
    user_ids = users.values_list("assistant__user_id", flat=True).distinct()
    return get_user_model().objects.filter(pk__in=user_ids).order_by("pk")


# -- messages ---------------------------------------------------------------------------------


def _shift(event):
    return event.shift


def _shift_link(event):
    return reverse("mobile:shift_detail", args=[event.shift_id])


def _staff_shift_link(event):
    return reverse("admin:assistants_shift_change", args=[event.shift_id])


def when(event, recipient) -> dict:
    """The places of a shift message: its day, start and point, and the step's note."""
    shift = event.shift
    return {
        "date": shift.date.isoformat(),
        "time": f"{timezone.localtime(shift.starts_at):%H:%M}",
        "point": shift.service_point.name,
        "note": event.note,
    }


def rota_names(rota, recipient) -> dict:
    """The rota's name and how many of its shifts are the recipient's."""
    count = Shift.objects.live().filter(rota=rota, assistant__user=recipient).count()
    return {"rota": rota.name, "count": count}


def freed_shifts_names(leave, recipient) -> dict:
    """Who is on leave, from when to when, and how many of their shifts it opened."""
    # The rows approve_leave wrote for this leave all carry the moment it was decided.
    count = ShiftEvent.objects.filter(
        kind=ShiftEventKind.OPENED_BY_LEAVE,
        assistant_id=leave.assistant_id,
        at=leave.decided_at,
    ).count()
    return {
        "count": count,
        "name": leave.assistant.name,
        "first": leave.starts_on.isoformat(),
        "last": leave.ends_on.isoformat(),
    }


def leave_names(leave, recipient) -> dict:
    """Who asks for which leave, from when to when, and why."""
    return {
        "name": leave.assistant.name,
        "kind": leave.get_kind_display(),
        "first": leave.starts_on.isoformat(),
        "last": leave.ends_on.isoformat(),
        "reason": leave.reason or "—",
    }


def _leave_link(leave):
    return reverse("admin:assistants_unavailability_change", args=[leave.pk])


def _freed_shifts_link(leave):
    # The open shifts of those days, where staff fill them (ids would not fit in a link).
    return (
        reverse("admin:assistants_shift_changelist")
        + f"?assistant__isnull=True&date__gte={leave.starts_on.isoformat()}"
        + f"&date__lte={leave.ends_on.isoformat()}"
    )


# -- webhooks ---------------------------------------------------------------------------------


def _shift_webhook(webhook_event, change=""):
    """Each event's shift to the partner of the assistant the event is about."""
    return events.to_the_assistants_partner(
        partner_webhooks.emit_many,
        webhook_event,
        lambda event: partner_webhooks.shift_data(
            event.shift, assistant_id=event.assistant_id, change=change
        ),
    )


def _swapped(batch):
    """The taker's partner hears the shift is theirs; the giver's partner that it left them."""
    _shift_webhook(WebhookEvent.SHIFT_ASSIGNED)(batch)
    items = []
    for event in batch:
        swap = _swap_of(event, SwapStatus.APPROVED)
        if swap is not None and swap.requested_by_id != event.assistant_id:
            items.append(
                (
                    swap.requested_by.partner_id,
                    partner_webhooks.shift_data(
                        event.shift, assistant_id=swap.requested_by_id, change="taken_off"
                    ),
                )
            )
    partner_webhooks.emit_many(event=WebhookEvent.SHIFT_CHANGED, items=items)


def _rota_published(batch):
    """One event per live shift of each rota to the partners who listen."""
    # A district's month is tens of thousands of shifts: read only those of partners who listen.
    listening = WebhookEndpoint.objects.filter(active=True).values("partner_id")
    for rota in batch:
        shifts = (
            Shift.objects.live()
            .filter(rota=rota, assistant__partner_id__in=listening)
            .select_related("assistant")
            .order_by("pk")
        )
        partner_webhooks.emit_many(
            event=WebhookEvent.SHIFT_ASSIGNED,
            items=[
                (
                    shift.assistant.partner_id,
                    partner_webhooks.shift_data(shift, assistant_id=shift.assistant_id),
                )
                for shift in shifts
            ],
        )


# -- the table --------------------------------------------------------------------------------


def register() -> None:
    """The assistants' rows of the event table."""
    events.log_model(ShiftEvent)
    events.register(
        ShiftEvent,
        ShiftEventKind.ASSIGNED,
        tell=[
            Tell(
                audience="the assistant given the shift",
                who=events.the_assistant,
                kind=NotificationKind.SHIFT_ASSIGNED,
                names=when,
                target=_shift,
                link=_shift_link,
            )
        ],
        webhook=_shift_webhook(WebhookEvent.SHIFT_ASSIGNED),
        webhook_event=WebhookEvent.SHIFT_ASSIGNED,
    )
    events.register(
        ShiftEvent,
        ShiftEventKind.UNASSIGNED,
        tell=[
            Tell(
                audience="the assistant who lost the shift",
                who=events.the_assistant,
                kind=NotificationKind.SHIFT_TAKEN_OFF,
                names=when,
                target=_shift,
            )
        ],
        webhook=_shift_webhook(WebhookEvent.SHIFT_CHANGED, change="taken_off"),
        webhook_event=WebhookEvent.SHIFT_CHANGED,
    )
    events.register(
        ShiftEvent,
        ShiftEventKind.SWAP_OFFERED,
        tell=[
            Tell(
                audience="the colleague offered the shift (or the first suitable ones)",
                who=colleagues_offered,
                kind=NotificationKind.SHIFT_OFFERED,
                names=when,
                target=_shift,
                link=_shift_link,
            )
        ],
    )
    events.register(
        ShiftEvent,
        ShiftEventKind.SWAP_ACCEPTED,
        tell=[
            Tell(
                audience="district staff, when the point wants swaps approved",
                who=staff_when_approval_waits,
                kind=NotificationKind.SHIFT_SWAP_TO_APPROVE,
                names=when,
                target=_shift,
                link=_staff_shift_link,
            )
        ],
    )
    events.register(
        ShiftEvent,
        ShiftEventKind.SWAP_APPROVED,
        tell=[
            Tell(
                audience="both assistants of the swap",
                who=both_sides_of_the_swap,
                kind=NotificationKind.SHIFT_SWAPPED,
                names=when,
                target=_shift,
                link=_shift_link,
            )
        ],
        webhook=_swapped,
        webhook_event=f"{WebhookEvent.SHIFT_ASSIGNED} + {WebhookEvent.SHIFT_CHANGED}",
    )
    events.register(
        ShiftEvent,
        ShiftEventKind.SWAP_REJECTED,
        tell=[
            Tell(
                audience="both assistants of the swap",
                who=both_sides_of_the_rejected_swap,
                kind=NotificationKind.SHIFT_SWAP_REJECTED,
                names=when,
                target=_shift,
                link=_shift_link,
            )
        ],
    )
    events.register(
        ShiftEvent,
        ShiftEventKind.SWAP_CANCELLED,
        tell=[
            Tell(
                audience="the colleague who took up or was named in the offer",
                who=colleague_of_the_withdrawn_swap,
                kind=NotificationKind.SHIFT_SWAP_WITHDRAWN,
                names=when,
                target=_shift,
                link=_shift_link,
            )
        ],
    )
    events.register(
        ShiftEvent,
        ShiftEventKind.OPENED_BY_LEAVE,
        # Staff hear once per leave (below), not once per shift.
        webhook=_shift_webhook(WebhookEvent.SHIFT_CHANGED, change="taken_off"),
        webhook_event=WebhookEvent.SHIFT_CHANGED,
    )
    events.register(
        Unavailability,
        LEAVE_FREED_SHIFTS,
        tell=[
            Tell(
                audience="district staff",
                who=events.staff,
                kind=NotificationKind.SHIFTS_OPENED_BY_LEAVE,
                names=freed_shifts_names,
                target=lambda leave: leave,
                # Approving is one-way: one message per leave and person.
                occasion=lambda leave: "",
                link=_freed_shifts_link,
            )
        ],
    )
    events.log_model(Unavailability, kind_of=leave_kind)
    events.register(
        Unavailability,
        LEAVE_REQUESTED,
        tell=[
            Tell(
                audience="district staff",
                who=events.staff,
                kind=NotificationKind.LEAVE_TO_DECIDE,
                names=leave_names,
                target=lambda leave: leave,
                occasion=lambda leave: "",
                link=_leave_link,
            )
        ],
    )
    rota_message = Tell(
        audience="each assistant with shifts in it",
        who=assignees,
        kind=NotificationKind.ROTA_PUBLISHED,
        names=rota_names,
        target=lambda rota: rota,
        occasion=lambda rota: "",
    )
    events.register(
        Rota,
        ROTA_PUBLISHED,
        tell=[rota_message],
        webhook=_rota_published,
        webhook_event=WebhookEvent.SHIFT_ASSIGNED,
    )
    events.register(
        Rota,
        ROTA_PUBLISHED_QUIETLY,
        webhook=_rota_published,
        webhook_event=WebhookEvent.SHIFT_ASSIGNED,
    )
