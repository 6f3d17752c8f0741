"""The event table: each step writes the right people's messages and the right partners'
webhook rows in its own transaction, sends each once after it commits, and tells nobody at all
when it is rolled back."""

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from assistants import shifts
from assistants.rota import publish_rota
from cases import deadlines, referrals, workflow
from cases.models import CaseEvent
from partners.choices import WebhookEvent
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.tasks import deliver_webhook
from talentoffice import events
from talentoffice.access import district_staff
from talentoffice.models import Delivery, Notification
from talentoffice.tasks import deliver_notification
from tests import factories
from tests.factories.assign import make_assigned_case, make_case, make_case_in_progress
from tests.factories.shifts import dispatch_all, local, make_leave, make_rota, make_shift

NOW = local(date(2026, 3, 2), time(8))  # a Monday morning; the shifts below are on Tuesday


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def endpoints(partner_a, partner_b):
    """Both partners listen to every event, so only the table decides who hears what."""
    return {
        partner: WebhookEndpoint.objects.create(
            partner=partner, url=f"https://{partner.pk}.example.com/", events=WebhookEvent.values
        )
        for partner in (partner_a, partner_b)
    }


@pytest.fixture
def frank(partner_b):
    """Frank, a finance assistant of partner B, with a login, so Bob can swap with him."""
    user = get_user_model().objects.create_user("frank-assistant", password="frank-pass-123")
    return factories.make_assistant(partner=partner_b, name="方凡", specialty="finance", user=user)


@pytest.fixture
def point(assistant, frank):
    point = factories.make_service_point(name="台江区人才助理专窗")
    dispatch_all(point, assistant, frank)
    return point


class Steps:
    """Runs steps for a test: their commit callbacks, and the delivery tasks sent to the broker
    as ("e-mail" or "webhook", row id)."""

    def __init__(self, capture, monkeypatch):
        self.capture = capture
        self.queued = []
        monkeypatch.setattr(deliver_notification, "delay", self._sent("e-mail"))
        monkeypatch.setattr(deliver_webhook, "delay", self._sent("webhook"))

    def _sent(self, channel):
        return lambda pk: self.queued.append((channel, pk))


@pytest.fixture
def steps(django_capture_on_commit_callbacks, monkeypatch):
    return Steps(django_capture_on_commit_callbacks, monkeypatch)


class Told:
    """What one step told: its messages and webhook rows, and the delivery rows they need."""

    def __init__(self, before):
        self.notifications = set(Notification.objects.exclude(pk__in=before[0]))
        self.deliveries = set(WebhookDelivery.objects.exclude(pk__in=before[1]))

    def people(self, kind):
        return {n.recipient for n in self.notifications if n.kind == kind}

    def kinds(self):
        return {n.kind for n in self.notifications}

    def webhooks(self):
        """(partner, event, assistant) for every webhook row written."""
        return sorted(
            (d.partner_id, d.event, d.payload["data"]["assistant"]) for d in self.deliveries
        )

    def to_send(self):
        """Every row that travels (an e-mail, a partner webhook), each once."""
        emails = Delivery.objects.filter(notification__in=self.notifications)
        return sorted(
            [("e-mail", pk) for pk in emails.values_list("pk", flat=True)]
            + [("webhook", delivery.pk) for delivery in self.deliveries]
        )


def tell(step, steps) -> Told:
    """Run a step: its rows are written in its transaction, their sending waits for the commit."""
    before = (
        list(Notification.objects.values_list("pk", flat=True)),
        list(WebhookDelivery.objects.values_list("pk", flat=True)),
    )
    with steps.capture() as callbacks:
        step()
    # Still inside the step's transaction: the rows are there, nothing has been sent.
    told = Told(before)
    assert steps.queued == []
    with steps.capture(execute=True):
        for callback in callbacks:
            callback()
    # Once committed, each row's delivery task is queued exactly once.
    assert sorted(steps.queued) == told.to_send()
    return told


def tells_nobody_when_rolled_back(step, steps) -> None:
    """A step whose transaction rolls back tells nobody, now or later."""
    before = (Notification.objects.count(), WebhookDelivery.objects.count())
    with (
        steps.capture(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        step()
        # The step's rows are in its transaction, visible to it before the commit...
        assert (Notification.objects.count(), WebhookDelivery.objects.count()) > before
        raise RuntimeError("refused after the step")
    # ...and gone with it, with no delivery queued.
    assert callbacks == []
    assert steps.queued == []
    assert (Notification.objects.count(), WebhookDelivery.objects.count()) == before


def people(*assistants):
    return {assistant.user for assistant in assistants}


# Cases


def test_a_case_assigned_tells_the_lead_and_the_helper_and_each_ones_partner(
    endpoints,
    staff_user,
    assistant,
    second_assistant,
    partner_a,
    partner_b,
    steps,
):
    case = make_case()

    told = tell(
        lambda: workflow.assign_case(
            case=case, lead=assistant, helpers=[second_assistant], by=staff_user
        ),
        steps,
    )

    assert told.people("case.assigned") == people(assistant, second_assistant)
    assert told.kinds() == {"case.assigned"}
    assert told.webhooks() == sorted(
        [
            (partner_a.pk, "case.assigned", assistant.pk),
            (partner_b.pk, "case.assigned", second_assistant.pk),
        ]
    )
    message = next(n for n in told.notifications if n.recipient == assistant.user)
    assert (message.target, message.link) == (case, f"/m/cases/{case.pk}/")


def test_a_case_assigned_in_a_step_that_rolls_back_tells_nobody(
    endpoints, staff_user, assistant, steps
):
    case = make_case()

    tells_nobody_when_rolled_back(
        lambda: workflow.assign_case(case=case, lead=assistant, by=staff_user),
        steps,
    )


def test_a_steps_messages_and_webhook_rows_live_and_die_with_its_transaction(
    endpoints, staff_user, assistant, partner_a
):
    case = make_case()

    with transaction.atomic():
        workflow.assign_case(case=case, lead=assistant, by=staff_user)
        # Before the commit, the event and what it tells are already rows of one transaction.
        assert CaseEvent.objects.filter(case=case, kind="assigned").exists()
        assert Notification.objects.get(kind="case.assigned").recipient == assistant.user
        assert WebhookDelivery.objects.get(event="case.assigned").partner == partner_a
        transaction.set_rollback(True)

    assert not CaseEvent.objects.filter(case=case, kind="assigned").exists()
    assert not Notification.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_a_step_refused_inside_a_larger_step_tells_nobody_of_its_events(
    endpoints, staff_user, assistant, frank, steps
):
    refused, kept = make_case(), make_case()

    def larger_step():
        with events.telling():
            with pytest.raises(RuntimeError), events.telling():
                workflow.assign_case(case=refused, lead=assistant, by=staff_user)
                raise RuntimeError("refused")
            workflow.assign_case(case=kept, lead=frank, by=staff_user)

    told = tell(larger_step, steps)

    assert told.people("case.assigned") == people(frank)
    assert {n.target for n in told.notifications} == {kept}


def test_a_case_reassigned_tells_the_new_lead_and_their_partner(
    endpoints, staff_user, assistant, frank, partner_b, steps
):
    case = make_case_in_progress(lead=assistant)

    told = tell(
        lambda: workflow.reassign_case(case=case, lead=frank, by=staff_user, reason="换人"),
        steps,
    )

    assert told.people("case.assigned") == people(frank)
    assert told.webhooks() == [(partner_b.pk, "case.assigned", frank.pk)]


def test_a_case_returned_tells_district_staff_and_no_partner(
    endpoints, staff_user, limited_staff_user, assistant, steps
):
    case = make_assigned_case(lead=assistant)

    told = tell(
        lambda: workflow.return_case(case=case, assistant=assistant, reason="不属于金融"),
        steps,
    )

    assert told.people("case.returned") == set(district_staff())
    assert told.kinds() == {"case.returned"}
    assert told.webhooks() == []


def test_a_case_resolved_tells_the_leads_partner(endpoints, assistant, partner_a, steps):
    case = make_case_in_progress(lead=assistant)

    told = tell(
        lambda: workflow.resolve_case(case=case, outcome="resolved", assistant=assistant),
        steps,
    )

    assert told.notifications == set()
    assert told.webhooks() == [(partner_a.pk, "case.resolved", assistant.pk)]


def test_a_case_reopened_by_its_leads_return_visit_tells_their_partner_and_not_the_lead(
    endpoints, assistant, partner_a, steps
):
    case = make_case_in_progress(lead=assistant)
    workflow.resolve_case(case=case, outcome="resolved", assistant=assistant)
    follow_up = case.follow_ups.get()

    told = tell(
        lambda: workflow.record_follow_up(
            follow_up=follow_up, method="phone", satisfaction=2, still_solved=False, by=assistant
        ),
        steps,
    )

    # The lead took the step themselves: nobody is told of what they did.
    assert told.people("case.reopened") == set()
    assert told.webhooks() == [(partner_a.pk, "case.reopened", assistant.pk)]
    delivery = told.deliveries.pop()
    assert delivery.payload["data"]["case"]["state"] == "in_progress"


def test_a_case_closed_tells_the_leads_partner(endpoints, staff_user, assistant, partner_a, steps):
    case = make_case_in_progress(lead=assistant)
    workflow.resolve_case(case=case, outcome="withdrawn", assistant=assistant)

    told = tell(lambda: workflow.close_case(case=case, by=staff_user), steps)

    assert told.notifications == set()
    assert told.webhooks() == [(partner_a.pk, "case.closed", assistant.pk)]
    assert set(told.deliveries.pop().payload["data"]["case"]) == {
        "id",
        "number",
        "state",
        "outcome",
    }  # nothing of the resident


def test_a_case_referred_tells_district_staff_and_the_decision_tells_the_lead(
    endpoints, staff_user, limited_staff_user, assistant, steps
):
    case = make_case_in_progress(lead=assistant)

    told = tell(
        lambda: referrals.refer_case(
            case=case, by=assistant.user, reason="需要信访部门", to_department="区信访局"
        ),
        steps,
    )
    assert told.people("case.referred") == set(district_staff())
    assert told.webhooks() == []

    referral = case.referrals.get()
    told = tell(
        lambda: referrals.decide_referral(
            referral=referral, by=staff_user, accept=False, reason="先自行调解"
        ),
        steps,
    )
    assert told.people("case.referral_decided") == people(assistant)
    assert told.kinds() == {"case.referral_decided"}


def test_an_extension_asked_tells_district_staff_and_the_decision_tells_the_lead(
    endpoints, staff_user, limited_staff_user, assistant, steps
):
    case = make_case_in_progress(lead=assistant)

    told = tell(
        lambda: deadlines.request_extension(
            case=case, assistant=assistant, extra_workdays=3, reason="等待银行回函"
        ),
        steps,
    )
    assert told.people("case.extension_requested") == set(district_staff())

    request = case.extension_requests.get()
    told = tell(
        lambda: deadlines.decide_extension(request=request, by=staff_user, approve=True),
        steps,
    )
    assert told.people("case.extension_decided") == people(assistant)
    assert told.webhooks() == []


def test_a_case_supervised_tells_the_lead_and_their_partners_managers(
    endpoints,
    staff_user,
    assistant,
    partner_a_manager,
    partner_b_manager,
    steps,
):
    case = make_case_in_progress(lead=assistant)

    told = tell(
        lambda: deadlines.supervise_case(case=case, by=staff_user, note="请本周内答复"),
        steps,
    )

    assert told.people("case.supervised") == people(assistant) | {partner_a_manager}
    assert told.webhooks() == []


# Shifts


def test_a_shift_given_by_staff_tells_both_assistants_and_both_partners(
    endpoints,
    staff_user,
    point,
    assistant,
    frank,
    partner_a,
    partner_b,
    steps,
):
    shift = make_shift(service_point=point, assistant=frank)

    told = tell(
        lambda: shifts.assign_shift(shift=shift, assistant=assistant, by=staff_user),
        steps,
    )

    assert told.people("shift.assigned") == people(assistant)
    assert told.people("shift.taken_off") == people(frank)
    assert told.webhooks() == sorted(
        [
            (partner_a.pk, "shift.assigned", assistant.pk),
            (partner_b.pk, "shift.changed", frank.pk),
        ]
    )


def test_a_shift_given_in_a_step_that_rolls_back_tells_nobody(
    endpoints, staff_user, point, assistant, steps
):
    shift = make_shift(service_point=point)

    tells_nobody_when_rolled_back(
        lambda: shifts.assign_shift(shift=shift, assistant=assistant, by=staff_user),
        steps,
    )


def test_a_shift_offered_to_a_colleague_tells_that_colleague(
    endpoints, point, assistant, frank, steps
):
    shift = make_shift(service_point=point, assistant=assistant)

    told = tell(
        lambda: shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=frank),
        steps,
    )

    assert told.people("shift.offered") == people(frank)
    assert told.webhooks() == []


def test_a_swap_waiting_for_approval_tells_staff_and_the_swap_tells_both_sides(
    endpoints,
    staff_user,
    limited_staff_user,
    point,
    assistant,
    frank,
    partner_a,
    partner_b,
    steps,
):
    point.swaps_need_approval = True
    point.save()
    shift = make_shift(service_point=point, assistant=assistant)
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)

    told = tell(
        lambda: shifts.accept_swap(swap=swap, by_assistant=frank),
        steps,
    )
    assert told.people("shift.swap_to_approve") == set(district_staff())
    assert told.webhooks() == []

    told = tell(lambda: shifts.approve_swap(swap=swap, by=staff_user), steps)
    assert told.people("shift.swapped") == people(assistant, frank)
    assert told.webhooks() == sorted(
        [
            (partner_b.pk, "shift.assigned", frank.pk),
            (partner_a.pk, "shift.changed", assistant.pk),
        ]
    )


def test_a_swap_rejected_by_staff_tells_both_assistants_and_no_partner(
    endpoints, staff_user, point, assistant, frank, steps
):
    point.swaps_need_approval = True
    point.save()
    shift = make_shift(service_point=point, assistant=assistant)
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant)
    shifts.accept_swap(swap=swap, by_assistant=frank)

    told = tell(lambda: shifts.reject_swap(swap=swap, by=staff_user), steps)

    assert told.people("shift.swap_rejected") == people(assistant, frank)
    assert told.kinds() == {"shift.swap_rejected"}
    assert told.webhooks() == []


def test_an_offer_withdrawn_tells_the_colleague_it_was_made_to(
    endpoints, point, assistant, frank, steps
):
    shift = make_shift(service_point=point, assistant=assistant)
    swap = shifts.offer_shift(shift=shift, by_assistant=assistant, to_assistant=frank)

    told = tell(
        lambda: shifts.cancel_swap(swap=swap, by_assistant=assistant),
        steps,
    )

    assert told.people("shift.swap_withdrawn") == people(frank)
    assert told.webhooks() == []


def test_leave_asked_for_tells_district_staff_once_and_no_partner(
    endpoints, staff_user, limited_staff_user, assistant, steps
):
    told = tell(
        lambda: shifts.request_leave(
            assistant=assistant,
            kind="leave",
            starts_on=date(2026, 3, 3),
            ends_on=date(2026, 3, 4),
            reason="探亲",
        ),
        steps,
    )

    assert told.people("leave.to_decide") == set(district_staff())
    assert staff_user in told.people("leave.to_decide")
    assert len(told.notifications) == len(set(district_staff()))
    message = next(iter(told.notifications))
    assert message.link.startswith("/admin/assistants/unavailability/")
    assert told.webhooks() == []


def test_leave_recorded_as_already_decided_tells_nobody(
    endpoints, staff_user, assistant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_leave(assistant=assistant, status="approved")

    assert not Notification.objects.exists()


def test_leave_that_frees_shifts_tells_staff_once_and_the_partner_per_shift(
    endpoints,
    staff_user,
    limited_staff_user,
    point,
    assistant,
    partner_a,
    steps,
):
    make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 3))
    make_shift(service_point=point, assistant=assistant, date=date(2026, 3, 4))
    leave = make_leave(
        assistant=assistant,
        status="requested",
        starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 4),
    )

    told = tell(
        lambda: shifts.approve_leave(unavailability=leave, by=staff_user),
        steps,
    )

    assert told.people("shifts_opened_by_leave") == set(district_staff())
    assert len(told.notifications) == len(set(district_staff()))
    assert told.webhooks() == [(partner_a.pk, "shift.changed", assistant.pk)] * 2


def test_a_rota_published_tells_each_assistant_once_and_their_partner_per_shift(
    endpoints, staff_user, point, assistant, partner_a, steps
):
    rota = make_rota(status="draft", published_at=None)
    make_shift(service_point=point, assistant=assistant, rota=rota, date=date(2026, 3, 3))
    make_shift(service_point=point, assistant=assistant, rota=rota, date=date(2026, 3, 4))

    told = tell(
        lambda: publish_rota(rota=rota, by=staff_user, provisional_confirmed=True),
        steps,
    )

    assert told.people("rota_published") == people(assistant)
    assert len(told.notifications) == 1
    assert told.webhooks() == [(partner_a.pk, "shift.assigned", assistant.pk)] * 2


def test_a_rota_published_quietly_tells_only_the_partners(
    endpoints, staff_user, point, assistant, partner_a, steps
):
    rota = make_rota(status="draft", published_at=None)
    make_shift(service_point=point, assistant=assistant, rota=rota)

    told = tell(
        lambda: publish_rota(
            rota=rota, by=staff_user, notify_assistants=False, provisional_confirmed=True
        ),
        steps,
    )

    assert told.notifications == set()
    assert told.webhooks() == [(partner_a.pk, "shift.assigned", assistant.pk)]


# The table itself


TOLD_ABOVE = {
    ("cases.caseevent", "assigned"),
    ("cases.caseevent", "helper_added"),
    ("cases.caseevent", "reassigned"),
    ("cases.caseevent", "returned"),
    ("cases.caseevent", "transition:resolved"),
    ("cases.caseevent", "reopened"),
    ("cases.caseevent", "transition:closed"),
    ("cases.caseevent", "referred"),
    ("cases.caseevent", "referral_decided"),
    ("cases.caseevent", "extension_requested"),
    ("cases.caseevent", "extension_decided"),
    ("cases.caseevent", "supervised"),
    ("assistants.shiftevent", "assigned"),
    ("assistants.shiftevent", "unassigned"),
    ("assistants.shiftevent", "swap_offered"),
    ("assistants.shiftevent", "swap_accepted"),
    ("assistants.shiftevent", "swap_approved"),
    ("assistants.shiftevent", "opened_by_leave"),
    ("assistants.shiftevent", "swap_rejected"),
    ("assistants.shiftevent", "swap_cancelled"),
    ("assistants.unavailability", "freed_shifts"),
    ("assistants.unavailability", "leave_requested"),
    ("assistants.rota", "published"),
    ("assistants.rota", "published_quietly"),
}


def test_every_row_of_the_event_table_has_a_test_here():
    assert {(row.model, row.kind) for row in events.table()} == TOLD_ABOVE


def test_every_webhook_the_table_raises_is_one_partners_can_subscribe_to():
    raised = {
        event.strip()
        for row in events.table()
        for event in row.webhook_event.split("+")
        if event.strip()
    }
    assert raised <= set(WebhookEvent.values)
    assert {"case.reopened", "case.closed"} <= raised
