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
from django.utils.translation import gettext, ngettext

from partners import webhooks as partner_webhooks
from partners.choices import WebhookEvent
from partners.models import WebhookEndpoint
from talentoffice import events
from talentoffice.access import district_staff
from talentoffice.events import Tell
from talentoffice.models import NotificationKind

from .choices import ShiftEventKind, SwapStatus
from .models import Rota, Shift, ShiftEvent, SwapRequest, Unavailability
from .shifts.suitability import some_suitable_colleagues

# Announced kinds of objects that keep no history row of their own.
ROTA_PUBLISHED = "published"
ROTA_PUBLISHED_QUIETLY = "published_quietly"
LEAVE_FREED_SHIFTS = "freed_shifts"

# An offer to every suitable colleague reaches this many of them at most: enough for someone
# to take it up, not the whole point's roster.
OFFER_TOLD_TO = 20


# -- audiences --------------------------------------------------------------------------------


def _user_of(assistant):
    return [assistant.user] if assistant is not None and assistant.user_id else []


def the_assistant(event):
    """The assistant the step is about: who got the shift, or who lost it."""
    return _user_of(event.assistant)


def _swap_of(event, *statuses):
    # The history row does not name its swap; the newest one of the shift in that state is it
    # (a shift has at most one live swap, and the row is read right after the step committed).
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
        return _user_of(swap.offered_to)
    colleagues = some_suitable_colleagues(event.shift, OFFER_TOLD_TO).select_related("user")
    return [person.user for person in colleagues if person.user_id]


def staff_when_approval_waits(event):
    """District staff, when the point wants swaps approved and this one waits for them."""
    return district_staff() if _swap_of(event, SwapStatus.ACCEPTED) is not None else []


def both_sides_of_the_swap(event):
    """The assistant who gave the shift away and the one who took it."""
    swap = _swap_of(event, SwapStatus.APPROVED)
    if swap is None:
        return the_assistant(event)
    return _user_of(swap.requested_by) + _user_of(swap.accepted_by)


def staff(event):
    """District staff, who fill open shifts."""
    return district_staff()


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


def _when(shift) -> dict:
    return {
        "date": shift.date.isoformat(),
        "time": f"{timezone.localtime(shift.starts_at):%H:%M}",
        "point": shift.service_point.name,
    }


def render_assigned(event, recipient):
    when = _when(event.shift)
    return (
        gettext("Duty on %(date)s") % when,
        gettext("Staff gave you the shift at %(point)s on %(date)s from %(time)s.") % when,
    )


def render_taken_off(event, recipient):
    when = _when(event.shift)
    return (
        gettext("Duty on %(date)s taken off") % when,
        gettext("Your shift at %(point)s on %(date)s from %(time)s went to someone else.") % when,
    )


def render_offered(event, recipient):
    when = _when(event.shift)
    return (
        gettext("A shift offered: %(date)s") % when,
        gettext("A colleague offers the shift at %(point)s on %(date)s from %(time)s.") % when,
    )


def render_swap_to_approve(event, recipient):
    when = _when(event.shift)
    return (
        gettext("Swap to approve: %(date)s") % when,
        gettext("A swap of the shift at %(point)s on %(date)s waits for your approval.") % when,
    )


def render_swapped(event, recipient):
    when = _when(event.shift)
    return (
        gettext("Shift swapped: %(date)s") % when,
        gettext("The shift at %(point)s on %(date)s from %(time)s is swapped: %(note)s")
        % (when | {"note": event.note}),
    )


def render_rota(rota, recipient):
    count = Shift.objects.live().filter(rota=rota, assistant__user=recipient).count()
    subject = gettext("New duty shifts: %(rota)s") % {"rota": rota.name}
    body = ngettext(
        "You have %(count)d shift in the rota “%(rota)s”.",
        "You have %(count)d shifts in the rota “%(rota)s”.",
        count,
    ) % {"count": count, "rota": rota.name}
    return subject, body


def render_freed_shifts(leave, recipient):
    # The rows approve_leave wrote for this leave all carry the moment it was decided.
    count = ShiftEvent.objects.filter(
        kind=ShiftEventKind.OPENED_BY_LEAVE,
        assistant_id=leave.assistant_id,
        at=leave.decided_at,
    ).count()
    name = leave.assistant.name
    subject = ngettext(
        "%(count)s shift of %(name)s is open after approved leave",
        "%(count)s shifts of %(name)s are open after approved leave",
        count,
    ) % {"count": count, "name": name}
    body = gettext(
        "%(name)s is on leave from %(first)s to %(last)s. "
        "Their shifts on those days are open and need someone."
    ) % {"name": name, "first": leave.starts_on.isoformat(), "last": leave.ends_on.isoformat()}
    return subject, body


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

    def send(batch):
        partner_webhooks.emit_many(
            event=webhook_event,
            items=[
                (
                    event.assistant.partner_id,
                    partner_webhooks.shift_data(
                        event.shift, assistant_id=event.assistant_id, change=change
                    ),
                )
                for event in batch
                if event.assistant is not None
            ],
        )

    return send


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
                who=the_assistant,
                kind=NotificationKind.SHIFT_ASSIGNED,
                render=render_assigned,
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
                who=the_assistant,
                kind=NotificationKind.SHIFT_TAKEN_OFF,
                render=render_taken_off,
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
                render=render_offered,
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
                render=render_swap_to_approve,
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
                render=render_swapped,
                target=_shift,
                link=_shift_link,
            )
        ],
        webhook=_swapped,
        webhook_event=f"{WebhookEvent.SHIFT_ASSIGNED} + {WebhookEvent.SHIFT_CHANGED}",
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
                who=staff,
                kind=NotificationKind.SHIFTS_OPENED_BY_LEAVE,
                render=render_freed_shifts,
                target=lambda leave: leave,
                # Approving is one-way: one message per leave and person.
                occasion=lambda leave: "",
                link=_freed_shifts_link,
            )
        ],
    )
    rota_message = Tell(
        audience="each assistant with shifts in it",
        who=assignees,
        kind=NotificationKind.ROTA_PUBLISHED,
        render=render_rota,
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
