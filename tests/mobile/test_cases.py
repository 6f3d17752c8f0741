"""Cases on the phone: my list and its filters, the allowed steps only, stale steps, follow-up."""

import re
from datetime import date

import pytest
from django.core.cache import cache

from cases import workflow
from cases.models import Case, CaseEvent, FollowUp, PersonalDataAccess, Resident
from tests import factories
from tests.factories.visits import make_assigned_case, make_case, make_case_in_progress


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_my_cases_lists_the_cases_i_lead_or_help_with(bob, assistant, second_assistant):
    led = make_case_in_progress(lead=assistant, title="楼道漏水纠纷")
    helped = make_case_in_progress(lead=second_assistant, title="创业贷款咨询")
    helped.helpers.add(assistant)
    other = make_case_in_progress(lead=second_assistant, title="别人的案件")
    page = bob.get("/m/cases/").content.decode()
    assert f'data-case-id="{led.pk}"' in page
    assert f'data-case-id="{helped.pk}"' in page
    assert f'data-case-id="{other.pk}"' not in page


def test_cases_led_and_helped_with_page_together_soonest_due_first(
    bob, assistant, second_assistant, monkeypatch
):
    # The two kinds are read apart and merged (mobile.scopes.first_cases): the order
    # and the pages must be those of one list. Two cases a page, so every page crosses the merge.
    monkeypatch.setattr("mobile.views.cases.CASES_PER_PAGE", 2)
    due = {}
    for day, lead in [(10, assistant), (5, second_assistant), (20, assistant), (None, assistant)]:
        case = make_case_in_progress(lead=lead)
        Case.objects.filter(pk=case.pk).update(target_date=day and date(2026, 3, day))
        if lead != assistant:
            case.helpers.add(assistant)
        due[day] = case.pk
    helped_undated = make_case_in_progress(lead=second_assistant)
    Case.objects.filter(pk=helped_undated.pk).update(target_date=None)
    helped_undated.helpers.add(assistant)

    def listed(page):
        return [
            int(pk)
            for pk in re.findall(r'data-case-id="(\d+)"', bob.get(f"/m/cases/?page={page}").text)
        ]

    # Soonest due first, no date last, newest first among equals.
    assert listed(1) == [due[5], due[10]]
    assert listed(2) == [due[20], helped_undated.pk]
    assert listed(3) == [due[None]]
    assert listed(4) == []
    assert 'data-testid="pager-next"' not in bob.get("/m/cases/?page=3").text
    assert 'data-testid="pager-next"' in bob.get("/m/cases/?page=2").text


@pytest.mark.parametrize("page", ["99999999999999999999", "abc", "-3", "0"])
def test_a_page_number_out_of_range_or_not_a_number_still_answers(bob, assistant, page):
    case = make_case_in_progress(lead=assistant)
    response = bob.get(f"/m/cases/?page={page}")
    assert response.status_code == 200
    # A number that is not a page shows the first; one past the end shows none, with a way back.
    assert (f'data-case-id="{case.pk}"' in response.text) is (page != "99999999999999999999")


def test_the_case_list_filters_by_state_and_due_date(bob, assistant, time_machine):
    overdue = make_case_in_progress(lead=assistant)
    Case.objects.filter(pk=overdue.pk).update(target_date=date(2026, 3, 1))
    later = make_case_in_progress(lead=assistant)
    Case.objects.filter(pk=later.pk).update(target_date=date(2026, 4, 30))
    resolved = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="resolved")

    page = bob.get("/m/cases/?due=overdue").content.decode()
    assert f'data-case-id="{overdue.pk}"' in page
    assert f'data-case-id="{later.pk}"' not in page

    page = bob.get("/m/cases/?state=resolved").content.decode()
    assert f'data-case-id="{resolved.pk}"' in page
    assert f'data-case-id="{overdue.pk}"' not in page

    page = bob.get("/m/cases/").content.decode()  # open ones by default
    assert f'data-case-id="{resolved.pk}"' not in page


def test_the_case_page_offers_only_the_steps_the_workflow_allows(bob, assistant):
    case = make_assigned_case(lead=assistant)
    page = bob.get(f"/m/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-action-accept"' in page
    assert 'data-testid="case-action-return"' in page
    assert 'data-testid="case-action-resolve"' not in page
    assert 'data-testid="case-action-close"' not in page


def test_a_helper_adds_notes_but_does_not_move_the_case(bob, assistant, second_assistant):
    case = make_case_in_progress(lead=second_assistant)
    case.helpers.add(assistant)
    page = bob.get(f"/m/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-action-resolve"' not in page
    assert 'data-testid="case-action-note"' in page
    response = bob.post(
        f"/m/cases/{case.pk}/action/",
        {"action": "resolve", "state": "in_progress", "outcome": "resolved"},
    )
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).state == "in_progress"


def test_the_lead_accepts_then_resolves_the_case(bob, assistant):
    case = make_assigned_case(lead=assistant)
    response = bob.post(f"/m/cases/{case.pk}/action/", {"action": "accept", "state": "assigned"})
    assert response["Location"] == f"/m/cases/{case.pk}/"
    response = bob.post(
        f"/m/cases/{case.pk}/action/",
        {"action": "resolve", "state": "in_progress", "outcome": "resolved", "note": "调解成功"},
    )
    case.refresh_from_db()
    assert case.state == "resolved"
    assert FollowUp.objects.filter(case=case, done_at__isnull=True).exists()
    page = bob.get(f"/m/cases/{case.pk}/").content.decode()
    assert "Case resolved" in page
    assert 'data-testid="case-follow-up-link"' in page


def test_a_stale_step_changes_nothing_and_keeps_what_was_typed(bob, assistant, staff_user):
    case = make_case_in_progress(lead=assistant)
    # Staff reassign the case while Bob has the page open.
    other = factories.make_assistant(partner=assistant.partner)
    workflow.reassign_case(case=case, lead=other, by=staff_user, reason="换人")
    response = bob.post(
        f"/m/cases/{case.pk}/action/",
        {"action": "resolve", "state": "in_progress", "outcome": "resolved", "note": "我写的记录"},
    )
    # Bob is no longer on the case at all, so it is not his to see.
    assert response.status_code == 404

    case2 = make_case_in_progress(lead=assistant)
    workflow.resolve_case(case=case2, outcome="resolved")  # resolved from another phone
    response = bob.post(
        f"/m/cases/{case2.pk}/action/",
        {"action": "resolve", "state": "in_progress", "outcome": "referred", "note": "我写的记录"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "This case changed while you had it open" in page
    assert Case.objects.get(pk=case2.pk).outcome == "resolved"


def test_a_returned_case_needs_a_reason(bob, assistant):
    case = make_assigned_case(lead=assistant)
    response = bob.post(f"/m/cases/{case.pk}/action/", {"action": "return", "state": "assigned"})
    assert response.status_code == 409
    assert "Say why the case is returned." in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "assigned"


def test_a_note_lands_in_the_timeline(bob, assistant):
    case = make_case_in_progress(lead=assistant)
    bob.post(f"/m/cases/{case.pk}/action/", {"action": "note", "state": "x", "note": "已电话联系"})
    assert CaseEvent.objects.filter(case=case, kind="note", note="已电话联系").exists()
    assert "已电话联系" in bob.get(f"/m/cases/{case.pk}/").content.decode()


def test_the_lead_records_the_return_visit(bob, assistant):
    case = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="resolved")
    assert bob.get(f"/m/cases/{case.pk}/follow-up/").status_code == 200
    response = bob.post(
        f"/m/cases/{case.pk}/follow-up/",
        {"method": "phone", "satisfaction": "5", "still_solved": "yes", "notes": "很满意"},
    )
    assert response["Location"] == f"/m/cases/{case.pk}/"
    follow_up = FollowUp.objects.get(case=case)
    assert (follow_up.method, follow_up.satisfaction, follow_up.still_solved) == ("phone", 5, True)
    assert Case.objects.get(pk=case.pk).state == "followed_up"


def test_a_return_visit_finding_the_problem_back_reopens_the_case(bob, assistant):
    case = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="resolved")
    bob.post(
        f"/m/cases/{case.pk}/follow-up/",
        {"method": "visit", "satisfaction": "2", "still_solved": "no"},
    )
    assert Case.objects.get(pk=case.pk).state == "in_progress"


def test_a_return_visit_form_with_a_missing_answer_is_shown_again(bob, assistant):
    case = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="resolved")
    response = bob.post(f"/m/cases/{case.pk}/follow-up/", {"method": "visit"})
    assert response.status_code == 400
    assert FollowUp.objects.get(case=case).done_at is None


def test_no_return_visit_form_before_the_case_is_resolved(bob, assistant):
    case = make_case_in_progress(lead=assistant)
    response = bob.get(f"/m/cases/{case.pk}/follow-up/")
    assert response["Location"] == f"/m/cases/{case.pk}/"


def test_an_assistant_opens_a_case_on_the_spot_for_a_new_resident(bob, assistant):
    item = factories.make_service_item(specialty="finance")
    response = bob.post(
        "/m/cases/new/",
        {
            "form_key": "k1",
            "requester_kind": "resident",
            "name": "王小明",
            "phone": "138 0000 1111",
            "service_item": item.pk,
            "source": "community_point",
            "title": "拆迁安置贷咨询",
        },
    )
    case = Case.objects.get(title="拆迁安置贷咨询")
    assert response["Location"] == f"/m/cases/{case.pk}/"
    assert case.lead == assistant
    assert case.state == "in_progress"
    assert case.resident.phone == "13800001111"


def test_a_strangers_phone_shows_no_stored_name_or_address_and_flags_a_duplicate(bob, assistant):
    known = factories.make_resident(name="李阿姨", phone="13800002222", address="幸福小区3栋501")
    item = factories.make_service_item()
    response = bob.post(
        "/m/cases/new/",
        {
            "form_key": "k2",
            "requester_kind": "resident",
            "name": "李某",
            "phone": "13800002222",
            "service_item": item.pk,
            "source": "community_point",
            "title": "租赁纠纷",
        },
        follow=True,
    )

    page = response.content.decode()
    assert "李阿姨" not in page
    assert "幸福小区" not in page
    assert "13800002222" not in page
    case = Case.objects.get(title="租赁纠纷")
    assert case.resident != known
    assert (case.resident.name, case.resident.possible_duplicate_of) == ("李某", known)


def test_the_same_name_and_phone_joins_the_resident_on_file(bob, assistant):
    known = factories.make_resident(name="李阿姨", phone="13800002222")
    item = factories.make_service_item()
    bob.post(
        "/m/cases/new/",
        {
            "form_key": "k3",
            "requester_kind": "resident",
            "name": "李阿姨",
            "phone": "13800002222",
            "service_item": item.pk,
            "source": "community_point",
            "title": "租赁纠纷",
        },
    )
    assert Resident.objects.filter(phone="13800002222").count() == 1
    assert Case.objects.get(title="租赁纠纷").resident == known


def test_the_case_page_shows_the_residents_phone_and_address_masked(bob, assistant):
    resident = factories.make_resident(phone="13800004444", address="幸福小区3栋2单元501")
    case = make_case_in_progress(lead=assistant, resident=resident)

    page = bob.get(f"/m/cases/{case.pk}/").content.decode()

    assert "13800004444" not in page
    assert "tel:" not in page
    assert "2单元501" not in page
    assert "138****4444" in page
    assert 'data-testid="case-reveal-call"' in page
    assert "recorded in the personal-data log" in page
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("then", ["show", "call"])
def test_showing_or_calling_reveals_the_phone_and_logs_it_with_the_case(bob, assistant, then):
    resident = factories.make_resident(phone="13800004444", address="幸福小区3栋2单元501")
    case = make_case_in_progress(lead=assistant, resident=resident)

    page = bob.post(f"/m/cases/{case.pk}/reveal/", {"then": then}).content.decode()

    assert 'href="tel:13800004444"' in page
    assert "幸福小区3栋2单元501" in page
    [access] = PersonalDataAccess.objects.all()
    assert (access.kind, access.resident, access.case, access.user) == (
        "view",
        resident,
        case,
        assistant.user,
    )
    assert ('data-testid="case-dial"' in page) == (then == "call")


def test_another_assistants_case_cannot_be_revealed(bob, second_assistant):
    case = make_case_in_progress(lead=second_assistant)

    assert bob.post(f"/m/cases/{case.pk}/reveal/", {"then": "show"}).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_a_double_tap_on_the_new_case_form_opens_one_case(bob, assistant):
    item = factories.make_service_item()
    data = {
        "form_key": "same-key",
        "requester_kind": "resident",
        "name": "张三",
        "phone": "13800003333",
        "service_item": item.pk,
        "source": "community_point",
        "title": "一次",
    }
    first = bob.post("/m/cases/new/", data)
    second = bob.post("/m/cases/new/", data)
    assert first["Location"] == second["Location"]
    assert Case.objects.filter(title="一次").count() == 1


def test_search_finds_my_requesters_first_and_opens_a_case_for_them(bob, assistant):
    mine = make_case_in_progress(lead=assistant, resident=factories.make_resident(name="赵大爷"))
    factories.make_resident(name="赵别人")  # on file, but not on any of Bob's cases
    page = bob.get("/m/cases/new/?q=赵").content.decode()
    assert "赵大爷" in page
    assert "赵别人" not in page
    item = factories.make_service_item()
    bob.post(
        "/m/cases/new/",
        {
            "form_key": "k3",
            "requester": f"resident:{mine.resident_id}",
            "requester_kind": "resident",
            "service_item": item.pk,
            "source": "community_point",
            "title": "再次求助",
        },
    )
    assert Case.objects.get(title="再次求助").resident_id == mine.resident_id


def test_a_new_enterprise_needs_a_valid_credit_code(bob, assistant):
    item = factories.make_service_item()
    response = bob.post(
        "/m/cases/new/",
        {
            "form_key": "k4",
            "requester_kind": "enterprise",
            "name": "某某公司",
            "credit_code": "123",
            "street": factories.make_street().pk,
            "service_item": item.pk,
            "source": "enterprise_visit",
            "title": "融资",
        },
    )
    assert response.status_code == 400
    assert not Case.objects.filter(title="融资").exists()


def test_a_new_case_page_for_someone_elses_requester_is_not_found(bob, assistant):
    stranger = make_case(resident=factories.make_resident())
    assert bob.get(f"/m/cases/new/?requester=resident:{stranger.resident_id}").status_code == 404


def test_no_note_is_added_to_a_closed_case(bob, assistant):
    case = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="withdrawn")
    workflow.close_case(case=case, by=assistant.user)
    response = bob.post(
        f"/m/cases/{case.pk}/action/", {"action": "note", "state": "closed", "note": "晚了"}
    )
    assert response.status_code == 409
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()
    assert 'data-testid="case-closed"' in response.content.decode()


def test_a_case_for_a_requester_chosen_from_the_search_opens_without_the_kind_radios(
    bob, assistant
):
    # The page drawn for a chosen match has no "Who is asking?" radios, so none is posted.
    mine = make_case_in_progress(lead=assistant, resident=factories.make_resident(name="钱阿姨"))
    page = bob.get(f"/m/cases/new/?requester=resident:{mine.resident_id}").content.decode()
    assert 'data-testid="case-new-kind"' not in page
    response = bob.post(
        "/m/cases/new/",
        {
            "form_key": "k-chosen",
            "requester": f"resident:{mine.resident_id}",
            "service_item": factories.make_service_item().pk,
            "source": "community_point",
            "title": "选中后开案",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(title="选中后开案").resident_id == mine.resident_id


def test_a_refused_new_case_names_every_field_at_fault_above_the_form(bob, assistant):
    response = bob.post("/m/cases/new/", {"form_key": "k-bad", "name": "孙先生"})
    assert response.status_code == 400
    summary = response.content.decode().split('data-testid="form-errors"')[1].split("</div>")[0]
    assert "Service item: This field is required." in summary
    assert "Title: This field is required." in summary


def test_a_stale_resolve_gives_back_what_was_typed_in_the_note_form(bob, assistant):
    case = make_case_in_progress(lead=assistant)
    workflow.resolve_case(case=case, outcome="resolved")  # resolved from another phone
    response = bob.post(
        f"/m/cases/{case.pk}/action/",
        {"action": "resolve", "state": "in_progress", "outcome": "referred", "note": "已电话告知"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="case-resolve-form"' not in page
    assert 'data-testid="case-kept-text-hint"' in page
    note_form = page.split('data-testid="case-note-form"')[1].split("</form>")[0]
    assert "已电话告知</textarea>" in note_form


def test_a_stale_resolve_on_a_closed_case_shows_what_was_typed_to_copy(bob, assistant, staff_user):
    case = make_case_in_progress(lead=assistant)
    workflow.resolve_case(case=case, outcome="withdrawn")
    workflow.close_case(case=case, by=staff_user)
    response = bob.post(
        f"/m/cases/{case.pk}/action/",
        {"action": "resolve", "state": "in_progress", "outcome": "referred", "note": "已上门核实"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="case-note-form"' not in page
    assert 'readonly data-testid="case-kept-text">已上门核实</textarea>' in page


def test_the_satisfaction_scale_is_drawn_as_one_compact_row_from_1_to_5(bob, assistant):
    case = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="resolved")
    page = bob.get(f"/m/cases/{case.pk}/follow-up/").content.decode()
    row = page.split('data-testid="follow-up-satisfaction-row"')[1].split("</fieldset>")[0]
    assert [row.index(f'value="{n}"') for n in range(1, 6)] == sorted(
        row.index(f'value="{n}"') for n in range(1, 6)
    )
