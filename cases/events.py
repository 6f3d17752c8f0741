"""Who hears of each step in a case's timeline: the cases' rows of the event table.

Registered by `CasesConfig.ready()`. Each audience is a small function of the `CaseEvent` as
its step left the case; each webhook gets every event of its kind in one step together. The
partner hears only of its own assistants' cases, and the payload carries no resident or
enterprise data.
"""

from django.urls import reverse

from partners import webhooks as partner_webhooks
from partners.choices import WebhookEvent
from partners.models import PartnerContact
from talentoffice import events
from talentoffice.events import Tell
from talentoffice.models import NotificationKind

from .choices import CaseEventKind, CaseState
from .models import CaseEvent


def case_event_kind(event) -> str:
    """A plain state change is told by the state it reached (resolved, closed)."""
    if event.kind == CaseEventKind.TRANSITION:
        return f"{CaseEventKind.TRANSITION}:{event.to_state}"
    return event.kind


RESOLVED = f"{CaseEventKind.TRANSITION}:{CaseState.RESOLVED}"
CLOSED = f"{CaseEventKind.TRANSITION}:{CaseState.CLOSED}"


# -- audiences --------------------------------------------------------------------------------


def the_lead(event):
    """The case's lead as the step left it."""
    return events.users_of(event.case.lead)


def the_leads_partner_managers(event):
    """The managers of the lead's partner, who answer for their people's work."""
    lead = event.case.lead
    if lead is None:
        return []
    contacts = PartnerContact.objects.filter(partner_id=lead.partner_id, user__isnull=False)
    return [contact.user for contact in contacts.select_related("user").order_by("pk")]


# -- what the messages say (each kind's template is in talentoffice.kinds) ---------------------


def _case(event):
    return event.case


def _phone_link(event):
    return reverse("mobile:case_detail", args=[event.case_id])


def _staff_link(event):
    return reverse("admin:cases_case_change", args=[event.case_id])


def _no_link(event):
    return ""


def names(event, recipient) -> dict:
    """The places of every case message: the case's number and title, and the step's note."""
    return {"number": event.case.number, "title": event.case.title, "note": event.note}


def supervision_names(event, recipient) -> dict:
    """As `names`, with the supervision note staff left on the case."""
    return names(event, recipient) | {"note": event.case.supervision_note}


# -- webhooks ---------------------------------------------------------------------------------


def _to_the_assistants_partner(webhook_event):
    """The partner of the assistant the step is about (the new lead, the helper)."""
    return events.to_the_assistants_partner(
        partner_webhooks.emit_many,
        webhook_event,
        lambda event: partner_webhooks.case_data(event.case, assistant_id=event.assistant_id),
    )


def _to_the_partners_of_everyone_on_it(webhook_event):
    """The partners of the lead and the helpers: each hears of the case once per assistant."""

    def send(batch):
        items = []
        for event in batch:
            case = event.case
            people = dict(case.helpers.values_list("pk", "partner_id"))
            if case.lead is not None:
                people[case.lead_id] = case.lead.partner_id
            items += [
                (partner_id, partner_webhooks.case_data(case, assistant_id=assistant_id))
                for assistant_id, partner_id in sorted(people.items())
            ]
        partner_webhooks.emit_many(event=webhook_event, items=items)

    return send


# -- the table --------------------------------------------------------------------------------


def _tell(audience, who, kind, *, link=_phone_link, names=names, variant=""):
    return Tell(
        audience=audience,
        who=who,
        kind=kind,
        names=names,
        variant=variant,
        target=_case,
        link=link,
    )


def register() -> None:
    """The cases' rows of the event table."""
    events.log_model(CaseEvent, kind_of=case_event_kind)
    assigned = _to_the_assistants_partner(WebhookEvent.CASE_ASSIGNED)
    events.register(
        CaseEvent,
        CaseEventKind.ASSIGNED,
        tell=[_tell("the lead", events.the_assistant, NotificationKind.CASE_ASSIGNED)],
        webhook=assigned,
        webhook_event=WebhookEvent.CASE_ASSIGNED,
    )
    events.register(
        CaseEvent,
        CaseEventKind.HELPER_ADDED,
        tell=[
            _tell(
                "the helper",
                events.the_assistant,
                NotificationKind.CASE_ASSIGNED,
                variant="helper",
            )
        ],
        webhook=assigned,
        webhook_event=WebhookEvent.CASE_ASSIGNED,
    )
    events.register(
        CaseEvent,
        CaseEventKind.REASSIGNED,
        tell=[_tell("the new lead", events.the_assistant, NotificationKind.CASE_ASSIGNED)],
        webhook=assigned,
        webhook_event=WebhookEvent.CASE_ASSIGNED,
    )
    events.register(
        CaseEvent,
        CaseEventKind.RETURNED,
        # Returned, the case has no lead: staff give it to someone else.
        tell=[
            _tell(
                "district staff",
                events.staff,
                NotificationKind.CASE_RETURNED,
                link=_staff_link,
            )
        ],
    )
    events.register(
        CaseEvent,
        RESOLVED,
        webhook=_to_the_partners_of_everyone_on_it(WebhookEvent.CASE_RESOLVED),
        webhook_event=WebhookEvent.CASE_RESOLVED,
    )
    events.register(
        CaseEvent,
        CaseEventKind.REOPENED,
        # A partner told "resolved" must learn the problem came back.
        tell=[_tell("the lead", the_lead, NotificationKind.CASE_REOPENED)],
        webhook=_to_the_partners_of_everyone_on_it(WebhookEvent.CASE_REOPENED),
        webhook_event=WebhookEvent.CASE_REOPENED,
    )
    events.register(
        CaseEvent,
        CLOSED,
        webhook=_to_the_partners_of_everyone_on_it(WebhookEvent.CASE_CLOSED),
        webhook_event=WebhookEvent.CASE_CLOSED,
    )
    events.register(
        CaseEvent,
        CaseEventKind.REFERRED,
        tell=[
            _tell(
                "district staff",
                events.staff,
                NotificationKind.CASE_REFERRED,
                link=_staff_link,
            )
        ],
    )
    events.register(
        CaseEvent,
        CaseEventKind.REFERRAL_DECIDED,
        tell=[
            _tell(
                "the lead who referred",
                events.the_assistant,
                NotificationKind.CASE_REFERRAL_DECIDED,
            )
        ],
    )
    events.register(
        CaseEvent,
        CaseEventKind.EXTENSION_REQUESTED,
        tell=[
            _tell(
                "district staff",
                events.staff,
                NotificationKind.CASE_EXTENSION_REQUESTED,
                link=_staff_link,
            )
        ],
    )
    events.register(
        CaseEvent,
        CaseEventKind.EXTENSION_DECIDED,
        tell=[
            _tell(
                "the lead who asked",
                events.the_assistant,
                NotificationKind.CASE_EXTENSION_DECIDED,
            )
        ],
    )
    supervised = NotificationKind.CASE_SUPERVISED
    events.register(
        CaseEvent,
        CaseEventKind.SUPERVISED,
        # The lead's partner answers for the lead's work, so its managers read the note too.
        tell=[
            _tell("the lead", the_lead, supervised, names=supervision_names, link=_no_link),
            _tell(
                "the lead's partner managers",
                the_leads_partner_managers,
                supervised,
                names=supervision_names,
                link=_no_link,
            ),
        ],
    )
