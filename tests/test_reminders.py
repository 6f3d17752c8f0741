"""The reminder sweep: each kind fires at its moment, catches up on what still matters after a
pause, skips what is stale, writes each reminder once, and runs a fixed handful of queries when
nothing is due whatever the number of shifts."""

from datetime import time, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assistants import reminders
from assistants.models import Assistant, ReminderPolicy, Shift
from talentoffice import channels, notifications
from talentoffice.models import Delivery, Notification, NotificationPreference
from talentoffice.tasks import deliver_notification
from tests.factories import make_assistant, make_service_point
from tests.factories.notify import (
    RobotServer,
    key_for,
    local,
    make_rota,
    make_shift,
    make_user,
    make_webhook,
    notification_keys,
)

# Shifts in these tests start on Wednesday 11 March 2026 at 09:00, Asia/Shanghai.
SHIFT_START = local(2026, 3, 11, 9, 0)


def sweep_at(*when):
    with time_machine.travel(local(*when), tick=False):
        return reminders.sweep_reminders()


def keys() -> set[tuple]:
    return notification_keys()


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Deliveries queued after commit are collected here instead of going to Redis."""
    queued = []
    monkeypatch.setattr(deliver_notification, "delay", queued.append)
    return queued


@pytest.fixture
def shift(assistant):
    """Bob's published shift, Wednesday 09:00–12:00."""
    return make_shift(starts_at=SHIFT_START, assistant=assistant, rota=make_rota())


def test_the_day_before_reminder_goes_at_the_set_hour_of_the_previous_day(shift):
    key = key_for("shift.day_before", shift, shift.assistant_id, shift.assistant.user)

    assert sweep_at(2026, 3, 10, 17, 59) == 0
    assert sweep_at(2026, 3, 10, 18, 0) == 1
    assert keys() == {key}
    notification = Notification.objects.get()
    assert notification.recipient == shift.assistant.user
    assert notification.kind == "shift.day_before"
    # Written once: the next minute's sweep finds nothing to do.
    assert sweep_at(2026, 3, 10, 18, 1) == 0


def test_the_day_before_hour_comes_from_the_policy_staff_set(shift):
    ReminderPolicy.objects.filter(kind="day_before").update(hour=20)

    assert sweep_at(2026, 3, 10, 19, 0) == 0
    assert sweep_at(2026, 3, 10, 20, 0) == 1


def test_a_policy_switched_off_sends_nothing(shift):
    ReminderPolicy.objects.filter(kind__in=["day_before", "before_shift"]).update(active=False)

    assert sweep_at(2026, 3, 10, 18, 0) == 0
    assert sweep_at(2026, 3, 11, 8, 30) == 0


def test_a_sweep_down_for_hours_catches_up_on_the_day_before_reminder_that_evening(shift):
    assert sweep_at(2026, 3, 10, 21, 45) == 1
    assert keys() == {key_for("shift.day_before", shift, shift.assistant_id, shift.assistant.user)}


def test_a_day_before_reminder_is_stale_once_the_day_of_the_shift_has_begun(shift):
    # The sweep was down from 17:00 until 00:30: the day-before moment is gone; the
    # before-shift reminder (not due yet at 00:30) is the one that will still go.
    assert sweep_at(2026, 3, 11, 0, 30) == 0


def test_the_before_shift_reminder_goes_the_set_minutes_before_the_start(shift):
    ReminderPolicy.objects.filter(kind="before_shift").update(minutes=30)

    assert sweep_at(2026, 3, 11, 8, 29) == 0
    assert sweep_at(2026, 3, 11, 8, 30) == 1
    assert keys() == {
        key_for("shift.before_shift", shift, shift.assistant_id, shift.assistant.user)
    }
    assert sweep_at(2026, 3, 11, 8, 31) == 0


def test_a_late_sweep_still_sends_the_before_shift_reminder_until_the_shift_starts(shift):
    # Due at 08:00 (default 60 minutes); the sweep comes back at 08:50.
    assert sweep_at(2026, 3, 11, 8, 50) == 1


def test_a_shift_that_already_started_gets_no_reminder(shift):
    assert sweep_at(2026, 3, 11, 9, 0) == 0
    assert sweep_at(2026, 3, 11, 9, 5) == 0
    assert not Notification.objects.exists()


def test_draft_rotas_and_cancelled_or_open_shifts_get_no_assistant_reminder(assistant, staff_user):
    draft = make_rota(status="draft")
    make_shift(starts_at=SHIFT_START, assistant=assistant, rota=draft)
    make_shift(starts_at=SHIFT_START + timedelta(hours=4), assistant=assistant, status="cancelled")
    handmade = make_shift(starts_at=SHIFT_START + timedelta(hours=8), assistant=assistant)

    sweep_at(2026, 3, 10, 18, 0)

    # Only the shift made by hand (no rota) counts, as a published one.
    assert keys() == {key_for("shift.day_before", handmade, assistant.pk, handmade.assistant.user)}


def test_a_reminder_goes_to_the_assistant_and_the_points_active_robots(shift):
    robot = make_webhook(service_point=shift.service_point)
    make_webhook(service_point=shift.service_point, active=False)
    make_webhook()  # another point's robot

    sweep_at(2026, 3, 11, 8, 0)

    notification = Notification.objects.get()
    # Bob's login has no e-mail address: the robot, and his inbox is the notification itself.
    assert list(notification.deliveries.values_list("target", flat=True)) == [f"webhook:{robot.pk}"]
    assert notification.recipient == shift.assistant.user


def test_an_assistant_without_a_login_is_reminded_through_the_robots_only(partner_a):
    assistant = make_assistant(partner=partner_a, user=None)
    shift = make_shift(starts_at=SHIFT_START, assistant=assistant)
    robot = make_webhook(service_point=shift.service_point)

    sweep_at(2026, 3, 11, 8, 0)

    notification = Notification.objects.get()
    assert notification.recipient is None
    assert list(notification.deliveries.values_list("target", flat=True)) == [f"webhook:{robot.pk}"]


def test_a_reminder_in_the_assistants_quiet_hours_waits_for_their_end(assistant):
    user = assistant.user
    user.email = "bob@example.com"
    user.save()
    NotificationPreference.objects.create(user=user, quiet_from=time(22), quiet_until=time(7))
    make_shift(starts_at=local(2026, 3, 11, 7, 30), assistant=assistant)
    early = make_shift(starts_at=local(2026, 3, 12, 6, 45), assistant=assistant)

    sweep_at(2026, 3, 11, 6, 30)  # 07:30 shift due; quiet until 07:00, the shift is after

    held = Notification.objects.get()
    assert {d.not_before for d in held.deliveries.all()} == {local(2026, 3, 11, 7, 0)}

    sweep_at(2026, 3, 12, 5, 45)  # the 06:45 shift starts within the quiet hours: send now

    now_sent = Notification.objects.get(kind="shift.before_shift", target_id=early.pk)
    assert {d.not_before for d in now_sent.deliveries.all()} == {None}


def test_reminders_are_written_in_the_assistants_language(assistant, second_assistant):
    NotificationPreference.objects.create(user=assistant.user, language="en")
    english = make_shift(starts_at=SHIFT_START, assistant=assistant)
    chinese = make_shift(starts_at=SHIFT_START, assistant=second_assistant)
    seen = []
    original = reminders._facts

    def spy(shift):
        seen.append((shift.pk, translation.get_language()))
        return original(shift)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reminders, "_facts", spy)
        sweep_at(2026, 3, 11, 8, 0)

    assert sorted(seen) == sorted([(english.pk, "en"), (chinese.pk, "zh-hans")])
    subject = Notification.objects.get(recipient=assistant.user).subject
    assert subject == f"Duty soon: {english.service_point.name} at 09:00"


def test_open_slots_within_the_set_days_alert_every_active_staff_member(staff_user):
    other_staff = make_user(is_staff=True)
    make_user(is_staff=True, is_active=False)
    make_user()  # not staff
    point = make_service_point()
    robot = make_webhook(service_point=point)
    soon = make_shift(starts_at=local(2026, 3, 13, 9, 0), service_point=point)
    make_shift(starts_at=local(2026, 3, 14, 9, 30), service_point=point)  # beyond 3 days

    written = sweep_at(2026, 3, 10, 9, 15)

    assert written == 3
    assert keys() == {
        key_for("shift.open_slot", soon),
        key_for("shift.open_slot", soon, "", staff_user),
        key_for("shift.open_slot", soon, "", other_staff),
    }
    group = Notification.objects.get(kind="shift.open_slot", target_id=soon.pk, recipient=None)
    assert list(group.deliveries.values_list("target", flat=True)) == [f"webhook:{robot.pk}"]
    personal = Notification.objects.get(recipient=staff_user)
    assert personal.link == f"/admin/assistants/shift/{soon.pk}/change/"
    assert not personal.deliveries.filter(channel="webhook").exists()
    assert sweep_at(2026, 3, 10, 9, 16) == 0


def test_an_open_slot_that_started_is_not_alerted(staff_user):
    make_shift(starts_at=local(2026, 3, 10, 9, 0))
    assert sweep_at(2026, 3, 10, 9, 1) == 0


def test_a_missed_check_in_alerts_staff_the_set_minutes_after_the_start(shift, staff_user):
    assert sweep_at(2026, 3, 11, 9, 14) == 0
    assert sweep_at(2026, 3, 11, 9, 15) == 2  # the point's robots, and alice
    shift.refresh_from_db()
    assert shift.status == "missed"
    assert keys() == {
        key_for("shift.missed_check_in", shift),
        key_for("shift.missed_check_in", shift, "", staff_user),
    }
    assert sweep_at(2026, 3, 11, 9, 16) == 0


def test_no_missed_check_in_alert_after_a_check_in_or_once_the_shift_is_over(
    assistant, second_assistant, staff_user
):
    make_shift(starts_at=SHIFT_START, assistant=assistant, status="checked_in")
    make_shift(starts_at=local(2026, 3, 11, 6, 0), hours=2, assistant=second_assistant)

    # At 09:30 the first was checked in, the second (06:00–08:00) is over: stale.
    assert sweep_at(2026, 3, 11, 9, 30) == 0


def test_a_robot_that_hangs_or_fails_blocks_neither_the_sweep_nor_the_other_channels(
    assistant, monkeypatch, _no_broker
):
    monkeypatch.setattr(channels, "WEBHOOK_TIMEOUT_SECONDS", 0.5)
    assistant.user.email = "bob@example.com"
    assistant.user.save()
    with RobotServer() as robot:
        shift = make_shift(starts_at=SHIFT_START, assistant=assistant)
        make_webhook(service_point=shift.service_point, url=robot.url("/hang"))
        make_webhook(service_point=shift.service_point, url=robot.url("/fail500"))
        make_webhook(service_point=shift.service_point, url=robot.url("/ok"))

        # The sweep only writes rows: no robot is called while it runs.
        assert sweep_at(2026, 3, 11, 8, 0) == 1
        assert robot.received == []

        # Worker order is not guaranteed; take the worst: the bad robots first.
        deliveries = sorted(
            Delivery.objects.all(), key=lambda d: (d.channel != "webhook", d.target)
        )
        results = {d.target: notifications.deliver(delivery_id=d.pk).status for d in deliveries}
        assert sorted(robot.paths()) == ["/fail500", "/hang", "/ok"]

    webhooks = Delivery.objects.filter(channel="webhook").select_related("webhook")
    by_url = {d.webhook.url.rsplit("/", 1)[1]: d for d in webhooks}
    assert by_url["hang"].status == "pending"
    assert by_url["fail500"].status == "pending"
    assert by_url["ok"].status == "sent"
    assert "inbox" not in results  # the inbox is the notification itself
    assert results["email:bob@example.com"] == "sent"


# transactional_db: outside a test transaction, atomic blocks are BEGIN/COMMIT, not SAVEPOINT
# queries, so the count is the one production sees.
def test_a_sweep_with_nothing_due_runs_the_same_queries_whatever_the_table_size(
    transactional_db, assistant, second_assistant, staff_user
):
    robot_point = make_service_point()
    make_webhook(service_point=robot_point)

    def add_shifts(first: int, count: int):
        """Shifts that are not due at 19:00 on 10 March, or were already told by 18:30."""
        rota = make_rota()
        far, past, told = [], [], []
        for n in range(first, first + count):
            far.append(
                Shift(
                    rota=rota,
                    service_point=robot_point,
                    date=local(2026, 6, 1, 9).date(),
                    starts_at=local(2026, 6, 1, 9) + timedelta(days=n),
                    ends_at=local(2026, 6, 1, 12) + timedelta(days=n),
                    specialty="finance",
                    assistant=assistant,
                )
            )
            past.append(
                Shift(
                    service_point=robot_point,
                    date=local(2026, 1, 1, 9).date(),
                    starts_at=local(2026, 1, 1, 9) + timedelta(hours=n),
                    ends_at=local(2026, 1, 1, 10) + timedelta(hours=n),
                    specialty="legal",
                )
            )
            # Open shifts within 3 days, and tomorrow's, already alerted by an earlier sweep.
            told.append(
                Shift(
                    service_point=robot_point,
                    date=local(2026, 3, 11, 9).date(),
                    starts_at=local(2026, 3, 11, 9) + timedelta(minutes=n),
                    ends_at=local(2026, 3, 11, 10) + timedelta(minutes=n),
                    specialty="legal",
                )
            )
            told.append(
                Shift(
                    rota=rota,
                    service_point=robot_point,
                    date=local(2026, 3, 11, 0).date(),
                    starts_at=local(2026, 3, 11, 0) + timedelta(minutes=4 * n),
                    ends_at=local(2026, 3, 11, 0, 3) + timedelta(minutes=4 * n),
                    specialty="legal",
                    assistant=second_assistant,
                )
            )
        Shift.objects.bulk_create(far + past + told)
        sweep_at(2026, 3, 10, 18, 30)

    def queries_of_a_quiet_sweep() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert sweep_at(2026, 3, 10, 19, 0) == 0
        return [q["sql"] for q in captured.captured_queries]

    # Told at 18:30 and still in their windows at 19:00: a before-shift reminder, and a missed
    # check-in on a shift still running.
    make_shift(starts_at=local(2026, 3, 10, 19, 10), assistant=assistant)
    missed = make_shift(starts_at=local(2026, 3, 10, 18, 0), assistant=second_assistant)
    add_shifts(0, 3)
    assert Shift.objects.get(pk=missed.pk).status == "missed"
    small = queries_of_a_quiet_sweep()
    add_shifts(3, 300)
    large = queries_of_a_quiet_sweep()

    # 1. the reminder policies; 2. BEGIN; 3. mark_missed_shifts: scheduled shifts past the
    # grace, locked; 4. COMMIT; 5. day-before: tomorrow's assigned shifts not yet reminded;
    # 6. before-shift: assigned shifts starting within the hour; 7. open slots within 3 days
    # not yet alerted; 8. running shifts marked missed, not yet alerted.
    assert len(small) == len(large) == 8
    assert large[1].startswith("BEGIN") and large[3] == "COMMIT"  # BEGIN IMMEDIATE on SQLite
    assert Shift.objects.count() == 4 * 303 + 2
    # robots + alice per open slot; charlie; bob's before-shift; robots + alice for the missed
    assert Notification.objects.count() == 303 * 3 + 1 + 2
    # Every shift query is a range on the indexed start time.
    shift_queries = [large[2], *large[4:]]
    assert all('"starts_at" >' in sql or '"starts_at" <' in sql for sql in shift_queries)
    if connection.vendor == "postgresql":  # SQLite has no row locks: its writer waits at BEGIN
        assert "FOR UPDATE" in large[2]


@pytest.mark.postgresql_only(
    reason="SQLite caps the parameters of one statement: it inserts a batch in several"
)
def test_a_sweep_runs_the_same_queries_for_ten_due_reminders_as_for_a_thousand(
    transactional_db, partner_a, _no_broker
):
    point = make_service_point()
    make_webhook(service_point=point)

    def due_shifts(count: int, starts_at):
        """`count` assistants with a login (half of them with preferences), one shift each."""
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"{starts_at:%H%M}-{n}", email=f"{starts_at:%H%M}-{n}@ex.org")
            for n in range(count)
        )
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=user, language="en") for user in users[::2]
        )
        assistants = Assistant.objects.bulk_create(
            Assistant(
                name=f"助理{n}",
                partner=partner_a,
                specialty="finance",
                phone=f"199{starts_at:%M}{n:06d}",
                user=user,
            )
            for n, user in enumerate(users)
        )
        Shift.objects.bulk_create(
            Shift(
                service_point=point,
                date=starts_at.date(),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                specialty="finance",
                assistant=assistant,
            )
            for assistant in assistants
        )

    def sweep(*when) -> tuple[int, list[str]]:
        # Both sweeps look the content type up, as a fresh worker process does.
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as captured:
            written = sweep_at(*when)
        return written, [q["sql"] for q in captured.captured_queries]

    due_shifts(10, local(2026, 3, 10, 19, 10))
    few, few_queries = sweep(2026, 3, 10, 19, 0)
    due_shifts(1000, local(2026, 3, 10, 19, 20))
    many, many_queries = sweep(2026, 3, 10, 19, 1)

    assert (few, many) == (10, reminders.BATCH)
    # Besides the quiet sweep's eight: the service point's content type and the robots of the
    # due shifts' points (a robot names its owner by type and id), BEGIN, the notification's
    # content type, the insert, the rows it wrote, the deliveries' insert, COMMIT.
    assert len(few_queries) == len(many_queries) == 16
    # An e-mail and a robot message per reminder, handed to the broker after commit.
    assert len(_no_broker) == 2 * (10 + reminders.BATCH)
    english = Notification.objects.filter(recipient__notification_preference__language="en")
    assert english.filter(subject__startswith="Duty soon").count() == 5 + reminders.BATCH // 2


def test_before_the_day_before_hour_the_sweep_does_not_even_look_at_tomorrow(transactional_db):
    with CaptureQueriesContext(connection) as captured:
        sweep_at(2026, 3, 10, 12, 0)
    # policies; BEGIN, mark missed, COMMIT; before-shift; open slots; missed check-ins.
    # No day-before query: before 18:00 nothing can be due for tomorrow.
    assert len(captured.captured_queries) == 7


def test_the_sweep_uses_the_defaults_without_policy_rows(db):
    ReminderPolicy.objects.all().delete()
    policies = reminders.load_policies()
    assert policies["day_before"].hour == 18
    assert policies["before_shift"].minutes == 60
    assert policies["open_slot"].days == 3
    assert policies["missed_check_in"].minutes == 15


def test_the_sweep_task_runs_the_sweep(shift):
    from assistants.tasks import sweep_reminders

    with time_machine.travel(local(2026, 3, 11, 8, 0), tick=False):
        assert sweep_reminders() == 1
