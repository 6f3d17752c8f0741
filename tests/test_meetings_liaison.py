"""Council meetings raise cases that can be followed to the return visit; liaisons due a visit."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from cases import meetings, visits, workflow
from cases.liaison import enterprises_due_for_visit
from cases.models import EnterpriseLiaison
from tests import factories
from tests.factories.visits import make_liaison

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday in an ordinary working week, mid-morning in the district.
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def visit(assistant, enterprise, when):
    return visits.log_visit(
        assistant=assistant,
        kind="enterprise_visit",
        occurred_at=when,
        duration_minutes=45,
        enterprise=enterprise,
    )[0]


def set_up_long_ago(link, days=90):
    EnterpriseLiaison.objects.filter(pk=link.pk).update(created_at=NOW - timedelta(days=days))


# --- council meetings ------------------------------------------------------------------------


def test_a_meeting_is_recorded_with_the_institutions_and_assistants_present(
    db, assistant, partner_a, partner_b
):
    meeting = meetings.record_council_meeting(
        title="凤凰社区议事厅：拆迁安置问题",
        held_on=date(2026, 6, 8),
        place="凤凰社区党群服务中心",
        participants="居民代表12人、社区书记",
        institutions=[partner_a, partner_b],
        assistants=[assistant],
    )
    assert set(meeting.institutions.all()) == {partner_a, partner_b}
    assert list(meeting.assistants.all()) == [assistant]


def test_a_meeting_without_a_place_is_refused(db):
    with pytest.raises(ValidationError) as error:
        meetings.record_council_meeting(title="议事厅", held_on=date(2026, 6, 8), place="")
    assert "place" in error.value.message_dict


def test_a_problem_raised_at_a_one_enterprise_meeting_becomes_a_linked_case(db, staff_user):
    enterprise = factories.make_enterprise(name="福州海峡科技有限公司")
    point = factories.make_service_point()
    meeting = meetings.record_council_meeting(
        title="一企一议",
        held_on=date(2026, 6, 8),
        place="企业会议室",
        enterprise=enterprise,
        service_point=point,
    )
    case = meetings.raise_case_from_meeting(
        meeting=meeting,
        title="股权融资咨询",
        service_item=factories.make_service_item(specialty="finance"),
        by=staff_user,
    )
    assert case.source == "council_meeting"
    assert case.council_meeting == meeting
    assert case.enterprise == enterprise  # the meeting's enterprise is the requester
    assert case.service_point == point
    assert list(meeting.cases.all()) == [case]
    assert case.events.get().kind == "created"


def test_a_problem_from_a_community_meeting_needs_its_requester(db):
    meeting = meetings.record_council_meeting(
        title="社区议事厅", held_on=date(2026, 6, 8), place="社区"
    )
    with pytest.raises(ValidationError):
        meetings.raise_case_from_meeting(
            meeting=meeting, title="租赁纠纷", service_item=factories.make_service_item()
        )
    assert not meeting.cases.exists()


def test_the_chain_from_meeting_to_return_visit_can_be_followed(db, staff_user, assistant):
    """提出问题—共商共议—解决问题—跟踪回访, including a return visit that reopens the case."""
    resident = factories.make_resident(name="王阿姨")
    meeting = meetings.record_council_meeting(
        title="征收项目议事厅", held_on=date(2026, 6, 1), place="征收指挥部"
    )
    case = meetings.raise_case_from_meeting(
        meeting=meeting,
        title="安置房租赁纠纷",
        service_item=factories.make_service_item(),
        resident=resident,
        by=staff_user,
    )
    workflow.assign_case(case=case, lead=assistant, by=staff_user)
    workflow.accept_case(case=case, assistant=assistant)
    visits.log_visit(
        assistant=assistant,
        kind="mediation",
        occurred_at=at(date(2026, 6, 2)),
        duration_minutes=60,
        resident=resident,
        case=case,
        notes="上门调解",
    )
    workflow.resolve_case(case=case, outcome="resolved", assistant=assistant)
    follow_up = case.follow_ups.get()
    workflow.record_follow_up(
        follow_up=follow_up, method="phone", satisfaction=2, still_solved=False, by=assistant
    )
    workflow.resolve_case(case=case, outcome="resolved", assistant=assistant)
    workflow.record_follow_up(
        follow_up=case.follow_ups.get(done_at__isnull=True),
        method="visit",
        satisfaction=5,
        still_solved=True,
        by=assistant,
    )
    workflow.close_case(case=case, by=staff_user)

    chained = meeting.cases.get()
    assert chained.state == "closed"
    kinds = list(chained.events.values_list("kind", flat=True))
    assert kinds == [
        "created",
        "assigned",
        "accepted",
        "visit",
        "transition",  # resolved
        "follow_up",
        "reopened",
        "transition",  # resolved again
        "follow_up",
        "transition",  # closed
    ]
    assert chained.follow_ups.filter(still_solved=False).count() == 1
    assert chained.visits.get().notes == "上门调解"


# --- enterprise liaison ----------------------------------------------------------------------


def due_pairs():
    return {
        (link.enterprise.name, link.assistant.name)
        for link in enterprises_due_for_visit(today=TODAY)
    }


def test_an_enterprise_is_due_when_its_liaison_has_not_visited_within_the_interval(
    db, frozen, assistant
):
    overdue = make_liaison(
        assistant=assistant, enterprise=factories.make_enterprise(name="久未走访公司")
    )
    recent = make_liaison(
        assistant=assistant, enterprise=factories.make_enterprise(name="近期走访公司")
    )
    set_up_long_ago(overdue)
    set_up_long_ago(recent)
    visit(assistant, overdue.enterprise, at(TODAY - timedelta(days=31)))
    visit(assistant, recent.enterprise, at(TODAY - timedelta(days=10)))
    assert due_pairs() == {("久未走访公司", assistant.name)}


def test_the_due_day_is_the_last_visit_day_plus_the_interval_in_district_time(
    db, time_machine, assistant
):
    link = make_liaison(assistant=assistant, visit_interval_days=30)
    set_up_long_ago(link)
    # Late in the evening in Fuzhou is already the next day in UTC's terms of "yesterday".
    visit(assistant, link.enterprise, datetime(2026, 5, 11, 23, 30, tzinfo=SHANGHAI))
    time_machine.move_to(NOW, tick=False)
    assert not enterprises_due_for_visit(today=date(2026, 6, 9)).exists()
    assert list(enterprises_due_for_visit(today=date(2026, 6, 10))) == [link]


def test_a_visit_by_someone_else_does_not_count_for_the_liaison(
    db, frozen, assistant, second_assistant
):
    link = make_liaison(assistant=assistant)
    set_up_long_ago(link)
    visit(second_assistant, link.enterprise, at(TODAY - timedelta(days=2)))
    due = list(enterprises_due_for_visit(today=TODAY))
    assert due == [link]
    assert due[0].last_visit_at is None


def test_a_new_liaison_counts_its_interval_from_the_day_it_was_set_up(db, frozen, assistant):
    fresh = make_liaison(assistant=assistant, visit_interval_days=30)
    old = make_liaison(assistant=assistant, visit_interval_days=30)
    EnterpriseLiaison.objects.filter(pk=fresh.pk).update(created_at=NOW - timedelta(days=29))
    EnterpriseLiaison.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=30))
    assert list(enterprises_due_for_visit(today=TODAY)) == [old]


def test_inactive_links_and_withdrawn_assistants_are_not_reminded(db, frozen, assistant):
    paused = make_liaison(assistant=assistant, active=False)
    withdrawn = factories.make_assistant(status="withdrawn")
    gone = make_liaison(assistant=withdrawn)
    set_up_long_ago(paused)
    set_up_long_ago(gone)
    assert not enterprises_due_for_visit(today=TODAY).exists()


def test_each_liaison_uses_its_own_interval(db, frozen, assistant):
    weekly = make_liaison(assistant=assistant, visit_interval_days=7)
    monthly = make_liaison(assistant=assistant, visit_interval_days=30)
    for link in (weekly, monthly):
        set_up_long_ago(link)
        visit(assistant, link.enterprise, at(TODAY - timedelta(days=8)))
    assert list(enterprises_due_for_visit(today=TODAY)) == [weekly]


def test_the_due_list_is_one_query_whatever_its_length(
    db, frozen, assistant, django_assert_num_queries
):
    for _ in range(12):
        link = make_liaison(assistant=factories.make_assistant())
        set_up_long_ago(link)
        visit(link.assistant, link.enterprise, at(TODAY - timedelta(days=40)))
    # One SELECT: liaisons joined to enterprise, assistant, partner and login, with the last
    # visit as a correlated subquery; reading the names costs nothing more.
    with django_assert_num_queries(1):
        rows = [
            (link.enterprise.name, str(link.assistant), link.assistant.user, link.last_visit_at)
            for link in enterprises_due_for_visit(today=TODAY)
        ]
    assert len(rows) == 12
