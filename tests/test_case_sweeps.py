"""Case reminders and escalations: each kind goes at its moment and only once, a sweep that was
down catches up on what still matters and skips what is stale, staff get one digest a day, and
a quiet sweep runs the same few queries whatever the number of cases."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import deadlines, sweeps, visits, workflow
from cases.models import Case, CaseEvent, Enterprise, EnterpriseLiaison, FollowUp
from talentoffice.models import Delivery, Notification
from talentoffice.tasks import deliver_notification
from tests import factories
from tests.factories.assign import make_assigned_case, make_case, make_case_in_progress
from tests.factories.notify import key_for, key_of, local, make_user
from tests.factories.visits import make_liaison

# Cases in these tests are opened on Monday 9 March 2026 at 10:00, Asia/Shanghai. The week
# after is an ordinary one: Saturday 14 and Sunday 15 March are the only days off.
OPENED = local(2026, 3, 9, 10, 0)


def sweep_at(*when) -> int:
    with time_machine.travel(local(*when), tick=False):
        return sweeps.sweep_case_reminders()


def digest_on(day: date) -> int:
    with time_machine.travel(local(day.year, day.month, day.day, 8, 30), tick=False):
        return sweeps.send_daily_digest()


# The steps that set a case up (assigning it, resolving it) tell their own people in their own
# transaction; these tests read only what the sweeps write.
SWEPT_KINDS = [
    "case.unaccepted",
    "case.warning",
    "case.follow_up",
    "case.liaison_visit",
    "case.digest",
]


def swept():
    """The notifications the sweeps and the digest wrote."""
    return Notification.objects.filter(kind__in=SWEPT_KINDS)


def keys() -> set[tuple]:
    return {key_of(notification) for notification in swept()}


def events(case, kind) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind))


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Deliveries queued after commit are collected here instead of going to Redis."""
    queued = []
    monkeypatch.setattr(deliver_notification, "delay", queued.append)
    return queued


@pytest.fixture
def opened(time_machine):
    time_machine.move_to(OPENED, tick=False)


@pytest.fixture
def second_staff(db):
    return make_user(username="grace", is_staff=True, preference={"language": "en"})


# --- unaccepted cases ------------------------------------------------------------------------


def test_an_unaccepted_case_escalates_to_every_active_staff_member_at_its_accept_by_time(
    opened, assistant, staff_user, second_staff
):
    make_user(username="idle", is_staff=True, is_active=False)
    make_user(username="nobody")  # not staff
    case = make_assigned_case(lead=assistant, by=staff_user)
    assert case.accept_by == OPENED + timedelta(hours=24)

    assert sweep_at(2026, 3, 10, 9, 59) == 0
    assert sweep_at(2026, 3, 10, 10, 0) == 2
    marker = key_for("case.unaccepted", case, case.assigned_at)
    assert keys() == {
        marker,
        key_for("case.unaccepted", case, case.assigned_at, staff_user),
        key_for("case.unaccepted", case, case.assigned_at, second_staff),
    }
    told = swept().exclude(recipient=None).order_by("recipient__username")
    assert [n.recipient for n in told] == [staff_user, second_staff]
    assert all(case.number in n.subject and n.kind == "case.unaccepted" for n in told)
    assert told[0].link == f"/admin/cases/case/{case.pk}/change/"
    # The marker tells nobody: only the two staff members' inboxes are delivered.
    assert not Delivery.objects.filter(
        notification__recipient=None, notification__kind__in=SWEPT_KINDS
    ).exists()
    assert len(events(case, "escalated")) == 1

    # Once only: later sweeps, and a catch-up days later, write nothing more.
    assert sweep_at(2026, 3, 10, 10, 5) == 0
    assert sweep_at(2026, 3, 12, 15, 0) == 0
    assert len(events(case, "escalated")) == 1


def test_a_sweep_that_was_down_still_escalates_a_case_that_is_still_unaccepted(
    opened, assistant, staff_user
):
    case = make_assigned_case(lead=assistant, by=staff_user)
    # Down from before the accept-by time until two days later, at night: still escalated.
    assert sweep_at(2026, 3, 12, 2, 0) == 1
    assert len(events(case, "escalated")) == 1


def test_an_accepted_or_returned_case_does_not_escalate(opened, assistant, staff_user):
    accepted = make_case_in_progress(lead=assistant, by=staff_user)
    returned = make_assigned_case(lead=assistant, by=staff_user)
    workflow.return_case(case=returned, assistant=assistant, reason="不属于金融类")

    assert sweep_at(2026, 3, 10, 12, 0) == 0
    assert not CaseEvent.objects.filter(kind="escalated", case__in=[accepted, returned]).exists()


def test_a_reassigned_case_that_again_waits_too_long_escalates_again(
    time_machine, assistant, second_assistant, staff_user
):
    time_machine.move_to(OPENED, tick=False)
    case = make_assigned_case(lead=assistant, by=staff_user)
    assert sweep_at(2026, 3, 10, 10, 0) == 1
    time_machine.move_to(local(2026, 3, 10, 11, 0), tick=False)
    case = workflow.reassign_case(case=case, lead=second_assistant, by=staff_user, reason="超时")

    assert sweep_at(2026, 3, 11, 10, 59) == 0
    assert sweep_at(2026, 3, 11, 11, 0) == 1
    assert key_for("case.unaccepted", case, case.assigned_at, staff_user) in keys()
    assert [e.assistant for e in events(case, "escalated")] == [assistant, second_assistant]


# --- deadline warnings -----------------------------------------------------------------------


@pytest.fixture
def due_monday(opened, assistant, staff_user):
    """Bob's case in progress, due Monday 16 March: two working days before is Thursday 12."""
    case = make_case_in_progress(lead=assistant, by=staff_user)
    Case.objects.filter(pk=case.pk).update(target_date=date(2026, 3, 16))
    return case


def test_the_lead_is_warned_the_set_working_days_before_the_target_date(due_monday, assistant):
    assert sweep_at(2026, 3, 11, 23, 0) == 0  # Wednesday: three working days before
    assert sweep_at(2026, 3, 12, 7, 59) == 0  # Thursday, before the reminder hour
    assert sweep_at(2026, 3, 12, 8, 0) == 1
    warning = swept().get()
    assert key_of(warning) == key_for("case.warning", due_monday, date(2026, 3, 16), assistant.user)
    assert warning.recipient == assistant.user
    assert due_monday.number in warning.subject and "2026-03-16" in warning.subject
    [event] = events(due_monday, "warned")
    assert "2026-03-16" in event.note and event.assistant == assistant

    assert sweep_at(2026, 3, 12, 8, 5) == 0
    assert sweep_at(2026, 3, 13, 9, 0) == 0
    assert len(events(due_monday, "warned")) == 1


def test_the_warning_counts_working_days_across_the_weekend(due_monday, settings):
    settings.CASE_WARNING_WORKDAYS = 1
    # One working day before Monday is Friday, not Sunday.
    assert sweep_at(2026, 3, 12, 9, 0) == 0
    assert sweep_at(2026, 3, 13, 9, 0) == 1


def test_a_late_sweep_still_warns_on_the_target_date_itself(due_monday):
    assert sweep_at(2026, 3, 16, 9, 0) == 1
    assert swept().get().subject.startswith("今日到期")


def test_a_warning_is_stale_once_the_target_date_has_passed(due_monday):
    # Overdue cases go to staff in the digest instead.
    assert sweep_at(2026, 3, 17, 9, 0) == 0
    assert not events(due_monday, "warned")


def test_an_approved_extension_re_arms_the_warning(due_monday, assistant, staff_user):
    assert sweep_at(2026, 3, 12, 9, 0) == 1
    request = deadlines.request_extension(
        case=due_monday, assistant=assistant, extra_workdays=3, reason="等待银行审批"
    )
    deadlines.decide_extension(request=request, by=staff_user, approve=True)
    assert Case.objects.get(pk=due_monday.pk).target_date == date(2026, 3, 19)

    assert sweep_at(2026, 3, 13, 9, 0) == 0  # three working days before the new date
    assert sweep_at(2026, 3, 17, 9, 0) == 1
    assert key_for("case.warning", due_monday, date(2026, 3, 19), assistant.user) in keys()
    assert len(events(due_monday, "warned")) == 2


def test_a_lead_without_a_login_is_warned_in_the_timeline_only(opened, partner_a, staff_user):
    lead = factories.make_assistant(partner=partner_a)
    case = make_case_in_progress(lead=lead, by=staff_user)
    Case.objects.filter(pk=case.pk).update(target_date=date(2026, 3, 16))

    assert sweep_at(2026, 3, 12, 9, 0) == 0  # nobody told in an inbox
    assert len(events(case, "warned")) == 1
    assert not Delivery.objects.filter(notification__kind__in=SWEPT_KINDS).exists()
    assert sweep_at(2026, 3, 12, 9, 5) == 0
    assert len(events(case, "warned")) == 1


def test_new_and_resolved_cases_get_no_warning(opened, assistant, staff_user):
    unassigned = make_case()
    done = make_case_in_progress(lead=assistant, by=staff_user)
    workflow.resolve_case(case=done, outcome="resolved", assistant=assistant)
    Case.objects.filter(pk__in=[unassigned.pk, done.pk]).update(target_date=date(2026, 3, 16))

    assert sweep_at(2026, 3, 12, 9, 0) == 0
    assert not CaseEvent.objects.filter(kind="warned").exists()


# --- follow-up reminders ---------------------------------------------------------------------


@pytest.fixture
def follow_up(opened, assistant, staff_user):
    """The return visit of Bob's resolved case, due Thursday 12 March."""
    case = make_case_in_progress(lead=assistant, by=staff_user)
    workflow.resolve_case(case=case, outcome="resolved", assistant=assistant)
    follow_up = FollowUp.objects.get(case=case)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=date(2026, 3, 12))
    return follow_up


def test_the_lead_is_reminded_the_day_before_a_return_visit_is_due(follow_up, assistant):
    assert sweep_at(2026, 3, 10, 9, 0) == 0
    assert sweep_at(2026, 3, 11, 8, 0) == 1
    reminder = swept().get()
    assert key_of(reminder) == key_for("case.follow_up", follow_up, "", assistant.user)
    assert reminder.recipient == assistant.user
    assert "2026-03-12" in reminder.subject and follow_up.case.number in reminder.subject
    assert sweep_at(2026, 3, 11, 8, 5) == 0
    assert sweep_at(2026, 3, 12, 8, 0) == 0


def test_the_follow_up_reminder_days_come_from_the_setting(follow_up, settings):
    settings.CASE_FOLLOW_UP_REMINDER_DAYS = 3
    assert sweep_at(2026, 3, 8, 9, 0) == 0
    assert sweep_at(2026, 3, 9, 9, 0) == 1


def test_a_late_sweep_reminds_on_the_due_day_but_not_after_it(follow_up):
    assert sweep_at(2026, 3, 13, 9, 0) == 0  # overdue: the digest's business
    assert sweep_at(2026, 3, 12, 9, 0) == 1


def test_a_done_follow_up_gets_no_reminder(follow_up, assistant):
    workflow.record_follow_up(
        follow_up=follow_up, method="phone", satisfaction=5, still_solved=True, by=assistant
    )
    assert sweep_at(2026, 3, 11, 9, 0) == 0


# --- enterprise liaison ----------------------------------------------------------------------


def test_a_liaison_is_reminded_once_per_due_date_of_an_unvisited_enterprise(opened, assistant):
    link = make_liaison(assistant=assistant, visit_interval_days=30)
    EnterpriseLiaison.objects.filter(pk=link.pk).update(created_at=local(2026, 2, 1, 9, 0))

    assert sweep_at(2026, 3, 2, 9, 0) == 0  # due on 3 March
    assert sweep_at(2026, 3, 3, 9, 0) == 1
    reminder = swept().get()
    assert key_of(reminder) == key_for("case.liaison_visit", link, date(2026, 3, 3), assistant.user)
    assert reminder.recipient == assistant.user
    assert link.enterprise.name in reminder.subject
    assert sweep_at(2026, 3, 3, 9, 5) == 0
    assert sweep_at(2026, 3, 20, 9, 0) == 0  # still unvisited: told once for this due date

    # A visit on 21 March makes the next visit due on 20 April, which is told again.
    with time_machine.travel(local(2026, 3, 21, 15, 0), tick=False):
        visits.log_visit(
            assistant=assistant,
            kind="enterprise_visit",
            occurred_at=local(2026, 3, 21, 14, 0),
            duration_minutes=30,
            enterprise=link.enterprise,
        )
    assert sweep_at(2026, 4, 19, 9, 0) == 0
    assert sweep_at(2026, 4, 20, 9, 0) == 1
    assert key_for("case.liaison_visit", link, date(2026, 4, 20), assistant.user) in keys()


# --- the daily digest ------------------------------------------------------------------------


@pytest.fixture
def overdue(opened, assistant, second_assistant, staff_user):
    """Two open cases past their target date, one on time, and one return visit past due."""
    late = make_case_in_progress(lead=assistant, by=staff_user)
    later = make_assigned_case(lead=second_assistant, by=staff_user)
    on_time = make_case_in_progress(lead=assistant, by=staff_user)
    Case.objects.filter(pk=late.pk).update(target_date=date(2026, 3, 5))
    Case.objects.filter(pk=later.pk).update(target_date=date(2026, 3, 6))
    Case.objects.filter(pk=on_time.pk).update(target_date=date(2026, 3, 20))
    resolved = make_case_in_progress(lead=assistant, by=staff_user)
    workflow.resolve_case(case=resolved, outcome="resolved", assistant=assistant)
    FollowUp.objects.filter(case=resolved).update(due_on=date(2026, 3, 8))
    return {"cases": [late, later], "on_time": on_time, "visit": resolved}


def test_each_active_staff_member_gets_one_digest_a_day_listing_what_is_overdue(
    overdue, staff_user, second_staff
):
    make_user(username="idle", is_staff=True, is_active=False)
    assert digest_on(date(2026, 3, 9)) == 2
    digests = swept().filter(kind="case.digest").order_by("recipient__username")
    assert [d.recipient for d in digests] == [staff_user, second_staff]
    assert keys() == {
        key_for("case.digest", None, date(2026, 3, 9), staff_user),
        key_for("case.digest", None, date(2026, 3, 9), second_staff),
    }
    body = digests[1].body
    late, later = overdue["cases"]
    assert "2 cases" in digests[1].subject and "1 return visit" in digests[1].subject
    assert f"- {late.number} (2026-03-05)" in body
    assert f"- {later.number} (2026-03-06)" in body
    assert body.index(late.number) < body.index(later.number)  # most overdue first
    assert f"- {overdue['visit'].number} (2026-03-08)" in body
    assert overdue["on_time"].number not in body

    # Once a day: a second run writes nothing; the next day brings a new digest.
    assert digest_on(date(2026, 3, 9)) == 0
    assert digest_on(date(2026, 3, 10)) == 2
    assert swept().filter(kind="case.digest").count() == 4


def test_no_digest_when_nothing_is_overdue(opened, assistant, staff_user):
    on_time = make_case_in_progress(lead=assistant, by=staff_user)
    Case.objects.filter(pk=on_time.pk).update(target_date=date(2026, 3, 20))
    assert digest_on(date(2026, 3, 9)) == 0
    assert not swept().exists()


def test_the_digest_lists_the_first_numbers_and_counts_the_rest(overdue, monkeypatch):
    monkeypatch.setattr(sweeps, "DIGEST_LIST", 1)
    assert digest_on(date(2026, 3, 9)) == 1
    body = swept().get().body
    late, later = overdue["cases"]
    assert late.number in body and later.number not in body
    assert "……另有 1 件。" in body  # the recipient reads Chinese, the default


def test_closed_and_done_items_leave_the_digest(overdue, assistant, staff_user):
    late, later = overdue["cases"]
    workflow.resolve_case(case=late, outcome="resolved", assistant=assistant)
    workflow.record_follow_up(
        follow_up=FollowUp.objects.get(case=overdue["visit"]),
        method="visit",
        satisfaction=4,
        still_solved=True,
        by=assistant,
    )
    assert digest_on(date(2026, 3, 9)) == 1
    body = swept().get().body
    assert later.number in body and late.number not in body
    assert "return visit" not in body


# --- query counts ----------------------------------------------------------------------------


# transactional_db: outside a test transaction, atomic blocks are BEGIN/COMMIT, not SAVEPOINT
# queries, so the count is the one production sees.
def test_a_quiet_sweep_runs_the_same_queries_whatever_the_table_size(
    transactional_db, assistant, staff_user
):
    item = factories.make_service_item()
    resident = factories.make_resident()
    street = factories.make_street()

    def add(first: int, count: int):
        """Per n: a case due and told, one not due, a follow-up due and told, a liaison due."""
        cases = []
        for n in range(first, first + count):
            common = {
                "title": f"诉求{n}",
                "service_item": item,
                "resident": resident,
                "source": "hotline",
                "lead": assistant,
                "assigned_at": local(2026, 3, 1, 9, 0),
            }
            cases += [
                # past its accept-by time: escalated by the first sweep
                Case(number=f"S-{n}-a", state="assigned", accept_by=local(2026, 3, 2, 9), **common),
                # in the warning window: warned by the first sweep
                Case(
                    number=f"S-{n}-w", state="in_progress", target_date=date(2026, 3, 13), **common
                ),
                # far from its target date
                Case(
                    number=f"S-{n}-f", state="in_progress", target_date=date(2026, 6, 1), **common
                ),
                Case(number=f"S-{n}-r", state="resolved", outcome="resolved", **common),
            ]
        Case.objects.bulk_create(cases)
        resolved = Case.objects.filter(number__startswith="S-", state="resolved")
        FollowUp.objects.bulk_create(
            FollowUp(case=case, due_on=date(2026, 3, 12))
            for case in resolved.filter(follow_ups=None)
        )
        enterprises = Enterprise.objects.bulk_create(
            Enterprise(
                name=f"企业S{n}", credit_code=factories.make_credit_code(800_000 + n), street=street
            )
            for n in range(first, first + count)
        )
        EnterpriseLiaison.objects.bulk_create(
            EnterpriseLiaison(enterprise=enterprise, assistant=assistant)
            for enterprise in enterprises
        )
        EnterpriseLiaison.objects.update(created_at=local(2026, 1, 1, 9))
        assert sweep_at(2026, 3, 11, 9, 0) > 0

    def queries_of_a_quiet_sweep() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert sweep_at(2026, 3, 11, 9, 5) == 0
        return [q["sql"] for q in captured.captured_queries]

    add(0, 3)
    small = queries_of_a_quiet_sweep()
    add(3, 120)
    large = queries_of_a_quiet_sweep()

    # 1. assigned cases past accept-by without an escalation since their assignment;
    # 2. the calendar overrides for the warning window; 3. led open cases due within two
    # working days, not yet warned; 4. open follow-ups due by tomorrow, not yet reminded;
    # 5. liaisons due a visit, not yet reminded for that due date.
    assert len(small) == len(large) == 5
    assert swept().filter(kind="case.warning").count() == 123
    assert swept().filter(kind="case.follow_up").count() == 123
    assert swept().filter(kind="case.liaison_visit").count() == 123
    assert CaseEvent.objects.filter(kind="escalated").count() == 123
    # Range filters on indexed columns: accept-by, target date, due date.
    assert '"accept_by" <=' in large[0]
    assert '"target_date" >=' in large[2] and '"target_date" <=' in large[2]
    assert '"due_on" >=' in large[3] and '"due_on" <=' in large[3]


def test_before_the_reminder_hour_the_sweep_only_looks_for_unaccepted_cases(transactional_db):
    with CaptureQueriesContext(connection) as captured:
        sweep_at(2026, 3, 11, 6, 0)
    assert len(captured.captured_queries) == 1


def test_the_digest_runs_the_same_queries_whatever_the_number_of_overdue_cases(
    transactional_db, assistant, staff_user
):
    item = factories.make_service_item()
    resident = factories.make_resident()

    def add(first: int, count: int):
        Case.objects.bulk_create(
            Case(
                number=f"D-{n}",
                title=f"诉求{n}",
                service_item=item,
                resident=resident,
                source="hotline",
                state="in_progress",
                lead=assistant,
                target_date=date(2026, 3, 1) + timedelta(days=n % 5),
            )
            for n in range(first, first + count)
        )

    def queries_of_a_digest(day: date) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert digest_on(day) == 1
        return [q["sql"] for q in captured.captured_queries]

    add(0, 3)
    small = queries_of_a_digest(date(2026, 3, 9))
    add(3, 200)
    large = queries_of_a_digest(date(2026, 3, 10))
    # 1. count of overdue cases; 2. count of overdue follow-ups; 3. the first cases; 4. the
    # first follow-ups; 5. district staff; then the digests in notify_many(): 6. BEGIN; 7. the
    # insert that skips duplicates; 8. the rows it wrote, read back; 9. COMMIT. Alice has no
    # e-mail address and her inbox is the row itself: no delivery is written.
    assert len(small) == len(large) == 9
    assert large[5].startswith("BEGIN") and large[-1] == "COMMIT"  # BEGIN IMMEDIATE on SQLite
    assert '"target_date" <' in large[0] and '"due_on" <' in large[1]
    assert "诉求 203 件" in swept().get(kind="case.digest", occasion="2026-03-10").subject


# --- tasks -----------------------------------------------------------------------------------


def test_the_tasks_run_the_sweep_and_the_digest(overdue, staff_user):
    from cases.tasks import send_daily_digest, sweep_case_reminders

    with time_machine.travel(local(2026, 3, 10, 10, 0), tick=False):
        # Alice hears about the second case, still not accepted at its accept-by time.
        assert sweep_case_reminders() == 1
        assert send_daily_digest() == 1
        assert send_daily_digest() == 0
