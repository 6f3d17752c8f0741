"""The inbox on the phone: unread ones marked, opening one marks it read and leads to its case."""

from talentoffice.models import Notification
from tests.factories.visits import make_case_in_progress


def notify(user, occasion, subject="提醒", link="", target=None):
    return Notification.objects.create(
        recipient=user,
        kind="case.warning",
        target=target,
        occasion=occasion,
        subject=subject,
        link=link,
    )


def test_the_inbox_lists_my_notifications_with_the_unread_ones_marked(bob, assistant):
    unread = notify(assistant.user, "a", "截止日期临近")
    page = bob.get("/m/inbox/").content.decode()
    assert "截止日期临近" in page
    assert f'data-notification-id="{unread.pk}" data-unread="1"' in page
    assert 'data-testid="unread-count">1<' in bob.get("/m/").content.decode()


def test_opening_a_case_notification_marks_it_read_and_goes_to_the_case(bob, assistant):
    case = make_case_in_progress(lead=assistant)
    note = notify(assistant.user, "2026-03-05", target=case)
    response = bob.get(f"/m/inbox/{note.pk}/")
    assert response["Location"] == f"/m/cases/{case.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_shift_reminder_leads_to_the_shift(bob, assistant, shift):
    note = notify(assistant.user, str(assistant.pk), target=shift)
    assert bob.get(f"/m/inbox/{note.pk}/")["Location"] == f"/m/shifts/{shift.pk}/"


def test_a_return_visit_reminder_leads_to_the_follow_up_form(bob, assistant):
    from cases import workflow

    case = workflow.resolve_case(case=make_case_in_progress(lead=assistant), outcome="resolved")
    follow_up = case.follow_ups.get()
    note = notify(assistant.user, "", target=follow_up)
    assert bob.get(f"/m/inbox/{note.pk}/")["Location"] == f"/m/cases/{case.pk}/follow-up/"


def test_a_notification_about_nothing_in_particular_stays_in_the_inbox(bob, assistant):
    note = notify(assistant.user, "2026-03-03", link="/admin/cases/case/")
    assert bob.get(f"/m/inbox/{note.pk}/")["Location"] == "/m/inbox/"


def test_mark_all_read(bob, assistant, second_assistant):
    notify(assistant.user, "a")
    notify(assistant.user, "b")
    theirs = notify(second_assistant.user, "c")
    bob.post("/m/inbox/read/")
    assert not Notification.objects.filter(recipient=assistant.user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
