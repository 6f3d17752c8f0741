"""The one outbox, run against both its uses (a notification's delivery by e-mail or robot, and
a signed webhook to a partner's system): one worker sends a row, a temporary failure comes back
with backoff until the tries run out, a permanent one fails at once, and a row whose worker died
is queued again by the sweep and sent once."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from partners import webhooks
from partners.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partners.tasks import deliver_webhook
from talentoffice import notifications, outbox
from talentoffice.models import Delivery, DeliveryAttempt
from talentoffice.outbox import PermanentError, TemporaryError
from talentoffice.tasks import deliver_notification
from tests.factories import next_number
from tests.factories.notify import local, make_webhook

NOON = local(2026, 3, 10, 12, 0)


@dataclass
class Use:
    """One use of the outbox, as its own module and task call it."""

    model: type
    attempt_model: type
    task: object
    deliver: object
    requeue: object
    make: object


def _notification_use(_partner):
    def make():
        notification = notifications.notify(
            recipient=None,
            kind="test",
            occasion=next_number(),
            render=lambda: ("值班提醒", "明天九点"),
            webhooks=[make_webhook()],
        )
        return notification.deliveries.get()

    return Use(
        model=Delivery,
        attempt_model=DeliveryAttempt,
        task=deliver_notification,
        deliver=lambda pk: notifications.deliver(delivery_id=pk),
        requeue=notifications.requeue_stale_deliveries,
        make=make,
    )


def _webhook_use(partner):
    WebhookEndpoint.objects.create(
        partner=partner, url="https://hooks.example.com/a", events=["case.resolved"]
    )

    def make():
        (delivery,) = webhooks.emit(event="case.resolved", partner_ids=[partner.pk], data={})
        return delivery

    return Use(
        model=WebhookDelivery,
        attempt_model=WebhookAttempt,
        task=deliver_webhook,
        deliver=lambda pk: webhooks.deliver(delivery_id=pk),
        requeue=webhooks.requeue_stale_deliveries,
        make=make,
    )


@pytest.fixture(params=[_notification_use, _webhook_use], ids=["notification", "webhook"])
def use(request, partner_a):
    return request.param(partner_a)


@pytest.fixture
def queued(monkeypatch, use):
    """Task messages that would go to the broker, as row ids, instead of going there."""
    sent = []
    monkeypatch.setattr(use.task, "delay", sent.append)
    return sent


@pytest.fixture
def answers(monkeypatch, use):
    """What the far end answers to each try, in order: an HTTP status, or an error to raise.

    The last answer repeats. The channel itself (SMTP, robots, partners' receivers) has its own
    tests; here only the outbox's handling of each answer is at stake.
    """
    script = [200]
    tries = []

    def send(row):
        tries.append(row.pk)
        answer = script[min(len(tries), len(script)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(use.model, "send", send)

    def set_answers(*values):
        script[:] = values
        return tries

    return set_answers


def test_permanent_and_temporary_errors_are_siblings_so_one_never_catches_the_other():
    assert not issubclass(PermanentError, TemporaryError)
    assert not issubclass(TemporaryError, PermanentError)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (500, TemporaryError),
        (503, TemporaryError),
        (408, TemporaryError),
        (429, TemporaryError),
        (400, PermanentError),
        (404, PermanentError),
        (410, PermanentError),
    ],
)
def test_an_http_answer_is_temporary_when_the_server_says_not_now(code, error):
    raised = outbox.http_error(code, "reason")
    assert type(raised) is error
    assert raised.http_status == code


def test_a_row_is_sent_once_and_a_second_copy_of_its_message_does_nothing(use, answers):
    row = use.make()
    tries = answers(200)

    first = use.deliver(row.pk)
    second = use.deliver(row.pk)  # e.g. redelivered after the first worker died before its ack

    row.refresh_from_db()
    assert (first.status, second.status) == (str(use.model.DONE), "skipped")
    assert (row.status, row.attempts, row.claimed_until) == (use.model.DONE, 1, None)
    assert getattr(row, use.model.DONE_AT) is not None
    assert tries == [row.pk]
    attempt = use.attempt_model.objects.get(delivery=row)
    assert (attempt.succeeded, attempt.http_status) == (True, 200)


def test_only_one_worker_sends_a_row_while_another_holds_it(use, monkeypatch):
    row = use.make()
    seen_by_the_second_worker = []

    def send(sending):
        # A second copy of the message reaches another worker while this one is sending.
        seen_by_the_second_worker.append(use.deliver(sending.pk).status)
        return 200

    monkeypatch.setattr(use.model, "send", send)

    assert use.deliver(row.pk).status == str(use.model.DONE)
    assert seen_by_the_second_worker == ["skipped"]
    assert use.attempt_model.objects.filter(delivery=row).count() == 1


def test_the_claim_is_won_by_one_of_two_workers(use):
    row = use.make()
    now = timezone.now()
    assert [outbox.claim(use.model, row.pk, now=now) for _worker in range(2)] == [True, False]


def test_a_temporary_error_is_retried_with_backoff_and_given_up_after_the_last_try(use, answers):
    policy = use.model.outbox_policy()
    tries = answers(TemporaryError("HTTP 503 Service Unavailable", http_status=503))
    with time_machine.travel(NOON, tick=False) as clock:
        row = use.make()
        waits = []
        for _try in range(policy.max_attempts):
            result = use.deliver(row.pk)
            row.refresh_from_db()
            if result.status != "retry":
                break
            waits.append(result.retry_in)
            assert row.status == use.model.Status.PENDING
            assert row.not_before == timezone.now() + timedelta(seconds=result.retry_in)
            # An early copy of the message does nothing: the backoff holds.
            assert use.deliver(row.pk).status == "skipped"
            clock.shift(timedelta(seconds=result.retry_in))

    base = policy.retry_base_seconds
    assert waits == [base * 2**n for n in range(policy.max_attempts - 1)]
    assert result.status == "failed"
    assert (row.status, row.attempts) == (use.model.Status.FAILED, policy.max_attempts)
    assert (row.last_http_status, row.last_error) == (503, "HTTP 503 Service Unavailable")
    assert len(tries) == policy.max_attempts
    log = use.attempt_model.objects.filter(delivery=row)
    assert {(a.succeeded, a.http_status) for a in log} == {(False, 503)}
    assert log.count() == policy.max_attempts


def test_a_permanent_error_fails_the_row_at_once(use, answers):
    row = use.make()
    tries = answers(PermanentError("HTTP 410 Gone", http_status=410))

    result = use.deliver(row.pk)

    row.refresh_from_db()
    assert result == outbox.DeliveryResult("failed")
    assert (row.status, row.attempts, row.last_http_status) == ("failed", 1, 410)
    assert row.not_before is None
    assert len(tries) == 1
    assert use.deliver(row.pk).status == "skipped"


def test_a_temporary_error_then_a_success_sends_the_row(use, answers):
    row = use.make()
    answers(TemporaryError("timed out"), 200)
    with time_machine.travel(NOON, tick=False) as clock:
        assert use.deliver(row.pk).status == "retry"
        clock.shift(timedelta(seconds=use.model.outbox_policy().retry_base_seconds))
        assert use.deliver(row.pk).status == str(use.model.DONE)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (use.model.DONE, 2, "")


def test_a_row_whose_worker_died_mid_send_is_queued_again_and_sent_once(
    use, answers, queued, django_capture_on_commit_callbacks
):
    tries = answers(200)
    with time_machine.travel(NOON, tick=False) as clock:
        row = use.make()
        fresh = use.make()
        # The worker took the row and died inside the send: the row stays "sending".
        assert outbox.claim(use.model, row.pk, now=NOON)
        assert use.requeue() == []  # its claim has not run out: maybe it is only slow

        clock.shift(timedelta(seconds=use.model.outbox_policy().claim_seconds + 1))
        with django_capture_on_commit_callbacks(execute=True):
            requeued = use.requeue()
        # The fresh row's task message is still on its way: it is left alone.
        assert requeued == [row.pk]
        assert queued == [row.pk]
        assert use.model.objects.get(pk=row.pk).status == use.model.Status.PENDING
        assert use.requeue() == []  # the new message is on its way: not queued twice

        assert use.deliver(row.pk).status == str(use.model.DONE)
    assert tries == [row.pk]
    assert use.model.objects.get(pk=row.pk).attempts == 2
    assert use.model.objects.get(pk=fresh.pk).status == use.model.Status.PENDING


def test_the_task_asks_celery_to_retry_after_the_backoff(use, answers, monkeypatch):
    row = use.make()
    answers(TemporaryError("HTTP 502 Bad Gateway", http_status=502))
    asked = []

    class Retry(Exception):
        pass

    def fake_retry(**kwargs):
        asked.append(kwargs)
        return Retry()

    monkeypatch.setattr(use.task, "retry", fake_retry)
    with pytest.raises(Retry):
        use.task(row.pk)
    assert asked == [{"countdown": use.model.outbox_policy().retry_base_seconds}]
