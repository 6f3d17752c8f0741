"""The admin keeps reference data: every workflow field is read-only and moves by step buttons
that call the services (shifts, leave, swaps; cases, referrals and extensions likewise)."""

from datetime import date, time

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from assistants.models import Shift, ShiftEvent, SwapRequest, Unavailability
from tests import factories
from tests.factories.shifts import dispatch_all, local, make_leave, make_shift, make_swap

NOW = local(date(2026, 3, 2), time(8))

# The fields a workflow owns, by model: no admin form may offer them for editing.
WORKFLOW_FIELDS = {
    "cases.case": {"state", "outcome", "lead", "supervised", "accepted_at", "closed_at"},
    "cases.referral": {"status", "decided_by"},
    "cases.extensionrequest": {"status", "decided_by"},
    "assistants.shift": {"assistant", "status", "checked_in_at", "checked_out_at"},
    "assistants.unavailability": {"status", "decided_by", "decided_at"},
    "assistants.swaprequest": {"status", "accepted_by", "decided_by"},
    "assistants.rota": {"status", "published_at"},
    "partners.assistantproposal": {"status", "decided_by"},
}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    return client


def registered_admins():
    for model in apps.get_models():
        if admin.site.is_registered(model):
            yield model, admin.site.get_model_admin(model)


def editable_fields(model_admin, request, obj):
    # As the admin's change view does: without the change permission the page only shows.
    if obj is not None and not model_admin.has_change_permission(request, obj):
        return set()
    form = model_admin.get_form(request, obj)
    return set(form.base_fields)


def test_every_workflow_model_has_an_admin_so_the_walk_below_checks_it():
    registered = {model._meta.label_lower for model, _ in registered_admins()}
    assert set(WORKFLOW_FIELDS) <= registered


def test_no_admin_add_or_change_form_offers_a_workflow_field(staff_user):
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    offending = []
    for model, model_admin in registered_admins():
        owned = WORKFLOW_FIELDS.get(model._meta.label_lower, set())
        if not owned:
            continue
        forms_to_check = [("change", model())]
        if model_admin.has_add_permission(request):
            forms_to_check.append(("add", None))
        for kind, obj in forms_to_check:
            editable = editable_fields(model_admin, request, obj) & owned
            if editable:
                offending.append(f"{model._meta.label_lower} {kind}: {sorted(editable)}")
    assert offending == []


@pytest.fixture
def point(db):
    return factories.make_service_point(name="茶亭社区服务点")


def test_the_shift_page_shows_holder_and_status_read_only_and_a_posted_holder_is_ignored(
    staff, point, assistant, second_assistant
):
    dispatch_all(point, assistant, second_assistant)
    shift = make_shift(service_point=point, assistant=assistant)
    url = reverse("admin:assistants_shift_change", args=[shift.pk])

    page = staff.get(url).content.decode()
    assert 'name="assistant"' not in page
    assert 'name="status"' not in page
    assert reverse("admin:assistants_shift_step", args=[shift.pk, "assign"]) in page

    staff.post(
        url,
        {
            "date": "2026-03-03",
            "starts_at_0": "2026-03-03",
            "starts_at_1": "09:00",
            "ends_at_0": "2026-03-03",
            "ends_at_1": "12:00",
            "service_point": point.pk,
            "specialty": shift.specialty,
            "assistant": second_assistant.pk,
            "status": "cancelled",
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    shift.refresh_from_db()
    assert (shift.assistant_id, shift.status) == (assistant.pk, "scheduled")


def test_staff_give_a_shift_to_an_assistant_through_the_service(
    staff, staff_user, point, assistant
):
    dispatch_all(point, assistant)
    shift = make_shift(service_point=point, specialty=assistant.specialty)
    url = reverse("admin:assistants_shift_step", args=[shift.pk, "assign"])

    response = staff.post(url, {"assistant": assistant.pk})

    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.assistant_id == assistant.pk
    event = ShiftEvent.objects.get(shift=shift, kind="assigned")
    assert (event.actor_id, event.assistant_id) == (staff_user.pk, assistant.pk)


def test_a_shift_given_to_an_assistant_not_posted_there_is_refused_and_unchanged(
    staff, point, assistant
):
    shift = make_shift(service_point=point, specialty=assistant.specialty)
    url = reverse("admin:assistants_shift_step", args=[shift.pk, "assign"])

    response = staff.post(url, {"assistant": assistant.pk}, follow=True)

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    shift.refresh_from_db()
    assert shift.assistant_id is None
    assert not ShiftEvent.objects.filter(shift=shift).exists()


def test_approving_leave_from_its_page_frees_the_shifts_and_writes_their_history(
    staff, staff_user, point, assistant
):
    dispatch_all(point, assistant)
    shift = make_shift(service_point=point, assistant=assistant)
    leave = make_leave(assistant=assistant, status="requested")
    change_page = staff.get(reverse("admin:assistants_unavailability_change", args=[leave.pk]))
    assert 'name="status"' not in change_page.content.decode()

    staff.post(reverse("admin:assistants_unavailability_step", args=[leave.pk, "approve"]))

    leave.refresh_from_db()
    shift.refresh_from_db()
    assert (leave.status, leave.decided_by_id) == ("approved", staff_user.pk)
    assert shift.assistant_id is None
    assert ShiftEvent.objects.filter(shift=shift, kind="opened_by_leave").exists()


def test_a_decided_leave_offers_no_step_and_refuses_one_posted_anyway(staff, assistant):
    leave = make_leave(assistant=assistant, status="rejected")
    page = staff.get(reverse("admin:assistants_unavailability_change", args=[leave.pk]))
    assert "/step/approve/" not in page.content.decode()

    staff.post(reverse("admin:assistants_unavailability_step", args=[leave.pk, "approve"]))

    leave.refresh_from_db()
    assert leave.status == "rejected"


def test_leave_added_in_the_admin_is_asked_through_the_service_and_starts_requested(
    staff, assistant
):
    make_leave(assistant=assistant, status="requested", ends_on=date(2026, 3, 5))
    url = reverse("admin:assistants_unavailability_add")
    fields = {"assistant": assistant.pk, "kind": "leave", "reason": "探亲"}

    overlapping = staff.post(url, fields | {"starts_on": "2026-03-05", "ends_on": "2026-03-06"})
    assert overlapping.status_code == 200
    assert overlapping.context["adminform"].form.non_field_errors()
    assert Unavailability.objects.count() == 1

    added = staff.post(
        url, fields | {"starts_on": "2026-03-09", "ends_on": "2026-03-10", "status": "approved"}
    )
    assert added.status_code == 302
    leave = Unavailability.objects.get(starts_on=date(2026, 3, 9))
    assert leave.status == "requested"


def test_bulk_approval_of_leave_goes_through_the_service(staff, point, assistant):
    dispatch_all(point, assistant)
    shift = make_shift(service_point=point, assistant=assistant)
    leave = make_leave(assistant=assistant, status="requested")

    staff.post(
        reverse("admin:assistants_unavailability_changelist"),
        {"action": "approve", "_selected_action": [leave.pk]},
    )

    shift.refresh_from_db()
    assert shift.assistant_id is None
    assert ShiftEvent.objects.filter(shift=shift, kind="opened_by_leave").exists()


def test_staff_approve_an_accepted_swap_from_its_page_and_the_shift_changes_hands(
    staff, point, assistant, second_assistant
):
    second_assistant.specialty = assistant.specialty
    second_assistant.save()
    dispatch_all(point, assistant, second_assistant)
    shift = make_shift(service_point=point, assistant=assistant)
    swap = make_swap(shift=shift, status="accepted", accepted_by=second_assistant)
    page = staff.get(reverse("admin:assistants_swaprequest_change", args=[swap.pk]))
    assert 'name="status"' not in page.content.decode()

    staff.post(reverse("admin:assistants_swaprequest_step", args=[swap.pk, "approve"]))

    swap.refresh_from_db()
    shift.refresh_from_db()
    assert swap.status == "approved"
    assert shift.assistant_id == second_assistant.pk
    assert ShiftEvent.objects.filter(shift=shift, kind="swap_approved").exists()


def test_bulk_rejection_of_swaps_writes_each_swaps_history(staff, point, assistant):
    dispatch_all(point, assistant)
    shift = make_shift(service_point=point, assistant=assistant)
    swap = make_swap(shift=shift, status="open")

    staff.post(
        reverse("admin:assistants_swaprequest_changelist"),
        {"action": "reject", "_selected_action": [swap.pk]},
    )

    swap.refresh_from_db()
    assert swap.status == "rejected"
    assert ShiftEvent.objects.filter(shift=shift, kind="swap_rejected").exists()


def test_swaps_cannot_be_added_in_the_admin(staff):
    assert staff.get(reverse("admin:assistants_swaprequest_add")).status_code == 403
    assert not SwapRequest.objects.exists()
    assert Shift.objects.count() == 0
