"""Every kind of notification with its message: a title and a body, translatable, with named
places (`%(number)s`) that the writer of the notification fills.

The kinds are `NotificationKind` (the choices of `Notification.kind`); each has its template
here, and the texts are rendered from it in the recipient's language (`render()`, which
`notify_many()` calls inside `translation.override`). A kind may say the same thing in a few
ways (`variants`: a helper is told differently from the lead) and may build a list body from
named `parts` (the digests); a list body's own template is only its lines.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .models import NotificationKind

# A body that is a list of lines, each written from one of the kind's parts.
LINES = "%(lines)s"


@dataclass(frozen=True)
class Template:
    """A kind's title and body, their variants, and the parts of a list body."""

    title: object
    body: object
    variants: Mapping[str, tuple[object, object]] = field(default_factory=dict)
    parts: Mapping[str, object] = field(default_factory=dict)

    def render(self, names: Mapping, variant: str = "") -> tuple[str, str]:
        """(title, body) in the active language, the places filled from `names`."""
        title, body = self.variants[variant] if variant else (self.title, self.body)
        return str(title % names), str(body % names)

    def part(self, name: str, names: Mapping) -> str:
        """One line of a list body in the active language."""
        return str(self.parts[name] % names)


SHIFT_REMINDER_BODY = _(
    "%(assistant)s, you are on %(specialty)s duty at %(point)s (%(address)s) "
    "on %(date)s from %(start)s to %(end)s."
)
CASE_NOTE_BODY = _("Case %(number)s “%(title)s”: %(note)s")
CASE_WARNING_BODY = _(
    "Case %(number)s “%(title)s” (%(item)s) is due on %(target)s. Resolve it in time, "
    "or ask for an extension with a reason."
)

TEMPLATES: dict[str, Template] = {
    NotificationKind.CASE_UNACCEPTED: Template(
        _("Case %(number)s not accepted in time"),
        _(
            "Case %(number)s “%(title)s” (%(item)s) was assigned to %(lead)s, who has not "
            "accepted it by %(accept_by)s. Please reassign it or contact the assistant."
        ),
    ),
    NotificationKind.CASE_WARNING: Template(
        _("Deadline warning: case %(number)s due %(target)s"),
        CASE_WARNING_BODY,
        variants={"today": (_("Deadline today: case %(number)s"), CASE_WARNING_BODY)},
    ),
    NotificationKind.CASE_FOLLOW_UP: Template(
        _("Return visit due %(due)s: case %(number)s"),
        _(
            "The return visit of case %(number)s “%(title)s” (%(item)s) is due on %(due)s. "
            "Ask whether the problem stays solved and how satisfied the requester is."
        ),
    ),
    NotificationKind.CASE_LIAISON_VISIT: Template(
        _("Enterprise visit due: %(enterprise)s"),
        _(
            "You are the liaison of %(enterprise)s, to be visited every %(days)s days. "
            "Last visit: %(last)s; the next one was due on %(due)s."
        ),
    ),
    NotificationKind.CASE_DIGEST: Template(
        _("Overdue on %(day)s: %(cases)s cases, %(visits)s return visits"),
        LINES,
        parts={
            "cases": ngettext_lazy(
                "%(count)s case is past its target date:",
                "%(count)s cases are past their target date:",
                "count",
            ),
            "visits": ngettext_lazy(
                "%(count)s return visit is past due:",
                "%(count)s return visits are past due:",
                "count",
            ),
            "more": _("… and %(more)s more."),
        },
    ),
    NotificationKind.CASE_SUPERVISED: Template(
        _("Supervision: case %(number)s"),
        _("Staff put case %(number)s “%(title)s” under supervision: %(note)s"),
    ),
    NotificationKind.CASE_ASSIGNED: Template(
        _("New case: %(number)s"),
        _("Case %(number)s “%(title)s” is yours to handle; accept it in time."),
        variants={
            "helper": (_("New case: %(number)s"), _("You help with case %(number)s “%(title)s”."))
        },
    ),
    NotificationKind.CASE_RETURNED: Template(
        _("Case returned: %(number)s"),
        _("Case %(number)s “%(title)s” was returned and needs a lead: %(note)s"),
    ),
    NotificationKind.CASE_REOPENED: Template(
        _("Case reopened: %(number)s"),
        _("The return visit found case %(number)s “%(title)s” unsolved: %(note)s"),
    ),
    NotificationKind.CASE_REFERRED: Template(_("Referral to decide: %(number)s"), CASE_NOTE_BODY),
    NotificationKind.CASE_REFERRAL_DECIDED: Template(
        _("Referral decided: %(number)s"), CASE_NOTE_BODY
    ),
    NotificationKind.CASE_EXTENSION_REQUESTED: Template(
        _("Extension to decide: %(number)s"), CASE_NOTE_BODY
    ),
    NotificationKind.CASE_EXTENSION_DECIDED: Template(
        _("Extension decided: %(number)s"), CASE_NOTE_BODY
    ),
    NotificationKind.STEERING_DIGEST: Template(
        _("Programme figures for %(month)s"),
        LINES,
        variants={"partner": (_("%(partner)s: your figures for %(month)s"), LINES)},
        parts={
            "headline": _("%(label)s: %(value)s (previous month %(previous)s)"),
            "rate": _("%(label)s: %(value)s (%(numerator)s of %(denominator)s)"),
        },
    ),
    NotificationKind.ROTA_PUBLISHED: Template(
        _("New duty shifts: %(rota)s"),
        ngettext_lazy(
            "You have %(count)d shift in the rota “%(rota)s”.",
            "You have %(count)d shifts in the rota “%(rota)s”.",
            "count",
        ),
    ),
    NotificationKind.SHIFTS_OPENED_BY_LEAVE: Template(
        ngettext_lazy(
            "%(count)s shift of %(name)s is open after approved leave",
            "%(count)s shifts of %(name)s are open after approved leave",
            "count",
        ),
        _(
            "%(name)s is on leave from %(first)s to %(last)s. "
            "Their shifts on those days are open and need someone."
        ),
    ),
    NotificationKind.SHIFT_DAY_BEFORE: Template(
        _("Duty tomorrow: %(point)s at %(start)s"), SHIFT_REMINDER_BODY
    ),
    NotificationKind.SHIFT_BEFORE_SHIFT: Template(
        _("Duty soon: %(point)s at %(start)s"), SHIFT_REMINDER_BODY
    ),
    NotificationKind.SHIFT_OPEN_SLOT: Template(
        _("Open shift: %(point)s on %(date)s at %(start)s"),
        _(
            "The %(specialty)s shift at %(point)s on %(date)s from %(start)s to %(end)s "
            "has no assistant yet."
        ),
    ),
    NotificationKind.SHIFT_MISSED_CHECK_IN: Template(
        _("Missed check-in: %(assistant)s at %(point)s"),
        _(
            "%(assistant)s has not checked in for the %(specialty)s shift at %(point)s "
            "that began at %(start)s on %(date)s."
        ),
    ),
    NotificationKind.SHIFT_ASSIGNED: Template(
        _("Duty on %(date)s"),
        _("Staff gave you the shift at %(point)s on %(date)s from %(time)s."),
    ),
    NotificationKind.SHIFT_TAKEN_OFF: Template(
        _("Duty on %(date)s taken off"),
        _("Your shift at %(point)s on %(date)s from %(time)s went to someone else."),
    ),
    NotificationKind.SHIFT_OFFERED: Template(
        _("A shift offered: %(date)s"),
        _("A colleague offers the shift at %(point)s on %(date)s from %(time)s."),
    ),
    NotificationKind.SHIFT_SWAP_TO_APPROVE: Template(
        _("Swap to approve: %(date)s"),
        _("A swap of the shift at %(point)s on %(date)s waits for your approval."),
    ),
    NotificationKind.SHIFT_SWAPPED: Template(
        _("Shift swapped: %(date)s"),
        _("The shift at %(point)s on %(date)s from %(time)s is swapped: %(note)s"),
    ),
    NotificationKind.SHIFT_SWAP_REJECTED: Template(
        _("Swap rejected: %(date)s"),
        _(
            "Staff rejected the swap of the shift at %(point)s on %(date)s from %(time)s; "
            "it stays with the assistant who offered it."
        ),
    ),
    NotificationKind.SHIFT_SWAP_WITHDRAWN: Template(
        _("Offer withdrawn: %(date)s"),
        _("The offer of the shift at %(point)s on %(date)s from %(time)s is withdrawn."),
    ),
    NotificationKind.LEAVE_TO_DECIDE: Template(
        _("Leave to decide: %(name)s"),
        _("%(name)s asks for %(kind)s from %(first)s to %(last)s. Reason: %(reason)s"),
    ),
}


def template(kind) -> Template:
    """The template of a kind; a kind without one is a bug, found by the registry's test."""
    return TEMPLATES[kind]


def render(kind, names: Mapping, variant: str = "") -> tuple[str, str]:
    """(title, body) of a message of this kind, in the active language."""
    return template(kind).render(names, variant)
