"""The audit trail: every create, update and delete of the programme's records, bulk included."""

import contextvars
from datetime import date, timedelta

import pytest
from auditlog.context import set_actor
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import pre_save
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from assistants import rota as rota_service
from assistants import shifts
from assistants.models import Assistant, Dispatch
from assistants.services import withdraw_assistants
from cases import visits
from cases.models import FollowUp, PersonalDataAccess
from partners.models import Partner
from talentoffice.audit import SYSTEM_USERNAME, system_actor
from talentoffice.database_rules import append_only_unlocked
from tests import factories
from tests.factories.assign import make_case
from tests.factories.notify import make_user
from tests.factories.shifts import make_rota
from tests.factories.visits import an_hour_ago


def entries(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")


def make_visit():
    visit, _created = visits.log_visit(
        assistant=factories.make_assistant(),
        kind="consultation",
        occurred_at=an_hour_ago(),
        duration_minutes=30,
        service_point=factories.make_service_point(),
    )
    return visit


def make_follow_up():
    return FollowUp.objects.create(case=make_case(), due_on=date(2026, 12, 1))


# model, how to make one, a field to change, its new value
TRACKED = [
    ("partner", factories.make_partner, "short_name", "新简称"),
    ("agreement", factories.make_agreement, "title", "补充协议"),
    ("assistant", factories.make_assistant, "title", "高级经理"),
    ("dispatch", factories.make_dispatch, "note", "驻点调整"),
    ("shift", factories.make_shift, "status", "cancelled"),
    ("case", make_case, "title", "改过的标题"),
    ("visit", make_visit, "notes", "补记"),
    ("follow-up", make_follow_up, "notes", "电话回访"),
]


@pytest.mark.parametrize(("label", "make", "field", "value"), TRACKED, ids=[t[0] for t in TRACKED])
def test_creating_changing_and_deleting_each_tracked_record_is_recorded_with_its_actor(
    staff_user, label, make, field, value
):
    with set_actor(staff_user, remote_addr="10.1.2.3"):
        obj = make()
        old = getattr(obj, field)
        setattr(obj, field, value)
        obj.save()
        pk, model = obj.pk, type(obj)
        obj.delete()

    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=pk
    ).order_by("timestamp", "pk")
    actions = [entry.action for entry in logged]
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE]
    update = logged[1]
    assert update.changes[field] == [str(old), value]
    assert {entry.actor for entry in logged} == {staff_user}
    assert {entry.remote_addr for entry in logged} == {"10.1.2.3"}


def test_a_change_made_in_the_admin_records_the_signed_in_user_and_their_address(
    staff_client, staff_user
):
    agreement = factories.make_agreement(title="旧协议")
    url = reverse("admin:partners_agreement_change", args=[agreement.pk])
    response = staff_client.post(
        url,
        {
            "partner": agreement.partner_id,
            "title": "新协议",
            "signed_on": "2024-01-10",
            "starts_on": "2024-01-10",
            "ends_on": "2026-12-31",
        },
        REMOTE_ADDR="192.0.2.7",
    )

    assert response.status_code == 302
    update = entries(agreement).get(action=LogEntry.Action.UPDATE)
    assert update.actor == staff_user
    assert update.remote_addr == "192.0.2.7"
    assert update.changes["title"] == ["旧协议", "新协议"]


def test_a_request_sets_its_actor_and_address_and_nothing_outlives_the_request(rf, staff_user):
    """auditlog's middleware gives the request's writes its user and address, and leaves no
    receiver behind once the request is answered."""
    agreement = factories.make_agreement(title="旧协议")

    def view(request):
        agreement.title = "请求中改"
        agreement.save()
        return HttpResponse()

    request = rf.post("/", REMOTE_ADDR="192.0.2.44")
    request.user = staff_user
    receivers_before = len(pre_save.receivers)
    AuditlogMiddleware(view)(request)

    assert len(pre_save.receivers) == receivers_before
    update = entries(agreement).get(action=LogEntry.Action.UPDATE)
    assert (update.actor, update.remote_addr) == (staff_user, "192.0.2.44")
    # After the request, a write is no longer the request's.
    agreement.title = "请求后改"
    agreement.save()
    after = entries(agreement).filter(action=LogEntry.Action.UPDATE).last()
    assert (after.actor, after.remote_addr) == (None, None)


def test_set_actor_inside_a_request_names_its_own_actor(rf, staff_user):
    agreement = factories.make_agreement(title="旧协议")

    def view(request):
        with set_actor(make_user(username="bob"), remote_addr="198.51.100.9"):
            agreement.title = "set_actor 改"
            agreement.save()
        return HttpResponse()

    request = rf.post("/", REMOTE_ADDR="192.0.2.44")
    request.user = staff_user
    AuditlogMiddleware(view)(request)

    nested = entries(agreement).get(action=LogEntry.Action.UPDATE)
    assert (nested.actor.username, nested.remote_addr) == ("bob", "198.51.100.9")


def test_a_task_run_inside_a_request_records_the_system_as_actor(rf, staff_user):
    """As with auditlog's own middleware: the system actor's receiver comes first."""
    agreement = factories.make_agreement(title="旧协议")

    def view(request):
        with system_actor("celery task partners.tasks.example"):
            agreement.title = "任务改"
            agreement.save()
        return HttpResponse()

    request = rf.post("/", REMOTE_ADDR="192.0.2.45")
    request.user = staff_user
    AuditlogMiddleware(view)(request)

    update = entries(agreement).get(action=LogEntry.Action.UPDATE)
    assert update.actor.username == SYSTEM_USERNAME
    assert update.additional_data["process"] == "celery task partners.tasks.example"
    assert update.remote_addr == "192.0.2.45"


def test_a_context_copied_during_a_request_names_nobody_once_it_is_over(rf, staff_user):
    """A task started under ASGI keeps a copy of the request's context; once the request is
    answered its writes are no longer the request's, as with auditlog's own middleware."""
    agreement = factories.make_agreement(title="旧协议")
    copied = {}

    def view(request):
        copied["context"] = contextvars.copy_context()
        return HttpResponse()

    request = rf.post("/", REMOTE_ADDR="192.0.2.46")
    request.user = staff_user
    AuditlogMiddleware(view)(request)

    def save_later():
        agreement.title = "请求后改"
        agreement.save()

    copied["context"].run(save_later)
    update = entries(agreement).get(action=LogEntry.Action.UPDATE)
    assert (update.actor, update.remote_addr) == (None, None)


def test_suspending_partners_in_bulk_leaves_one_entry_per_partner_changed(staff_client, staff_user):
    first, second = factories.make_partner(), factories.make_partner()
    already = factories.make_partner(status="suspended")

    response = staff_client.post(
        reverse("admin:partners_partner_changelist"),
        {"action": "suspend", "_selected_action": [first.pk, second.pk, already.pk]},
        REMOTE_ADDR="192.0.2.8",
    )

    assert response.status_code == 302
    for partner in (first, second):
        update = entries(partner).get(action=LogEntry.Action.UPDATE)
        assert update.changes == {"status": ["active", "suspended"]}
        assert update.actor == staff_user
        assert update.remote_addr == "192.0.2.8"
        assert update.object_repr == str(partner)
    assert not entries(already).filter(action=LogEntry.Action.UPDATE).exists()
    assert set(Partner.objects.values_list("status", flat=True)) == {"suspended"}


def test_withdrawing_assistants_records_their_status_and_their_ended_dispatches(staff_user):
    assistant = factories.make_assistant()
    under_way = factories.make_dispatch(assistant=assistant, starts_on=date(2026, 1, 1))
    future = factories.make_dispatch(assistant=assistant, starts_on=date(2027, 1, 1))

    with set_actor(staff_user):
        withdraw_assistants(assistants=[assistant], on_date=date(2026, 11, 22))

    assert entries(assistant).get(action=LogEntry.Action.UPDATE).changes == {
        "status": ["active", "withdrawn"]
    }
    assert entries(under_way).get(action=LogEntry.Action.UPDATE).changes == {
        "ends_on": ["None", "2026-11-22"]
    }
    assert entries(future).filter(action=LogEntry.Action.DELETE).exists()
    assert not Dispatch.objects.filter(pk=future.pk).exists()
    assert Assistant.objects.get(pk=assistant.pk).status == "withdrawn"


def test_publishing_a_rota_records_each_of_its_shifts_with_the_publisher(staff_user):
    rota = make_rota(status="draft", published_at=None)
    point = factories.make_service_point()
    made = [
        factories.make_shift(rota=rota, service_point=point, date=date(2026, 3, day))
        for day in (2, 3, 4)
    ]

    with set_actor(staff_user, remote_addr="192.0.2.9"):
        rota_service.publish_rota(rota=rota, by=staff_user, notify_assistants=False)

    for shift in made:
        published = entries(shift).filter(additional_data__bulk__startswith="rota published")
        assert published.count() == 1
        entry = published.get()
        assert entry.actor == staff_user
        assert entry.remote_addr == "192.0.2.9"
        assert entry.changes["service_point"] == ["None", str(point.pk)]


def test_a_sweep_marking_shifts_missed_records_the_system_as_actor(db, time_machine):
    assistant = factories.make_assistant()
    shift = factories.make_shift(assistant=assistant)
    now = shift.starts_at + timedelta(minutes=30)
    time_machine.move_to(now, tick=False)

    with system_actor("celery task assistants.tasks.sweep_reminders"):
        missed = shifts.mark_missed_shifts(now=now)

    assert missed == [shift.pk]
    entry = entries(shift).get(action=LogEntry.Action.UPDATE)
    assert entry.changes == {"status": ["scheduled", "missed"]}
    assert entry.actor.username == SYSTEM_USERNAME
    assert not entry.actor.is_active
    assert entry.additional_data["process"] == "celery task assistants.tasks.sweep_reminders"


def test_a_celery_task_records_the_system_as_actor_and_names_itself(db, settings):
    from cases.tasks import anonymize_expired_residents

    settings.RESIDENT_RETENTION_DAYS = 30
    from tests.privacy.test_retention import closed_case_for

    resident = factories.make_resident()
    closed_case_for(resident, closed_at=timezone.now() - timedelta(days=40))

    anonymize_expired_residents.apply()

    update = entries(resident).get(action=LogEntry.Action.UPDATE)
    assert update.actor.username == SYSTEM_USERNAME
    assert update.additional_data["process"] == (
        "celery task cases.tasks.anonymize_expired_residents"
    )


def test_a_residents_personal_data_appears_in_the_trail_only_masked(staff_user):
    with set_actor(staff_user):
        resident = factories.make_resident(phone="13812345678", address="台江区工业路8号3栋")
        resident.phone = "13987654321"
        resident.save()

    update = entries(resident).get(action=LogEntry.Action.UPDATE)
    assert update.changes["phone"] == ["13*******78", "13*******21"]
    create = entries(resident).get(action=LogEntry.Action.CREATE)
    assert "台江区工业路8号3栋" not in str(create.changes)
    assert "id_number_hash" not in create.changes


# -- nobody may change the trail --------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_an_audit_entry(staff_user):
    partner = factories.make_partner()
    entry = entries(partner).get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()

    assert LogEntry.objects.get(pk=entry.pk).object_repr == str(partner)


def test_the_database_refuses_to_change_or_delete_a_personal_data_access_record(staff_user):
    access = PersonalDataAccess.objects.create(
        kind=PersonalDataAccess.Kind.EXPORT, user=staff_user, username="alice"
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PersonalDataAccess.objects.filter(pk=access.pk).update(reason="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PersonalDataAccess.objects.filter(pk=access.pk).delete()

    assert PersonalDataAccess.objects.get(pk=access.pk).reason == ""


def test_retention_may_rewrite_the_trail_inside_its_block_and_nobody_after_it(staff_user):
    partner = factories.make_partner()
    entry = entries(partner).get()

    with append_only_unlocked():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="匿名")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="forged")

    assert LogEntry.objects.get(pk=entry.pk).object_repr == "匿名"


def test_a_failed_rewrite_leaves_the_trail_locked(staff_user):
    partner = factories.make_partner()
    entry = entries(partner).get()

    with pytest.raises(ValueError), append_only_unlocked():
        raise ValueError("retention failed half-way")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="forged")


# Transactional: PostgreSQL's TRUNCATE cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_leaves_it_locked():
    partner = factories.make_partner()
    assert entries(partner).exists()

    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)

    assert not LogEntry.objects.exists()
    # The flush emptied the content types too; the test's own flush makes them again.
    ContentType.objects.clear_cache()
    entry = entries(factories.make_partner()).get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_write_the_trail_and_is_emptied_after_it():
    # Django empties every table after a transactional test (flush); the append-only triggers
    # must let that through or this test errors in its teardown.
    partner = factories.make_partner()

    assert entries(partner).exists()


def test_removing_a_user_keeps_their_audit_entries(staff_user):
    other = factories_user("gina")
    with set_actor(other):
        partner = factories.make_partner()

    other.delete()

    entry = entries(partner).get()
    assert entry.actor is None
    assert entry.object_repr == str(partner)


def factories_user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password=f"{username}-pass-123")


def test_the_admin_offers_no_way_to_add_change_or_delete_an_entry(staff_client):
    partner = factories.make_partner()
    entry = entries(partner).get()
    change_url = reverse("admin:auditlog_logentry_change", args=[entry.pk])

    page = staff_client.get(change_url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert staff_client.post(change_url, {"object_repr": "forged"}).status_code == 403
    delete_url = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert staff_client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    assert LogEntry.objects.get(pk=entry.pk).object_repr == str(partner)


# -- reading the trail ------------------------------------------------------------------------


def test_a_records_history_page_shows_who_changed_which_field_from_what_to_what(
    staff_client, staff_user
):
    with set_actor(staff_user, remote_addr="192.0.2.10"):
        partner = factories.make_partner(short_name="旧简称")
        partner.short_name = "新简称"
        partner.save()

    response = staff_client.get(reverse("admin:partners_partner_history", args=[partner.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert "旧简称" in text and "新简称" in text
    assert "alice" in text
    assert "192.0.2.10" in text


@pytest.mark.parametrize("changes", [1, 8])
def test_the_history_page_runs_a_fixed_number_of_queries(
    staff_client, staff_user, changes, django_assert_num_queries
):
    with set_actor(staff_user):
        dispatch = factories.make_dispatch()
        for number in range(changes):
            dispatch.note = f"第{number}次"
            dispatch.service_point = factories.make_service_point()
            dispatch.save()
    url = reverse("admin:assistants_dispatch_history", args=[dispatch.pk])

    # 1. session, 2. user, 3. the dispatch, 4.-5. its assistant and service point (its title),
    # 6. the count of its entries, 7. one page of entries with actor and content type,
    # 8.-9. the service points and the assistants (with their partners) named in the changes.
    with django_assert_num_queries(9):
        assert staff_client.get(url).status_code == 200


def test_the_history_of_another_partners_record_is_not_shown(client, partner_a_manager):
    other = factories.make_partner()
    client.force_login(partner_a_manager)

    response = client.get(reverse("admin:partners_partner_history", args=[other.pk]))

    assert response.status_code in {302, 403, 404}
    assert str(other.name) not in response.content.decode()


def test_the_whole_trail_is_searchable_by_record_and_by_user(staff_client, staff_user):
    with set_actor(staff_user):
        factories.make_partner(short_name="兴业银行福州分行")
    factories.make_partner(short_name="招商银行")

    by_name = staff_client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "兴业"})
    by_user = staff_client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "alice"})

    assert by_name.status_code == 200
    assert "兴业银行福州分行" in by_name.content.decode()
    assert "招商银行" not in by_name.content.decode()
    assert "兴业银行福州分行" in by_user.content.decode()
    assert "招商银行" not in by_user.content.decode()


@pytest.mark.parametrize("extra", [1, 12])
def test_the_trail_list_runs_a_fixed_number_of_queries(
    staff_client, extra, django_assert_num_queries
):
    for _number in range(extra):
        factories.make_partner()

    # 1. session, 2. user, 3. the content types for the filter, 4. the planner's estimate (on
    # PostgreSQL; SQLite has none and counts), 5. the exact count (a small table), 6. one page of
    # entries with content type and actor, 7.-8. the date hierarchy's first and last day, and the
    # days it lists.
    with django_assert_num_queries(7 + (connection.vendor == "postgresql")):
        response = staff_client.get(reverse("admin:auditlog_logentry_changelist"))

    assert response.status_code == 200
