"""A case's whole life, end to end: a resident's QR-form request followed in the admin through
assignment, an escalation delivered by a real Celery worker on real Redis, reassignment,
acceptance, resolution and a return visit that reopens the case, with the whole timeline."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from cases import sweeps, workflow
from cases.models import Case, Resident
from cases.public_views import point_token
from talentoffice.models import Delivery, Notification
from tests import factories
from tests.integration.conftest import wait_for


@pytest.fixture(autouse=True)
def _empty_rate_limit_counters():
    """The public form's counters live in the cache, which outlives the test's database."""
    cache.clear()
    yield
    cache.clear()


def step_url(case, step):
    return reverse("admin:cases_case_workflow", args=[case.pk, step])


def unaccepted_notifications(user):
    return Notification.objects.filter(recipient=user, kind="case.unaccepted")


def test_a_qr_request_is_followed_from_intake_to_a_reopening_return_visit_with_escalation(
    celery_worker_process, redis_broker, client, partner_a, tmp_path
):
    worker = celery_worker_process
    users = get_user_model().objects
    alice = users.create_user(
        "alice", "alice@example.com", "alice-pass-123", is_staff=True, is_superuser=True
    )
    # A second staff member: the escalation goes to all district staff. Each has an e-mail
    # address, so each notification has exactly one delivery (the inbox is the row itself).
    erin = users.create_user("erin", "erin@example.com", "erin-pass-123", is_staff=True)
    bob = factories.make_assistant(
        partner=partner_a, name="林博", user=users.create_user("bob", password="bob-pass-123")
    )
    dan = factories.make_assistant(partner=partner_a, name="陈丹")
    point = factories.make_service_point(name="洋中街道人才助理服务点")
    item = factories.make_service_item(
        name="安置房租赁纠纷", specialty="finance", target_days=20, follow_up_days=7
    )

    # 1. The resident scans the point's QR code and sends the short form, without a login.
    response = client.post(
        reverse("public:form", args=[point_token(point)]),
        {
            "name": "王芳",
            "phone": "138 1234 5678",
            "community": "",
            "service": f"item:{item.pk}",
            "description": "征收期间租赁合同纠纷，房东要求提前解约",
            "remark": "",
        },
        REMOTE_ADDR="203.0.113.7",
        follow=True,
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.number in response.content.decode()  # the resident gets the case number back
    assert (case.source, case.service_point, case.state) == ("public_form", point, "new")
    assert case.resident == Resident.objects.get(phone="13812345678")

    # 2. Staff assign it to Bob in the admin.
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    response = client.post(step_url(case, "assign"), {"lead": bob.pk, "note": "就近指派"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert (case.state, case.lead) == ("assigned", bob)

    # 3. Bob does not accept in time: the sweep after accept_by escalates to every staff member,
    # and the real worker delivers each message by e-mail.
    late = case.accept_by + timedelta(minutes=5)
    assert sweeps.sweep_case_reminders(now=late) == 2
    staff_messages = [unaccepted_notifications(user).get() for user in (alice, erin)]

    def all_sent():
        deliveries = Delivery.objects.filter(notification__in=staff_messages)
        return [d.status for d in deliveries] == ["sent", "sent"]

    assert wait_for(all_sent), (
        f"not delivered: {list(Delivery.objects.values('target', 'status', 'last_error'))}\n"
        + (tmp_path / "worker.log").read_text()
    )
    for message in staff_messages:
        address = message.recipient.email
        assert [(d.target, d.attempts) for d in message.deliveries.all()] == [
            (f"email:{address}", 1)
        ]
        assert message.read_at is None  # waiting in the inbox
        assert case.number in message.subject + message.body
        assert message.link == reverse("admin:cases_case_change", args=[case.pk])

    # A second sweep, even later, tells nobody again; the worker has nothing left to do.
    assert sweeps.sweep_case_reminders(now=late + timedelta(hours=1)) == 0
    assert wait_for(lambda: redis_broker.llen("deliveries") == 0), "the worker left messages"
    for user in (alice, erin):
        assert unaccepted_notifications(user).count() == 1
    assert set(
        Delivery.objects.filter(notification__in=staff_messages).values_list("status", "attempts")
    ) == {("sent", 1)}
    assert case.events.filter(kind="escalated").count() == 1

    # 4. Staff reassign the case to Dan, who accepts it in time.
    response = client.post(step_url(case, "reassign"), {"lead": dan.pk, "reason": "林博请假"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.lead) == ("assigned", dan)
    workflow.accept_case(case=case, assistant=dan)
    case.refresh_from_db()
    assert case.state == "in_progress"
    # Accepted in time: a sweep past the first deadline (but before Dan's) escalates nothing.
    assert sweeps.sweep_case_reminders(now=case.accepted_at + timedelta(minutes=1)) == 0

    # 5. Resolved with an outcome in the admin; the return visit is scheduled.
    response = client.post(step_url(case, "resolve"), {"outcome": "resolved", "note": "已调解"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("resolved", "resolved")
    assert case.follow_ups.filter(done_at__isnull=True).count() == 1

    # 6. The return visit finds the resident not satisfied: the case reopens.
    response = client.post(
        step_url(case, "follow_up"),
        {"method": "phone", "satisfaction": "2", "still_solved": "no", "notes": "房东又反悔"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("in_progress", "")
    follow_up = case.follow_ups.get()
    assert (follow_up.satisfaction, follow_up.still_solved) == (2, False)

    # 7. The whole story is in the timeline, in order, each step with its states.
    timeline = list(case.events.order_by("at", "pk").values_list("kind", "from_state", "to_state"))
    assert timeline == [
        ("created", "", "new"),
        ("assigned", "new", "assigned"),
        ("escalated", "", ""),
        ("reassigned", "assigned", "assigned"),
        ("accepted", "assigned", "in_progress"),
        ("transition", "in_progress", "resolved"),
        ("follow_up", "resolved", "followed_up"),
        ("reopened", "followed_up", "in_progress"),
        ("note", "", ""),  # the return visit recorded by staff
    ]
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    # The case page shows the escalation's timeline entry to staff.
    assert case.events.get(kind="escalated").note in page
    assert worker.poll() is None, "the worker died"
