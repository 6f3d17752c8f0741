"""Notifications: written once per recipient, kind, target and occasion, rendered in the
recipient's language, shown in the inbox as they are, delivered by e-mail and group-chat robots
with a logged attempt per try, backoff on temporary failures and an immediate give-up on
permanent ones."""

from datetime import time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from talentoffice import channels, notifications
from talentoffice.models import Delivery, DeliveryAttempt, Notification
from talentoffice.tasks import deliver_notification
from tests.factories.notify import RobotServer, SmtpServer, local, make_user, make_webhook

NOON = local(2026, 3, 10, 12, 0)


def simple_render():
    return "Hello", "Body"


def notify_once(recipient, key="event:1", **kwargs):
    return notifications.notify(
        recipient=recipient, kind="test", occasion=key, render=simple_render, **kwargs
    )


@pytest.fixture
def robot():
    with RobotServer() as server:
        yield server


@pytest.fixture
def queued(monkeypatch):
    """Task messages that would be sent to the broker, as delivery ids, instead of sending them."""
    sent = []
    monkeypatch.setattr(deliver_notification, "delay", lambda delivery_id: sent.append(delivery_id))
    return sent


def delivery_of(notification, channel) -> Delivery:
    return notification.deliveries.get(channel=channel)


def test_notify_writes_the_notification_with_email_and_each_active_robot(db):
    user = make_user(email="bob@example.com")
    robot_a = make_webhook()
    robot_b = make_webhook(kind="dingtalk")
    switched_off = make_webhook(active=False)

    notification = notify_once(user, webhooks=[robot_a, robot_b, switched_off, robot_a])

    assert notification.subject == "Hello"
    assert notification.recipient == user
    assert sorted(notification.deliveries.values_list("target", flat=True)) == sorted(
        ["email:bob@example.com", f"webhook:{robot_a.pk}", f"webhook:{robot_b.pk}"]
    )
    assert set(notification.deliveries.values_list("status", flat=True)) == {"pending"}


def test_a_second_notify_with_the_same_key_returns_none_and_writes_nothing(db):
    user = make_user()
    robot = make_webhook()
    first = notify_once(user, webhooks=[robot])

    second = notify_once(user, webhooks=[robot])

    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 2


def test_the_same_occasion_to_another_recipient_or_another_occasion_is_a_new_notification(db):
    alice, bob = make_user(), make_user()
    notify_once(alice, key="2026-03-10")

    assert notify_once(bob, key="2026-03-10") is not None
    assert notify_once(alice, key="2026-03-11") is not None
    assert notify_once(None, key="2026-03-10") is not None
    assert notify_once(None, key="2026-03-10") is None  # no recipient is unique too
    assert Notification.objects.count() == 4


def test_a_notification_about_a_target_is_once_per_target(db):
    alice = make_user()
    about_bob, about_charlie = make_user(), make_user()

    first = notifications.notify(
        recipient=alice, kind="test", target=about_bob, render=simple_render
    )
    again = notifications.notify(
        recipient=alice, kind="test", target=about_bob, render=simple_render
    )
    other = notifications.notify(
        recipient=alice, kind="test", target=about_charlie, render=simple_render
    )

    assert (first.target, again, other.target) == (about_bob, None, about_charlie)
    assert notifications.about(first) == ("user", about_bob.pk)


def test_a_duplicate_leaves_the_callers_transaction_usable(db):
    user = make_user()
    with transaction.atomic():
        notify_once(user)
        assert notify_once(user) is None
        # The failed insert was rolled back to its savepoint, not the whole transaction.
        notify_once(user, key="event:2")
    assert Notification.objects.count() == 2


def test_no_email_delivery_without_an_address_or_when_the_user_turned_email_off(db):
    no_address = make_user(email="")
    opted_out = make_user(preference={"email_enabled": False})

    first = notify_once(no_address, key="a")
    second = notify_once(opted_out, key="b")

    assert list(first.deliveries.all()) == []
    assert list(second.deliveries.all()) == []


def test_a_notification_without_recipient_goes_to_the_robots_only(db):
    robot = make_webhook()
    notification = notifications.notify(
        recipient=None, kind="test", occasion="group", render=simple_render, webhooks=[robot]
    )
    assert list(notification.deliveries.values_list("target", flat=True)) == [f"webhook:{robot.pk}"]


def test_it_renders_in_english_for_a_user_who_prefers_english(db):
    english = make_user(preference={"language": "en"})
    seen = []

    def render():
        seen.append(translation.get_language())
        return gettext("Duty soon: %(point)s at %(start)s") % {"point": "P1", "start": "09:00"}, ""

    with translation.override("zh-hans"):
        notification = notifications.notify(
            recipient=english, kind="test", occasion="en", render=render
        )

    assert seen == ["en"]
    assert notification.subject == "Duty soon: P1 at 09:00"
    assert translation.get_language() == "zh-hans"  # the override ended with the rendering


def test_it_renders_in_the_default_chinese_without_a_preference(db, settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    user = make_user()
    seen = []

    def render():
        seen.append(translation.get_language())
        return "x", ""

    with translation.override("en"):
        notifications.notify(recipient=user, kind="test", occasion="zh", render=render)

    assert seen == ["zh-hans"]


def test_deliveries_are_queued_only_after_commit_and_held_ones_not_at_all(
    db, queued, django_capture_on_commit_callbacks
):
    user = make_user()
    robot = make_webhook()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        now_note = notify_once(user, key="now", webhooks=[robot])
        held_note = notify_once(
            user, key="held", webhooks=[robot], not_before=timezone.now() + timedelta(hours=8)
        )
        assert queued == []  # nothing leaves before the transaction commits

    # One hand-off per batch written, however many deliveries it has; three messages in all.
    assert len(callbacks) == 2
    assert len(queued) == 3
    held_email = delivery_of(held_note, "email")
    assert held_email.pk not in queued
    assert held_email.not_before is not None
    # The robot speaks to a group, not to the person in quiet hours: it is not held.
    assert delivery_of(held_note, "webhook").pk in queued
    assert set(now_note.deliveries.values_list("pk", flat=True)) <= set(queued)


def test_the_inbox_is_the_notification_itself_with_no_delivery_attempt_or_task(
    db, queued, django_capture_on_commit_callbacks
):
    alice = make_user(email="")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify_once(alice)

    assert list(notifications.inbox(alice)) == [notification]
    assert Delivery.objects.count() == 0
    assert DeliveryAttempt.objects.count() == 0
    assert (callbacks, queued) == ([], [])


def test_an_email_delivery_is_marked_sent_and_its_attempt_logged(db):
    notification = notify_once(make_user())
    email = delivery_of(notification, "email")

    result = notifications.deliver(delivery_id=email.pk)

    email.refresh_from_db()
    assert result.status == "sent"
    assert (email.status, email.attempts) == ("sent", 1)
    assert email.sent_at is not None
    attempt = email.attempt_log.get()
    assert attempt.succeeded
    assert attempt.finished_at is not None


def test_an_email_delivery_sends_one_mail_to_the_address(db):
    notification = notify_once(make_user(email="bob@example.com"), link="/m/shifts/1/")

    notifications.deliver(delivery_id=delivery_of(notification, "email").pk)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bob@example.com"]
    assert mail.outbox[0].subject == "Hello"
    assert "/m/shifts/1/" in mail.outbox[0].body


def test_a_webhook_delivery_posts_the_robot_text_format(db, robot):
    for kind in ("wecom", "dingtalk"):
        hook = make_webhook(kind=kind, url=robot.url("/ok"))
        notification = notify_once(None, key=kind, webhooks=[hook])
        delivery = delivery_of(notification, "webhook")

        notifications.deliver(delivery_id=delivery.pk)

        delivery.refresh_from_db()
        assert delivery.status == "sent"
        assert delivery.attempt_log.get().http_status == 200
    assert robot.received == [
        ("/ok", {"msgtype": "text", "text": {"content": "Hello\n\nBody"}}),
        ("/ok", {"msgtype": "text", "text": {"content": "Hello\n\nBody"}}),
    ]


def test_a_sent_delivery_is_never_sent_again(db, robot):
    hook = make_webhook(url=robot.url("/ok"))
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")

    first = notifications.deliver(delivery_id=delivery.pk)
    # A redelivered copy of the message, e.g. after the worker died before acking it.
    second = notifications.deliver(delivery_id=delivery.pk)

    assert (first.status, second.status) == ("sent", "skipped")
    assert len(robot.received) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1


def test_a_delivery_claimed_by_a_live_worker_is_left_alone_but_an_expired_claim_is_taken(db, robot):
    hook = make_webhook(url=robot.url("/ok"))
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_until=timezone.now() + timedelta(seconds=30)
    )

    assert notifications.deliver(delivery_id=delivery.pk).status == "skipped"
    assert robot.received == []

    # The worker that held it died: its claim runs out and another copy of the message sends it.
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert notifications.deliver(delivery_id=delivery.pk).status == "sent"
    assert len(robot.received) == 1


def test_a_500_is_retried_with_exponential_backoff_then_given_up_after_six_tries(db, robot):
    hook = make_webhook(url=robot.url("/fail500"))
    with time_machine.travel(NOON, tick=False) as clock:
        delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")
        waits = []
        for _try in range(6):
            result = notifications.deliver(delivery_id=delivery.pk)
            delivery.refresh_from_db()
            if result.status != "retry":
                break
            waits.append(result.retry_in)
            assert delivery.status == "pending"
            assert delivery.not_before == timezone.now() + timedelta(seconds=result.retry_in)
            # An early copy of the message does nothing: the backoff holds.
            assert notifications.deliver(delivery_id=delivery.pk).status == "skipped"
            clock.shift(timedelta(seconds=result.retry_in))

    assert waits == [60, 120, 240, 480, 960]
    assert result.status == "failed"
    assert (delivery.status, delivery.attempts) == ("failed", 6)
    assert "HTTP 500" in delivery.last_error
    log = list(delivery.attempt_log.all())
    assert len(log) == 6
    assert {(a.succeeded, a.http_status) for a in log} == {(False, 500)}
    assert len(robot.received) == 6


@pytest.mark.parametrize(
    ("path", "status_code", "error"),
    [("/bad", 400, "HTTP 400"), ("/errcode", 200, "errcode 93000")],
)
def test_a_permanent_robot_error_fails_at_once(db, robot, path, status_code, error):
    hook = make_webhook(url=robot.url(path))
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")

    result = notifications.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert result.status == "failed"
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert error in delivery.last_error
    attempt = delivery.attempt_log.get()
    assert (attempt.succeeded, attempt.http_status) == (False, status_code)
    assert error in attempt.error


def test_a_rate_limited_robot_is_retried(db, robot):
    hook = make_webhook(url=robot.url("/busy"))
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")

    result = notifications.deliver(delivery_id=delivery.pk)

    assert (result.status, result.retry_in) == ("retry", 60)


def test_a_robot_that_hangs_times_out_and_is_retried(db, robot, monkeypatch):
    monkeypatch.setattr(channels, "WEBHOOK_TIMEOUT_SECONDS", 0.5)
    hook = make_webhook(url=robot.url("/hang"))
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")

    result = notifications.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert result.status == "retry"
    assert delivery.status == "pending"
    assert "timed out" in delivery.last_error
    assert delivery.attempt_log.get().http_status is None


def test_an_unreachable_robot_is_retried(db):
    # Port 9 (discard) is closed on the test machine: the connection is refused.
    hook = make_webhook(url="http://127.0.0.1:9/robot")
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")

    assert notifications.deliver(delivery_id=delivery.pk).status == "retry"


def test_a_robot_switched_off_after_the_notification_fails_without_a_request(db, robot):
    hook = make_webhook(url=robot.url("/ok"))
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")
    hook.active = False
    hook.save()

    assert notifications.deliver(delivery_id=delivery.pk).status == "failed"
    assert robot.received == []


def test_a_long_text_is_cut_to_what_a_wecom_robot_accepts():
    payload = channels.webhook_payload("wecom", "值" * 2000)
    content = payload["text"]["content"]
    assert len(content.encode()) <= 2048
    assert content.endswith("...")


@pytest.fixture
def smtp():
    with (
        SmtpServer() as server,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.port,
        ),
    ):
        yield server


@pytest.mark.parametrize(
    ("address", "outcome", "received"),
    [
        ("bob@example.com", "sent", 1),
        ("later@example.com", "retry", 0),
        ("refuse@example.com", "failed", 0),
    ],
)
def test_smtp_answers_decide_between_sent_retry_and_failed(db, smtp, address, outcome, received):
    delivery = delivery_of(notify_once(make_user(email=address)), "email")

    assert notifications.deliver(delivery_id=delivery.pk).status == outcome
    assert len(smtp.messages) == received
    if received:
        assert smtp.messages[0]["to"] == [address]
        assert smtp.messages[0]["message"]["Subject"] == "Hello"


def test_an_smtp_server_that_is_down_means_retry(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    delivery = delivery_of(notify_once(make_user()), "email")

    assert notifications.deliver(delivery_id=delivery.pk).status == "retry"


def test_the_task_asks_celery_to_retry_after_the_backoff(db, robot, monkeypatch):
    hook = make_webhook(url=robot.url("/fail500"))
    delivery = delivery_of(notify_once(None, webhooks=[hook]), "webhook")
    asked = []

    class Retry(Exception):
        pass

    def fake_retry(**kwargs):
        asked.append(kwargs)
        return Retry()

    monkeypatch.setattr(deliver_notification, "retry", fake_retry)
    with pytest.raises(Retry):
        deliver_notification(delivery.pk)
    assert asked == [{"countdown": 60}]


def test_the_task_reports_a_sent_delivery(db):
    email = delivery_of(notify_once(make_user()), "email")
    assert deliver_notification(email.pk) == "sent"


def test_requeue_picks_lost_held_and_abandoned_deliveries_but_not_fresh_ones(
    db, queued, django_capture_on_commit_callbacks
):
    user = make_user()
    with time_machine.travel(NOON, tick=False) as clock:
        fresh = delivery_of(notify_once(user, key="fresh"), "email")
        held = delivery_of(
            notify_once(user, key="held", not_before=NOON + timedelta(hours=1)), "email"
        )
        lost = delivery_of(notify_once(user, key="lost"), "email")
        abandoned = delivery_of(notify_once(user, key="abandoned"), "email")
        done = delivery_of(notify_once(user, key="done"), "email")
        notifications.deliver(delivery_id=done.pk)
        Delivery.objects.filter(pk=lost.pk).update(claimed_until=NOON - timedelta(seconds=1))
        Delivery.objects.filter(pk=abandoned.pk).update(
            status="sending", claimed_until=NOON - timedelta(seconds=1)
        )

        with django_capture_on_commit_callbacks(execute=True):
            first = notifications.requeue_stale_deliveries()
        assert sorted(first) == sorted([lost.pk, abandoned.pk])
        assert sorted(queued) == sorted(first)

        # The requeued messages are on their way: the next sweep does not queue them again.
        assert notifications.requeue_stale_deliveries() == []

        clock.shift(timedelta(hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            later = notifications.requeue_stale_deliveries()
    # The held delivery's hour has come; the fresh one's message is presumed lost by now too.
    assert sorted(later) == sorted([held.pk, fresh.pk, lost.pk, abandoned.pk])
    assert Delivery.objects.get(pk=abandoned.pk).status == "pending"


@pytest.mark.parametrize(
    ("quiet", "at", "event", "expected"),
    [
        # 22:00–07:00 across midnight; at 23:30 a shift at 09:00 next day waits until 07:00.
        ((22, 7), (3, 10, 23, 30), (3, 11, 9, 0), (3, 11, 7, 0)),
        # At 06:00 the quiet period ends the same morning.
        ((22, 7), (3, 11, 6, 0), (3, 11, 9, 0), (3, 11, 7, 0)),
        # The shift starts within the quiet hours: the reminder goes now.
        ((22, 7), (3, 11, 5, 0), (3, 11, 6, 30), None),
        # Outside the quiet hours: nothing to hold.
        ((22, 7), (3, 10, 21, 0), (3, 11, 9, 0), None),
        # A daytime quiet window (a nap, 12:00–14:00).
        ((12, 14), (3, 10, 12, 30), (3, 10, 18, 0), (3, 10, 14, 0)),
        ((12, 14), (3, 10, 14, 0), (3, 10, 18, 0), None),
    ],
)
def test_quiet_hours_hold_a_reminder_until_they_end_unless_the_event_is_sooner(
    db, quiet, at, event, expected
):
    user = make_user(preference={"quiet_from": time(quiet[0]), "quiet_until": time(quiet[1])})
    end = notifications.quiet_hours_end(
        user=user, at=local(2026, *at), event_at=local(2026, *event)
    )
    assert end == (local(2026, *expected) if expected else None)


def test_no_quiet_hours_without_a_preference_or_a_recipient(db):
    assert notifications.quiet_hours_end(user=make_user(), at=NOON) is None
    assert notifications.quiet_hours_end(user=None, at=NOON) is None
