"""The staff workspace: its queues list what waits and nothing else, for staff and for a street
coordinator; its actions go through the services and write the timeline; a stale form changes
nothing; counts and pages run a bounded number of queries."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assistants.choices import ShiftEventKind
from assistants.models import ShiftEvent, SwapRequest, Unavailability
from cases import deadlines, referrals, workflow
from cases.choices import CaseEventKind
from cases.models import Case, CaseEvent, ExtensionRequest, FollowUp
from steering import queues
from steering.queues import QUEUES, QueueCount
from steering.workspace import version_of
from talentoffice import roles
from tests import factories
from tests.factories.assign import make_assigned_case, make_case, make_case_in_progress
from tests.factories.roles import make_login
from tests.factories.shifts import dispatch_all, make_leave, make_shift, make_swap

NOW = timezone.make_aware(datetime(2026, 7, 15, 10, 0))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@dataclass
class Street:
    street: object
    point: object
    lead: object
    colleague: object
    rows: dict


def build_street(name, staff):
    """One record in each queue on this street, and one case in no queue."""
    street = factories.make_street(name=name)
    point = factories.make_service_point(street=street, name=f"{name}服务点")
    partner = factories.make_partner(sector="legal", kind="law_firm", name=f"{name}律所")
    lead = factories.make_assistant(partner=partner, name=f"{name}甲")
    colleague = factories.make_assistant(partner=partner, name=f"{name}乙")
    dispatch_all(point, lead, colleague)
    item = factories.make_service_item(specialty="legal", target_days=10)

    def case(**fields):
        return {"service_item": item, "service_point": point} | fields

    rows = {}
    rows["new"] = make_case(**case(title=f"{name}新诉求"))
    returned = make_assigned_case(lead=lead, by=staff, **case())
    rows["returned"] = workflow.return_case(case=returned, assistant=lead, reason="不是我的专长")
    escalated = make_assigned_case(lead=lead, by=staff, **case())
    Case.objects.filter(pk=escalated.pk).update(accept_by=NOW - timedelta(hours=1))
    rows["escalated"] = escalated
    late = make_case_in_progress(lead=lead, by=staff, **case())
    Case.objects.filter(pk=late.pk).update(target_date=TODAY - timedelta(days=1))
    rows["deadlines"] = late
    supervised = make_case_in_progress(lead=lead, by=staff, **case())
    rows["supervised"] = deadlines.supervise_case(case=supervised, by=staff, note="请加快办理")
    make_case_in_progress(lead=lead, by=staff, **case())  # on time: in no queue
    extended = make_case_in_progress(lead=lead, by=staff, **case())
    rows["extensions"] = deadlines.request_extension(
        case=extended, assistant=lead, extra_workdays=5, reason="等待材料"
    )
    referred = make_case_in_progress(lead=lead, by=staff, **case())
    rows["referrals"] = referrals.refer_case(
        case=referred, by=staff, reason="属人社部门职责", to_department="区人社局"
    )
    resolved = workflow.resolve_case(
        case=make_case_in_progress(lead=lead, by=staff, **case()), outcome="resolved", by=staff
    )
    follow_up = FollowUp.objects.get(case=resolved)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=TODAY - timedelta(days=1))
    rows["follow-ups"] = follow_up
    rows["leave"] = make_leave(
        assistant=lead,
        status="requested",
        starts_on=TODAY + timedelta(days=3),
        ends_on=TODAY + timedelta(days=3),
    )
    lead_shift = make_shift(
        service_point=point, assistant=lead, specialty="legal", date=TODAY + timedelta(days=3)
    )
    given = make_shift(
        service_point=point, assistant=lead, specialty="legal", date=TODAY + timedelta(days=5)
    )
    rows["swaps"] = make_swap(shift=given, status="accepted", accepted_by=colleague)
    rows["open-shifts"] = make_shift(
        service_point=point, specialty="legal", date=TODAY + timedelta(days=4)
    )
    rows["far-check-ins"] = make_shift(
        service_point=point,
        assistant=lead,
        specialty="legal",
        date=TODAY - timedelta(days=1),
        status="completed",
        check_in_far=True,
        check_in_distance_m=2300,
    )
    rows["missed"] = make_shift(
        service_point=point,
        assistant=colleague,
        specialty="legal",
        date=TODAY - timedelta(days=2),
        status="missed",
    )
    rows["lead_shift"] = lead_shift
    return Street(street, point, lead, colleague, rows)


@pytest.fixture
def district(staff_user):
    return build_street("东街", staff_user), build_street("西街", staff_user)


@pytest.fixture
def coordinator(district):
    east, _west = district
    return make_login("erin", roles.STREET_COORDINATOR, street=east.street)


@pytest.fixture
def viewer(db):
    return make_login("victor", roles.READ_ONLY_VIEWER)


def shown(client, key):
    response = client.get(reverse("steering:queue", args=[key]))
    assert response.status_code == 200
    return {row.record.pk for row in response.context["rows"]}


def test_staff_land_on_the_workspace_with_every_queue_counted(client, staff_user, district):
    client.force_login(staff_user)
    response = client.get(reverse("steering:workspace"))
    assert response.status_code == 200
    counts = {
        item.queue.key: item.count for _group, items in response.context["groups"] for item in items
    }
    assert counts == dict.fromkeys(QUEUES, 2)
    assert 'href="/staff/queues/new/"' in response.text
    assert reverse("steering:search") in response.text


def test_each_queue_lists_what_waits_and_nothing_else_for_staff(client, staff_user, district):
    client.force_login(staff_user)
    for key in QUEUES:
        expected = {street.rows[key].pk for street in district}
        assert shown(client, key) == expected, key


def test_a_street_coordinator_sees_their_streets_queues_only(client, coordinator, district):
    east, _west = district
    client.force_login(coordinator)
    counts = {
        item.queue.key: item.count
        for _group, items in client.get(reverse("steering:workspace")).context["groups"]
        for item in items
    }
    assert counts == dict.fromkeys(QUEUES, 1)
    for key in QUEUES:
        assert shown(client, key) == {east.rows[key].pk}, key


def test_a_street_coordinator_sees_no_action_buttons_and_may_not_act(client, coordinator, district):
    east, _west = district
    client.force_login(coordinator)
    page = client.get(reverse("steering:queue", args=["new"]))
    assert page.context["can_act"] is False
    assert "queue_action" not in page.text and "/act/" not in page.text
    case = east.rows["new"]
    response = client.post(
        reverse("steering:queue_action", args=["new"]),
        {
            "pk": case.pk,
            "version": version_of(case),
            "action": "assign",
            "assistant": east.lead.pk,
        },
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == "new"


def test_a_read_only_viewer_sees_every_queue_but_cannot_decide_leave(client, viewer, district):
    east, _west = district
    client.force_login(viewer)
    assert len(shown(client, "leave")) == 2
    leave = east.rows["leave"]
    response = client.post(
        reverse("steering:queue_action", args=["leave"]),
        {"pk": leave.pk, "version": version_of(leave), "action": "approve"},
    )
    assert response.status_code == 403
    leave.refresh_from_db()
    assert leave.status == "requested"


def act(client, key, record, **fields):
    record.refresh_from_db()
    return client.post(
        reverse("steering:queue_action", args=[key]),
        {"pk": record.pk, "version": version_of(record)} | fields,
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_staff_assign_a_new_case_from_its_suggestions_in_one_step(client, staff_user, district):
    east, _west = district
    client.force_login(staff_user)
    page = client.get(reverse("steering:queue", args=["new"]))
    row = next(row for row in page.context["rows"] if row.record.pk == east.rows["new"].pk)
    suggested = row.choices[0].assistant
    assert suggested in (east.lead, east.colleague)

    response = act(client, "new", east.rows["new"], action="assign", assistant=suggested.pk)

    case = Case.objects.get(pk=east.rows["new"].pk)
    assert (case.state, case.lead) == ("assigned", suggested)
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.actor, event.assistant) == (
        CaseEventKind.ASSIGNED,
        staff_user,
        suggested,
    )
    assert messages_of(response) == [f"案件{case.number}已分派给{suggested.name}。"]
    assert case.pk not in {row.record.pk for row in response.context["rows"]}


def test_a_case_assigned_by_someone_else_since_the_page_was_shown_is_not_overwritten(
    client, staff_user, district
):
    east, _west = district
    case = east.rows["new"]
    shown_version = version_of(case)
    workflow.assign_case(case=case, lead=east.colleague, by=staff_user)  # a colleague was faster

    client.force_login(staff_user)
    response = client.post(
        reverse("steering:queue_action", args=["new"]),
        {"pk": case.pk, "version": shown_version, "action": "assign", "assistant": east.lead.pk},
        follow=True,
    )

    case.refresh_from_db()
    assert case.lead == east.colleague
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNED).count() == 1
    [message] = messages_of(response)
    assert "已被他人改动" in message and f"已分派，负责人{east.colleague.name}" in message


def test_staff_reassign_a_case_not_accepted_in_time(client, staff_user, district):
    east, _west = district
    client.force_login(staff_user)
    act(
        client,
        "escalated",
        east.rows["escalated"],
        action="reassign",
        assistant=east.colleague.pk,
        reason="未按时签收",
    )
    case = Case.objects.get(pk=east.rows["escalated"].pk)
    assert case.lead == east.colleague
    assert CaseEvent.objects.filter(
        case=case, kind=CaseEventKind.REASSIGNED, actor=staff_user
    ).exists()


def test_staff_supervise_a_late_case_and_lift_a_supervision(client, staff_user, district):
    east, _west = district
    client.force_login(staff_user)
    act(client, "deadlines", east.rows["deadlines"], action="supervise", reason="今日内办结")
    late = Case.objects.get(pk=east.rows["deadlines"].pk)
    assert late.supervised and late.supervision_note == "今日内办结"
    assert CaseEvent.objects.filter(case=late, kind=CaseEventKind.SUPERVISED).exists()

    act(client, "supervised", east.rows["supervised"], action="unsupervise")
    lifted = Case.objects.get(pk=east.rows["supervised"].pk)
    assert not lifted.supervised
    assert CaseEvent.objects.filter(case=lifted, kind=CaseEventKind.SUPERVISION_LIFTED).exists()


def test_a_supervision_without_a_note_is_refused_with_the_services_reason(
    client, staff_user, district
):
    east, _west = district
    client.force_login(staff_user)
    response = act(client, "deadlines", east.rows["deadlines"], action="supervise", reason=" ")
    assert not Case.objects.get(pk=east.rows["deadlines"].pk).supervised
    assert len(messages_of(response)) == 1


def test_staff_approve_an_extension_and_the_target_date_moves(client, staff_user, district):
    east, _west = district
    request = east.rows["extensions"]
    before = request.case.target_date
    client.force_login(staff_user)
    act(client, "extensions", request, action="approve")
    request.refresh_from_db()
    assert request.status == "accepted"
    case = Case.objects.get(pk=request.case_id)
    assert case.target_date > before
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.EXTENSION_DECIDED).exists()


def test_staff_refuse_a_referral_with_a_reason(client, staff_user, district):
    east, _west = district
    client.force_login(staff_user)
    act(client, "referrals", east.rows["referrals"], action="reject", reason="仍属本专长")
    referral = east.rows["referrals"]
    referral.refresh_from_db()
    assert referral.status == "rejected"
    assert CaseEvent.objects.filter(
        case_id=referral.case_id, kind=CaseEventKind.REFERRAL_DECIDED
    ).exists()


def test_staff_approve_leave_and_the_assistants_shift_opens(client, staff_user, district):
    east, _west = district
    client.force_login(staff_user)
    response = act(client, "leave", east.rows["leave"], action="approve")
    assert Unavailability.objects.get(pk=east.rows["leave"].pk).status == "approved"
    shift = east.rows["lead_shift"]
    shift.refresh_from_db()
    assert shift.assistant is None
    assert ShiftEvent.objects.filter(shift=shift, kind=ShiftEventKind.OPENED_BY_LEAVE).exists()
    assert messages_of(response) == [f"{east.lead.name}的请假已批准，其1个班次重新开放。"]


def test_staff_approve_a_swap_and_the_colleague_takes_the_shift(client, staff_user, district):
    east, _west = district
    client.force_login(staff_user)
    act(client, "swaps", east.rows["swaps"], action="approve")
    swap = SwapRequest.objects.get(pk=east.rows["swaps"].pk)
    assert swap.status == "approved"
    assert swap.shift.assistant == east.colleague
    assert ShiftEvent.objects.filter(shift=swap.shift, kind=ShiftEventKind.SWAP_APPROVED).exists()


def test_staff_put_a_suitable_colleague_on_an_open_shift(client, staff_user, district):
    east, _west = district
    client.force_login(staff_user)
    page = client.get(reverse("steering:queue", args=["open-shifts"]))
    row = next(r for r in page.context["rows"] if r.record.pk == east.rows["open-shifts"].pk)
    colleague = row.choices[0]
    act(client, "open-shifts", east.rows["open-shifts"], action="assign", assistant=colleague.pk)
    shift = east.rows["open-shifts"]
    shift.refresh_from_db()
    assert shift.assistant == colleague
    assert ShiftEvent.objects.filter(
        shift=shift, kind=ShiftEventKind.ASSIGNED, actor=staff_user
    ).exists()


def test_a_leave_decided_since_the_page_was_shown_is_not_decided_again(
    client, staff_user, district
):
    east, _west = district
    leave = east.rows["leave"]
    shown_version = version_of(leave)
    Unavailability.objects.filter(pk=leave.pk).update(status="rejected", updated_at=NOW)
    client.force_login(staff_user)
    response = client.post(
        reverse("steering:queue_action", args=["leave"]),
        {"pk": leave.pk, "version": shown_version, "action": "approve"},
        follow=True,
    )
    leave.refresh_from_db()
    assert leave.status == "rejected"
    assert "已被他人改动" in messages_of(response)[0]


def test_the_workspace_counts_stop_at_the_cap(client, staff_user, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    item = factories.make_service_item()
    for _ in range(5):
        make_case(service_item=item)
    client.force_login(staff_user)
    response = client.get(reverse("steering:workspace"))
    [new] = [i for _g, items in response.context["groups"] for i in items if i.queue.key == "new"]
    assert (new.count, new.shown) == (3, "2+")
    monkeypatch.undo()
    assert QueueCount(QUEUES["new"], 100).shown == "99+"
    assert QueueCount(QUEUES["new"], 7).shown == "7"


def test_the_workspace_runs_one_query_per_queue(
    client, staff_user, district, django_assert_num_queries
):
    client.force_login(staff_user)
    # session, user, then one bounded count per queue, then the calendar's year states
    with django_assert_num_queries(2 + len(QUEUES) + 1):
        client.get(reverse("steering:workspace"))


@pytest.mark.parametrize("key", list(QUEUES))
def test_each_queue_page_runs_a_bounded_number_of_queries(
    client, staff_user, district, key, django_assert_max_num_queries
):
    client.force_login(staff_user)
    rows = len(shown(client, key))
    # session, user, the rows with their related records, the working-day calendar (the
    # deadline queue's warning days), the service items of the item select on queues of cases,
    # then either the four queries of the whole page's ranked suggestions or, on the open
    # shifts, one query of suitable colleagues per row.
    with django_assert_max_num_queries(5 + max(4, rows)):
        client.get(reverse("steering:queue", args=[key]))


def fill_queue(key, count, staff):
    """`count` cases in one of the queues that rank suggestions, among four legal assistants."""
    street = factories.make_street(name="南街")
    point = factories.make_service_point(street=street, name="南街服务点")
    partner = factories.make_partner(sector="legal", kind="law_firm", name="南街律所")
    team = [factories.make_assistant(partner=partner, name=f"南街{n}") for n in range(4)]
    dispatch_all(point, *team[:2])
    make_shift(service_point=point, assistant=team[2], specialty="legal", date=TODAY)
    item = factories.make_service_item(specialty="legal", target_days=10)
    for number in range(count):
        fields = {"service_item": item, "service_point": point, "title": f"南街诉求{number}"}
        if key == "new":
            make_case(**fields)
            continue
        case = make_assigned_case(lead=team[number % 4], by=staff, **fields)
        if key == "returned":
            workflow.return_case(case=case, assistant=case.lead, reason="不是我的专长")
        else:
            Case.objects.filter(pk=case.pk).update(accept_by=NOW - timedelta(hours=1))


@pytest.mark.parametrize("key", ["new", "returned", "escalated"])
@pytest.mark.parametrize("count", [1, 10])
def test_a_queue_with_suggestions_runs_as_many_queries_for_ten_rows_as_for_one(
    client, staff_user, key, count, django_assert_num_queries
):
    fill_queue(key, count, staff_user)
    client.force_login(staff_user)
    # session, user, the page's cases with their item, point and lead, the service items of the
    # item select, then the suggestions of the whole page: the assistants with their open load,
    # their skill tags, their shifts and their dispatches at the page's points.
    with django_assert_num_queries(8):
        response = client.get(reverse("steering:queue", args=[key]))

    assert len(response.context["rows"]) == count
    assert all(len(row.choices) == 3 for row in response.context["rows"])


@pytest.mark.parametrize("key", ["new", "deadlines", "extensions"])
def test_a_queue_of_cases_narrows_to_one_service_item(client, staff_user, district, key):
    east, west = district
    client.force_login(staff_user)
    item = east.rows[key].service_item if key != "extensions" else east.rows[key].case.service_item

    response = client.get(reverse("steering:queue", args=[key]), {"item": item.pk})

    assert {row.record.pk for row in response.context["rows"]} == {east.rows[key].pk}
    assert shown(client, key) == {east.rows[key].pk, west.rows[key].pk}
    assert 'data-testid="item-filter"' in response.content.decode()


def test_a_queue_of_shifts_offers_no_item_select(client, staff_user, district):
    client.force_login(staff_user)
    response = client.get(reverse("steering:queue", args=["open-shifts"]))
    assert response.context["item_form"] is None


def test_an_unknown_queue_is_not_found(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/staff/queues/nothing/").status_code == 404


def test_the_workspace_needs_a_staff_login(client, assistant):
    response = client.get(reverse("steering:workspace"))
    assert response.status_code == 302
    client.force_login(assistant.user)
    assert client.get(reverse("steering:workspace")).status_code == 302


def test_extension_requests_are_kept_from_assistants_and_partner_managers(district):
    assert ExtensionRequest.objects.count() == 2
    assert not ExtensionRequest.objects.visible_to(make_login("zed", roles.ASSISTANT)).exists()
    assert not ExtensionRequest.objects.visible_to(
        make_login("pam", roles.PARTNER_MANAGER)
    ).exists()
