"""Staff follow a case end to end in the admin: lists, the case page, and workflow buttons."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import visits, workflow
from cases.models import (
    Case,
    CaseEvent,
    CouncilMeeting,
    EnterpriseLiaison,
    ExtensionRequest,
    FollowUp,
    Referral,
    Visit,
    VisitAttachment,
)
from tests import factories
from tests.factories.visits import (
    JPEG,
    PDF,
    an_hour_ago,
    make_assigned_case,
    make_case,
    make_case_in_progress,
    make_liaison,
    upload,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def step_url(case, step):
    return reverse("admin:cases_case_workflow", args=[case.pk, step])


@pytest.fixture
def staff(client, staff_user):
    """Alice signed in to the admin, reading it in English so messages can be matched."""
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def make_varied_case(lead):
    """A case of every shape the list shows: resident or enterprise, with or without a lead."""
    number = factories.next_number()
    if number % 3 == 0:
        return make_case(enterprise=factories.make_enterprise())
    if number % 3 == 1:
        return make_assigned_case(lead=lead)
    return make_case_in_progress(lead=factories.make_assistant())


# --- the case list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"state__exact": "assigned"}, {"q": "诉求"}, {"lead__partner__id__exact": "1"}],
    ids=["unfiltered", "by-state", "searched", "by-partner"],
)
def test_the_case_list_runs_the_same_queries_for_3_cases_as_for_25(staff, assistant, params):
    for _ in range(3):
        make_varied_case(assistant)
    few, _page = count_queries(staff, admin_url(Case, "changelist"), **params)
    for _ in range(22):
        make_varied_case(assistant)
    many, _page = count_queries(staff, admin_url(Case, "changelist"), **params)
    # Session, user, the planner's estimate and the exact count, the page's rows (cases joined
    # to item, resident, enterprise, lead and partner), and the partner and category filters'
    # choices: the same set whatever the row count.
    assert many == few
    assert few <= 12


def test_the_case_list_filters_by_service_item(staff):
    lease = factories.make_service_item(name="租赁纠纷调解")
    wages = factories.make_service_item(name="欠薪维权咨询")
    make_case(title="店面租约提前解除", service_item=lease)
    make_case(title="工地欠薪三个月", service_item=wages)

    page = staff.get(admin_url(Case, "changelist"), {"service_item__id__exact": lease.pk})

    assert page.status_code == 200
    content = page.content.decode()
    assert "店面租约提前解除" in content
    assert "工地欠薪三个月" not in content
    # The filter offers every item of the checklist by name.
    assert "欠薪维权咨询" in content


def test_the_case_list_masks_the_resident_and_shows_the_enterprise(staff):
    make_case(resident=factories.make_resident(name="王小明", phone="13812345678"))
    make_case(enterprise=factories.make_enterprise(name="福州海峡科技有限公司"))
    page = staff.get(admin_url(Case, "changelist")).content.decode()
    assert "王** 138****5678" in page
    assert "13812345678" not in page
    assert "王小明" not in page
    assert "福州海峡科技有限公司" in page


def test_an_open_case_past_its_target_date_is_highlighted(staff, assistant):
    late = make_case(title="逾期的诉求")
    Case.objects.filter(pk=late.pk).update(target_date=timezone.localdate() - timedelta(days=1))
    make_case(title="按期的诉求")
    page = staff.get(admin_url(Case, "changelist")).content.decode()
    assert page.count('class="overdue"') == 1
    assert "(overdue)" in page


@pytest.mark.parametrize(
    "query",
    ["13812345678", "138 1234 5678", "逾期", "91350100"],
    ids=["phone", "phone-spaced", "title", "credit-code"],
)
def test_staff_find_cases_by_whole_phone_title_and_credit_code(staff, query):
    make_case(title="逾期工资", resident=factories.make_resident(phone="13812345678"))
    make_case(title="另一件事", enterprise=factories.make_enterprise(name="企业甲"))
    other = make_case(title="无关", resident=factories.make_resident(phone="13900001111"))
    page = staff.get(admin_url(Case, "changelist"), {"q": query}).content.decode()
    assert other.number not in page
    assert "逾期工资" in page or "企业甲" in page


def test_a_phone_tail_finds_no_case_because_digits_are_never_matched_in_part(staff):
    make_case(title="逾期工资", resident=factories.make_resident(phone="13812345678"))
    page = staff.get(admin_url(Case, "changelist"), {"q": "5678"}).content.decode()
    assert "逾期工资" not in page


def test_a_search_by_case_number_finds_exactly_that_case(staff):
    wanted, other = make_case(), make_case()
    page = staff.get(admin_url(Case, "changelist"), {"q": wanted.number}).content.decode()
    assert wanted.number in page
    assert other.number not in page


# --- the case page ---------------------------------------------------------------------------


def fill_history(case, lead, staff_user, rows):
    """Give an in-progress case `rows` timeline notes, visits, referrals and extension requests."""
    for index in range(rows):
        workflow.add_note(case=case, by=staff_user, note=f"备注{index}")
        visits.log_visit(
            assistant=lead,
            kind="consultation",
            occurred_at=an_hour_ago(),
            duration_minutes=20,
            service_point=factories.make_service_point(),
            case=case,
        )
        Referral.objects.create(case=case, to_department=f"住建局{index}", reason="需要部门处理")
        ExtensionRequest.objects.create(
            case=case,
            requested_by=lead,
            extra_workdays=2,
            reason="等待材料",
            status="rejected",
            decided_by=staff_user,
        )
        FollowUp.objects.create(case=case, due_on=timezone.localdate())


def test_the_case_page_runs_the_same_queries_for_3_history_rows_as_for_25(
    staff, staff_user, assistant
):
    small = make_case_in_progress(lead=assistant)
    small.helpers.add(factories.make_assistant())
    fill_history(small, assistant, staff_user, 3)
    big = make_case_in_progress(lead=assistant)
    big.helpers.add(factories.make_assistant())
    fill_history(big, assistant, staff_user, 25)
    staff.get(admin_url(Case, "change", small.pk))  # warms the content-type cache
    few, _page = count_queries(staff, admin_url(Case, "change", small.pk))
    many, page = count_queries(staff, admin_url(Case, "change", big.pk))
    # Session, user, the case (joined to its item, requester, lead, point, meeting, creator),
    # its helpers, and one query per inline (timeline, visits, follow-ups, referrals, extension
    # requests, each joined to the people it shows) whatever their length: nine.
    assert many == few
    assert few <= 10
    assert "备注24" in page


def test_the_case_page_shows_the_timeline_and_only_the_steps_that_fit_the_state(staff, assistant):
    case = make_assigned_case(lead=assistant, title="租赁纠纷")
    page = staff.get(admin_url(Case, "change", case.pk)).content.decode()
    assert step_url(case, "accept") in page
    assert step_url(case, "reassign") in page
    assert step_url(case, "resolve") not in page
    assert step_url(case, "assign") not in page
    assert "Allowed next states" in page
    assert "assigned" in page  # the timeline's entry


def test_the_case_page_masks_the_requester_but_links_to_the_full_record(staff):
    resident = factories.make_resident(name="李四", phone="13812349999")
    case = make_case(resident=resident)
    page = staff.get(admin_url(Case, "change", case.pk)).content.decode()
    assert "138****9999" in page
    assert "13812349999" not in page
    assert admin_url(type(resident), "change", resident.pk) in page


def test_state_and_lead_cannot_be_posted_through_the_change_form(staff, assistant):
    case = make_case(title="旧标题")
    form = {
        "title": "新标题",
        "description": "",
        "priority": "normal",
        "beneficiaries": "1",
        "amount": "",
        "service_point": "",
        "state": "closed",
        "lead": str(assistant.pk),
        **inline_management_forms(),
    }
    response = staff.post(admin_url(Case, "change", case.pk), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.title == "新标题"
    assert case.state == "new"
    assert case.lead is None


def inline_management_forms():
    prefixes = ["events", "visits", "follow_ups", "referrals", "extension_requests"]
    data = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "0",
        }
    return data


# --- creating a case -------------------------------------------------------------------------


def add_form(**overrides):
    return {
        "title": "拆迁安置贷咨询",
        "description": "",
        "source": "service_window",
        "priority": "normal",
        "beneficiaries": "3",
        "amount": "",
        "resident": "",
        "enterprise": "",
        "service_point": "",
        "council_meeting": "",
    } | overrides


def test_staff_create_a_case_through_the_workflow(staff, staff_user):
    item = factories.make_service_item(target_days=5)
    resident = factories.make_resident()
    response = staff.post(
        admin_url(Case, "add"), add_form(service_item=item.pk, resident=resident.pk)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.number.startswith(f"TJ-{timezone.localdate().year}-")
    assert case.target_date is not None
    assert case.created_by == staff_user
    assert case.beneficiaries == 3
    created = case.events.get()
    assert (created.kind, created.actor, created.to_state) == ("created", staff_user, "new")


def test_a_case_for_both_a_resident_and_an_enterprise_is_refused(staff):
    item = factories.make_service_item()
    response = staff.post(
        admin_url(Case, "add"),
        add_form(
            service_item=item.pk,
            resident=factories.make_resident().pk,
            enterprise=factories.make_enterprise().pk,
        ),
    )
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not Case.objects.exists()


def test_an_amount_on_an_item_that_is_not_financial_is_refused(staff):
    item = factories.make_service_item(is_financial=False)
    response = staff.post(
        admin_url(Case, "add"),
        add_form(service_item=item.pk, resident=factories.make_resident().pk, amount="50000"),
    )
    assert response.status_code == 200
    assert "Only financial service items record an amount." in response.content.decode()
    assert not Case.objects.exists()


def test_a_case_added_from_a_council_meeting_is_linked_to_it(staff):
    enterprise = factories.make_enterprise()
    meeting = CouncilMeeting.objects.create(
        title="一企一议", held_on=timezone.localdate(), place="会议室", enterprise=enterprise
    )
    meeting_page = staff.get(admin_url(CouncilMeeting, "change", meeting.pk)).content.decode()
    assert f"council_meeting={meeting.pk}" in meeting_page
    response = staff.post(
        admin_url(Case, "add"),
        add_form(
            service_item=factories.make_service_item().pk,
            enterprise=enterprise.pk,
            source="council_meeting",
            council_meeting=meeting.pk,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert (case.council_meeting, case.source) == (meeting, "council_meeting")
    meeting_page = staff.get(admin_url(CouncilMeeting, "change", meeting.pk)).content.decode()
    assert case.number in meeting_page


def test_a_council_meeting_source_without_the_meeting_is_refused(staff):
    response = staff.post(
        admin_url(Case, "add"),
        add_form(
            service_item=factories.make_service_item().pk,
            resident=factories.make_resident().pk,
            source="council_meeting",
        ),
    )
    assert response.status_code == 200
    assert not Case.objects.exists()


# --- workflow buttons ------------------------------------------------------------------------


def test_the_assign_page_offers_the_lead_with_autocomplete_and_suggestions(staff, second_assistant):
    case = make_case(service_item=factories.make_service_item(specialty="legal"))
    page = staff.get(step_url(case, "assign")).content.decode()
    assert "admin-autocomplete" in page
    assert "autocomplete.js" in page
    # The assignment module ranks the legal assistant for a legal item.
    assert "Suggested assistants" in page
    assert second_assistant.name in page


def test_staff_follow_a_case_through_every_step_in_the_admin(staff, staff_user, assistant):
    case = make_case(title="安置房漏水纠纷")
    helper = factories.make_assistant()

    response = staff.post(
        step_url(case, "assign"),
        {"lead": assistant.pk, "helpers": [helper.pk], "note": "就近指派"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.lead) == ("assigned", assistant)
    assert list(case.helpers.all()) == [helper]

    assert staff.post(step_url(case, "accept")).status_code == 302
    case.refresh_from_db()
    assert case.state == "in_progress"

    staff.post(step_url(case, "resolve"), {"outcome": "resolved", "note": "已协调维修"})
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("resolved", "resolved")
    assert case.follow_ups.filter(done_at__isnull=True).count() == 1

    # The return visit finds the problem back: the case reopens.
    staff.post(
        step_url(case, "follow_up"),
        {"method": "phone", "satisfaction": "2", "still_solved": "no", "notes": "又漏水"},
    )
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("in_progress", "")

    staff.post(step_url(case, "resolve"), {"outcome": "resolved", "note": ""})
    staff.post(
        step_url(case, "follow_up"),
        {"method": "visit", "satisfaction": "5", "still_solved": "yes", "notes": ""},
    )
    staff.post(step_url(case, "note"), {"note": "回访满意，归档"})
    response = staff.post(step_url(case, "close"), follow=True)
    case.refresh_from_db()
    assert case.state == "closed"
    assert "The case is closed." in response.content.decode()

    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "created",
        "assigned",
        "helper_added",
        "accepted",
        "note",  # accepted on behalf of the lead by staff
        "transition",  # resolved
        "follow_up",
        "reopened",
        "note",  # return visit recorded by staff
        "transition",  # resolved again
        "follow_up",
        "note",  # return visit recorded by staff
        "note",
        "transition",  # closed
    ]
    on_behalf = case.events.filter(kind="note", actor=staff_user).first()
    assert assistant.name in on_behalf.note


def test_an_illegal_step_shows_the_workflow_message_and_changes_nothing(staff, assistant):
    case = make_case()
    events_before = case.events.count()
    response = staff.post(step_url(case, "close"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot become" in page
    assert "Allowed next states: assigned" in page
    case.refresh_from_db()
    assert case.state == "new"
    assert case.events.count() == events_before


def test_accepting_for_a_case_without_a_lead_is_refused_with_the_allowed_states(staff):
    case = make_case()
    response = staff.post(step_url(case, "accept"))
    assert "Allowed next states: assigned" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "new"


def test_a_withdrawn_assistant_cannot_be_made_lead_and_the_message_says_so(staff):
    case = make_case()
    withdrawn = factories.make_assistant(status="withdrawn")
    response = staff.post(step_url(case, "assign"), {"lead": withdrawn.pk, "note": ""})
    assert "Only an active assistant can lead a case." in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.lead) == ("new", None)
    assert not case.events.filter(kind="assigned").exists()


def test_resolving_without_an_outcome_is_refused_and_changes_nothing(staff, assistant):
    case = make_case_in_progress(lead=assistant)
    response = staff.post(step_url(case, "resolve"), {"outcome": "", "note": ""})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == "in_progress"


def test_a_return_visit_on_an_unresolved_case_is_refused(staff, assistant):
    case = make_case_in_progress(lead=assistant)
    response = staff.post(
        step_url(case, "follow_up"),
        {"method": "phone", "satisfaction": "4", "still_solved": "yes", "notes": ""},
    )
    assert "no return visit waiting" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_staff_supervise_an_open_case_from_its_page(staff, assistant):
    case = make_assigned_case(lead=assistant)
    staff.post(step_url(case, "supervise"), {"note": "请三日内办结"})
    case.refresh_from_db()
    assert case.supervised is True
    assert case.events.filter(kind="supervised").exists()


def test_an_unknown_step_is_not_found(staff):
    case = make_case()
    assert staff.get(step_url(case, "teleport")).status_code == 404


def test_workflow_pages_are_closed_to_people_who_are_not_staff(client, assistant):
    case = make_assigned_case(lead=assistant)
    client.force_login(assistant.user)
    response = client.post(step_url(case, "accept"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    case.refresh_from_db()
    assert case.state == "assigned"


def test_staff_without_change_permission_cannot_run_a_step(client, db):
    from django.contrib.auth.models import Permission

    viewer = get_user_model().objects.create_user("gina", password="gina-pass-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(viewer)
    case = make_case()
    assert client.post(step_url(case, "note"), {"note": "x"}).status_code == 403
    assert not case.events.filter(kind="note").exists()


# --- extension requests ----------------------------------------------------------------------


def test_staff_approve_an_extension_request_from_the_list(staff, assistant):
    case = make_case_in_progress(lead=assistant)
    target = case.target_date
    request = ExtensionRequest.objects.create(
        case=case, requested_by=assistant, extra_workdays=3, reason="等待不动产登记材料"
    )
    staff.post(
        admin_url(ExtensionRequest, "changelist"),
        {"action": "approve", "_selected_action": [request.pk], "reason": ""},
    )
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.status == "accepted"
    assert case.target_date > target


def test_refusing_an_extension_without_a_reason_shows_why_and_changes_nothing(staff, assistant):
    case = make_case_in_progress(lead=assistant)
    request = ExtensionRequest.objects.create(
        case=case, requested_by=assistant, extra_workdays=3, reason="等待材料"
    )
    response = staff.post(
        admin_url(ExtensionRequest, "changelist"),
        {"action": "refuse", "_selected_action": [request.pk], "reason": ""},
        follow=True,
    )
    assert "Say why the extension is refused." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"


# --- visits ----------------------------------------------------------------------------------


def visit_form(assistant, **overrides):
    local = timezone.localtime(an_hour_ago())
    return {
        "kind": "enterprise_visit",
        "assistant": assistant.pk,
        "case": "",
        "occurred_at_0": local.strftime("%Y-%m-%d"),
        "occurred_at_1": local.strftime("%H:%M:%S"),
        "duration_minutes": "40",
        "service_point": "",
        "enterprise": factories.make_enterprise().pk,
        "resident": "",
        "people_present": "2",
        "notes": "走访了解融资需求",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "0",
    } | overrides


def test_staff_log_a_visit_with_a_photo_and_the_case_gets_its_timeline_entries(staff, assistant):
    case = make_case_in_progress(lead=assistant)
    response = staff.post(
        admin_url(Visit, "add"),
        visit_form(assistant, case=case.pk, upload=[upload("现场.jpg", JPEG)]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    visit = Visit.objects.get()
    assert visit.attachments.get().content_type == "image/jpeg"
    assert set(case.events.values_list("kind", flat=True)) >= {"visit", "attachment"}


def test_a_pdf_named_as_a_photo_is_refused_in_the_visit_form(staff, assistant):
    response = staff.post(
        admin_url(Visit, "add"), visit_form(assistant, upload=[upload("现场.jpg", PDF)])
    )
    assert response.status_code == 200
    assert "its content is a PDF document" in response.content.decode()
    assert not Visit.objects.exists()
    assert not VisitAttachment.objects.exists()


def test_a_visit_form_for_a_case_the_assistant_is_not_on_is_refused(
    staff, assistant, second_assistant
):
    case = make_case_in_progress(lead=assistant)
    response = staff.post(admin_url(Visit, "add"), visit_form(second_assistant, case=case.pk))
    assert response.status_code == 200
    assert "lead assistant or a helper" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_visit_list_runs_the_same_queries_for_3_visits_as_for_25(staff, assistant):
    def make_visit():
        visits.log_visit(
            assistant=factories.make_assistant(),
            kind="talk",
            occurred_at=an_hour_ago(),
            duration_minutes=60,
            service_point=factories.make_service_point(),
            attachments=[upload("p.jpg", JPEG)],
        )

    for _ in range(3):
        make_visit()
    few, _page = count_queries(staff, admin_url(Visit, "changelist"))
    for _ in range(22):
        make_visit()
    many, _page = count_queries(staff, admin_url(Visit, "changelist"))
    assert many == few


# --- every page of the case records ----------------------------------------------------------


def make_meeting():
    return CouncilMeeting.objects.create(title="议事厅", held_on=timezone.localdate(), place="社区")


def make_visit():
    return visits.log_visit(
        assistant=factories.make_assistant(),
        kind="consultation",
        occurred_at=an_hour_ago(),
        duration_minutes=30,
        resident=factories.make_resident(),
    )[0]


def make_follow_up():
    lead = factories.make_assistant()
    case = make_case_in_progress(lead=lead)
    workflow.resolve_case(case=case, outcome="resolved")
    return case.follow_ups.get()


def make_referral():
    return Referral.objects.create(case=make_case(), to_specialty="finance", reason="涉及融资")


def make_extension():
    lead = factories.make_assistant()
    return ExtensionRequest.objects.create(
        case=make_case_in_progress(lead=lead), requested_by=lead, extra_workdays=2, reason="等"
    )


RECORD_MODELS = {
    Case: make_case,
    CaseEvent: None,  # shown inside the case page only
    Visit: make_visit,
    CouncilMeeting: make_meeting,
    EnterpriseLiaison: make_liaison,
    FollowUp: make_follow_up,
    Referral: make_referral,
    ExtensionRequest: make_extension,
}
PAGED = {model: make for model, make in RECORD_MODELS.items() if make is not None}


@pytest.mark.parametrize("model", list(PAGED), ids=lambda model: model.__name__)
def test_each_case_record_list_runs_the_same_queries_for_3_rows_as_for_25(staff, model):
    for _ in range(3):
        PAGED[model]()
    few, _page = count_queries(staff, admin_url(model, "changelist"))
    for _ in range(22):
        PAGED[model]()
    many, _page = count_queries(staff, admin_url(model, "changelist"))
    assert many == few
    assert few <= 14


@pytest.mark.parametrize("model", list(PAGED), ids=lambda model: model.__name__)
def test_each_case_record_page_renders_with_bounded_queries(staff, model):
    instance = PAGED[model]()
    queries, _page = count_queries(staff, admin_url(model, "change", instance.pk))
    assert queries <= 20, f"{model.__name__} change page runs {queries} queries"


@pytest.mark.parametrize(
    "model", [FollowUp, Referral, ExtensionRequest], ids=lambda model: model.__name__
)
def test_records_written_by_the_services_cannot_be_added_by_hand(staff, model):
    assert staff.get(admin_url(model, "add")).status_code == 403


def test_the_liaison_list_filters_enterprises_due_for_a_visit(staff, assistant):
    due = make_liaison(
        assistant=assistant, enterprise=factories.make_enterprise(name="该走访了公司")
    )
    EnterpriseLiaison.objects.filter(pk=due.pk).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    make_liaison(assistant=assistant, enterprise=factories.make_enterprise(name="刚挂钩公司"))
    page = staff.get(admin_url(EnterpriseLiaison, "changelist"), {"due": "yes"}).content.decode()
    assert "该走访了公司" in page
    assert "刚挂钩公司" not in page


def test_staff_record_a_council_meeting_with_the_institutions_present(staff, partner_a):
    response = staff.post(
        admin_url(CouncilMeeting, "add"),
        {
            "title": "凤凰社区议事厅",
            "held_on": timezone.localdate().isoformat(),
            "place": "社区党群服务中心",
            "participants": "居民代表12人",
            "institutions": [partner_a.pk],
            "minutes": "",
            "cases-TOTAL_FORMS": "0",
            "cases-INITIAL_FORMS": "0",
            "cases-MIN_NUM_FORMS": "0",
            "cases-MAX_NUM_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = CouncilMeeting.objects.get()
    assert list(meeting.institutions.all()) == [partner_a]


# --- referrals -------------------------------------------------------------------------------


def decide_url(referral, decision):
    return reverse("admin:cases_referral_decide", args=[referral.pk, decision])


def refer_form(**overrides):
    return {"to_specialty": "", "to_department": "", "reason": "涉及股权纠纷"} | overrides


def test_the_refer_button_is_offered_only_for_a_case_in_progress(staff, assistant):
    assigned = make_assigned_case(lead=assistant)
    in_progress = make_case_in_progress(lead=factories.make_assistant())
    refer = step_url(assigned, "refer")
    assert refer not in staff.get(admin_url(Case, "change", assigned.pk)).content.decode()
    page = staff.get(admin_url(Case, "change", in_progress.pk)).content.decode()
    assert step_url(in_progress, "refer") in page


def test_staff_refer_a_case_in_progress_to_a_department(staff, staff_user, assistant):
    case = make_case_in_progress(lead=assistant)
    response = staff.post(
        step_url(case, "refer"), refer_form(to_department="台江区住建局"), follow=True
    )
    assert "The referral is recorded and waits for a decision." in response.content.decode()
    referral = Referral.objects.get()
    assert (referral.case, referral.to_department, referral.status) == (
        case,
        "台江区住建局",
        "pending",
    )
    event = case.events.get(kind="referred")
    assert event.actor == staff_user
    assert "台江区住建局" in event.note
    case.refresh_from_db()
    assert case.state == "in_progress"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (refer_form(to_specialty="legal", to_department="区人社局"), "not both"),
        (refer_form(), "not both"),
        (refer_form(to_specialty="finance"), "already handled by a finance assistant"),
        (refer_form(to_specialty="legal", reason="   "), "This field is required."),
    ],
    ids=["both-targets", "no-target", "same-specialty", "blank-reason"],
)
def test_a_bad_referral_shows_the_referral_message_and_saves_nothing(
    staff, assistant, form, message
):
    case = make_case_in_progress(lead=assistant)  # Bob is a finance assistant
    events_before = case.events.count()
    response = staff.post(step_url(case, "refer"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Referral.objects.exists()
    assert case.events.count() == events_before


def test_a_second_referral_while_one_waits_is_refused(staff, assistant):
    case = make_case_in_progress(lead=assistant)
    staff.post(step_url(case, "refer"), refer_form(to_specialty="legal"))
    response = staff.post(step_url(case, "refer"), refer_form(to_department="区人社局"))
    assert "already has a referral waiting" in response.content.decode()
    assert Referral.objects.count() == 1


def test_referring_an_assigned_case_is_refused_with_the_referral_message(staff, assistant):
    case = make_assigned_case(lead=assistant)
    response = staff.post(step_url(case, "refer"), refer_form(to_specialty="legal"))
    assert "Only a case in progress can be referred" in response.content.decode()
    assert not Referral.objects.exists()


def refer(case, by, **target):
    from cases import referrals

    return referrals.refer_case(case=case, by=by, reason="需要律师出具意见", **target)


def test_a_pending_referral_page_offers_accept_and_reject(staff, staff_user, assistant):
    referral = refer(make_case_in_progress(lead=assistant), staff_user, to_specialty="legal")
    page = staff.get(admin_url(Referral, "change", referral.pk)).content.decode()
    assert decide_url(referral, "accept") in page
    assert decide_url(referral, "reject") in page


def test_the_accept_page_asks_for_the_new_lead_and_suggests_the_other_specialty(
    staff, staff_user, assistant, second_assistant
):
    referral = refer(make_case_in_progress(lead=assistant), staff_user, to_specialty="legal")
    page = staff.get(decide_url(referral, "accept")).content.decode()
    assert 'name="lead"' in page
    assert "Suggested assistants" in page
    assert second_assistant.name in page  # Charlie is the legal assistant


def test_accepting_a_referral_to_the_other_specialty_hands_the_case_to_the_new_lead(
    staff, staff_user, assistant, second_assistant
):
    case = make_case_in_progress(lead=assistant)
    referral = refer(case, staff_user, to_specialty="legal")
    response = staff.post(
        decide_url(referral, "accept"), {"lead": second_assistant.pk, "reason": "同意转律师"}
    )
    assert response.status_code == 302
    assert response["Location"] == admin_url(Case, "change", case.pk)
    referral.refresh_from_db()
    assert (referral.status, referral.decided_by, referral.decision_reason) == (
        "accepted",
        staff_user,
        "同意转律师",
    )
    case.refresh_from_db()
    # Reassigned: the new lead accepts (签收) in time like after any assignment.
    assert (case.state, case.lead) == ("assigned", second_assistant)
    kinds = list(case.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[-3:-1] == ["referred", "referral_decided"]


def test_accepting_a_referral_to_a_department_resolves_the_case_as_referred(
    staff, staff_user, assistant
):
    case = make_case_in_progress(lead=assistant)
    referral = refer(case, staff_user, to_department="台江区住建局")
    page = staff.get(decide_url(referral, "accept")).content.decode()
    assert 'name="lead"' not in page  # a department needs no new lead
    staff.post(decide_url(referral, "accept"), {"reason": ""})
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("resolved", "referred")
    assert case.follow_ups.filter(done_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("lead", "message"),
    [
        (None, "Choose the legal assistant who takes the case over."),
        ("finance", "The new lead must be a legal assistant."),
    ],
    ids=["no-lead", "wrong-specialty"],
)
def test_accepting_without_a_fitting_new_lead_shows_why_and_changes_nothing(
    staff, staff_user, assistant, lead, message
):
    case = make_case_in_progress(lead=assistant)
    referral = refer(case, staff_user, to_specialty="legal")
    events_before = case.events.count()
    data = {"reason": ""}
    if lead is not None:
        data["lead"] = factories.make_assistant(specialty=lead).pk
    response = staff.post(decide_url(referral, "accept"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "pending"
    case.refresh_from_db()
    assert (case.state, case.lead) == ("in_progress", assistant)
    assert case.events.count() == events_before


def test_staff_reject_a_referral_with_a_reason_and_the_case_carries_on(
    staff, staff_user, assistant
):
    case = make_case_in_progress(lead=assistant)
    referral = refer(case, staff_user, to_department="区人社局")
    response = staff.post(decide_url(referral, "reject"), {"reason": "本项目可以办理"}, follow=True)
    assert "The referral is rejected." in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.decision_reason) == ("rejected", "本项目可以办理")
    case.refresh_from_db()
    assert (case.state, case.lead) == ("in_progress", assistant)
    assert "本项目可以办理" in case.events.get(kind="referral_decided").note


def test_rejecting_without_a_reason_shows_why_and_changes_nothing(staff, staff_user, assistant):
    referral = refer(make_case_in_progress(lead=assistant), staff_user, to_department="区人社局")
    response = staff.post(decide_url(referral, "reject"), {"reason": ""})
    assert "Say why the referral is rejected." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "pending"
    assert not referral.case.events.filter(kind="referral_decided").exists()


def test_a_decided_referral_cannot_be_decided_again(staff, staff_user, assistant):
    referral = refer(make_case_in_progress(lead=assistant), staff_user, to_department="区人社局")
    staff.post(decide_url(referral, "reject"), {"reason": "本项目可以办理"})
    page = staff.get(admin_url(Referral, "change", referral.pk)).content.decode()
    assert decide_url(referral, "accept") not in page
    response = staff.post(decide_url(referral, "accept"), {"reason": ""})
    assert "already been decided" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "rejected"


def test_accepting_after_the_case_moved_on_is_refused_by_the_workflow(staff, staff_user, assistant):
    case = make_case_in_progress(lead=assistant)
    referral = refer(case, staff_user, to_department="区人社局")
    workflow.resolve_case(case=case, outcome="resolved", by=staff_user)
    response = staff.post(decide_url(referral, "accept"), {"reason": ""})
    assert "no longer in progress" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_staff_who_may_only_view_referrals_get_no_decision_buttons_and_a_403(
    client, staff_user, assistant
):
    from django.contrib.auth.models import Permission

    viewer = get_user_model().objects.create_user("gina", password="gina-pass-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_referral"))
    referral = refer(make_case_in_progress(lead=assistant), staff_user, to_department="区人社局")
    client.force_login(viewer)
    page = client.get(admin_url(Referral, "change", referral.pk)).content.decode()
    assert "/decide/" not in page
    assert client.post(decide_url(referral, "reject"), {"reason": "不同意"}).status_code == 403
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_an_unknown_referral_decision_is_not_found(staff, staff_user, assistant):
    referral = refer(make_case_in_progress(lead=assistant), staff_user, to_department="区人社局")
    assert staff.get(decide_url(referral, "forward")).status_code == 404


def test_a_full_case_number_is_found_by_exact_lookup(client, staff_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.factories.assign import make_case

    wanted = make_case()
    make_case()
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:cases_case_changelist"), {"q": wanted.number.lower()})
    assert list(response.context["cl"].result_list) == [wanted]
    assert not any("LIKE" in q["sql"].upper() for q in queries.captured_queries)
