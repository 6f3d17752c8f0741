"""Production smoke test: gunicorn, a Celery worker and beat as real processes with production
settings on the real PostgreSQL (the test database) and Redis, driven over real HTTP as staff and
assistants would, then stopped the way systemd stops them, leaving no process behind.
"""

import json
import re
from datetime import time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assistants.models import Rota, Shift, ShiftTemplate
from cases.models import Visit
from talentoffice.models import Delivery, Notification
from tests import factories
from tests.factories.notify import make_rota, make_shift, make_user
from tests.factories.visits import make_case_in_progress
from tests.production.conftest import HEALTH_TOKEN, database_url_of_test_database, wait_for


@pytest.fixture
def district(transactional_db):
    """Alice (staff), a service window with a template every day, and two assistants there."""
    alice = make_user(username="alice", is_staff=True, is_superuser=True)
    alice.set_password("alice-pass-123")
    alice.save()
    point = factories.make_service_point(name="台江区人才助理专窗", kind="service_window")
    for weekday in range(7):
        ShiftTemplate.objects.create(
            service_point=point, weekday=weekday, starts_at=time(9), ends_at=time(12)
        )
    people = {}
    for username, sector, kind in (("bob", "finance", "bank"), ("charlie", "legal", "law_firm")):
        user = make_user(username=username)
        user.set_password(f"{username}-pass-123")
        user.save()
        partner = factories.make_partner(sector=sector, kind=kind)
        people[username] = factories.make_assistant(partner=partner, user=user)
        factories.make_dispatch(assistant=people[username], service_point=point)
    # Already published: Bob is on duty now, Charlie starts in half an hour.
    today = timezone.localdate()
    duty = make_rota(name="today", starts_on=today, ends_on=today + timedelta(days=1))
    now = timezone.now()
    on_duty = make_shift(
        starts_at=now - timedelta(minutes=10), assistant=people["bob"], service_point=point,
        rota=duty,
    )  # fmt: skip
    make_shift(
        starts_at=now + timedelta(minutes=30), assistant=people["charlie"], service_point=point,
        rota=duty,
    )  # fmt: skip
    case = make_case_in_progress(lead=people["bob"])
    return {"alice": alice, "point": point, "on_duty": on_duty, "case": case, **people}


def json_lines(log: str) -> list[dict]:
    """The JSON log lines of a process's output (gunicorn's own lines are plain text)."""
    lines = []
    for line in log.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_production_processes_serve_staff_and_deliver_notifications_then_stop_cleanly(
    district, redis_broker, stack_factory
):
    stack = stack_factory(
        database_url=database_url_of_test_database(), broker_url=settings.CELERY_BROKER_URL
    )
    web = stack.web(workers=2)
    worker = stack.worker(concurrency=2)
    beat = stack.beat()
    staff = stack.client()
    # The monitor's token: the health check's details, without a login.
    staff.headers["Authorization"] = f"Bearer {HEALTH_TOKEN}"

    # The health check turns green once beat and a worker have started and recorded themselves.
    def healthy():
        response = staff.get("/health/")
        return response if response.status_code == 200 else None

    assert wait_for(healthy, timeout=60, interval=0.5), stack.logs()
    health = staff.get("/health/").json()
    assert {name: check["ok"] for name, check in health["checks"].items()} == {
        "database": True,
        "broker": True,
        "beat": True,
        "worker": True,
    }
    # A load balancer's probe, without the token: the status and nothing else.
    probe = stack.client()
    assert probe.get("/health/").json() == {"status": "ok"}
    assert probe.head("/health/").status_code == 200

    # Static files come from whitenoise, compressed and with a far-future cache.
    page = staff.get("/admin/login/")
    hashed = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text)
    assert hashed, page.text[:1500]
    css = staff.get(hashed.group(1), headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]

    # Plain HTTP without the proxy's header is sent to https by Django's security middleware
    # only when SECURE_SSL_REDIRECT is on; production cookies are Secure and HSTS is set.
    assert "Strict-Transport-Security" in page.headers
    assert "Secure" in page.headers["Set-Cookie"]

    # Alice logs in to the admin (CSRF cookie and token), generates next week's rota for the
    # service window on the staff rota pages and publishes it.
    staff.log_in_to_admin("alice", "alice-pass-123")
    assert staff.get("/admin/").status_code == 200
    assert staff.get("/rota/").status_code == 200
    first = timezone.localdate() + timedelta(days=2)
    generated = staff.post_form(
        "/rota/generate/",
        {
            "starts_on": first.isoformat(),
            "ends_on": (first + timedelta(days=6)).isoformat(),
            "service_point": district["point"].pk,
            "name": "smoke",
        },
    )
    assert generated.status_code == 302, generated.text[:3000]
    rota = Rota.objects.get(name="smoke")
    assert generated.headers["Location"] == f"/rota/{rota.pk}/"
    assert staff.get(f"/rota/{rota.pk}/").status_code == 200
    published = staff.post_form(f"/rota/{rota.pk}/publish/", {})
    assert published.status_code == 302, published.text[:3000]
    rota.refresh_from_db()
    assert rota.status == "published"
    assigned = rota.shifts.filter(assistant__isnull=False)
    assert set(assigned.values_list("assistant__user__username", flat=True)) == {
        "bob",
        "charlie",
    }

    # The worker e-mails each assistant the message about their new shifts (their inbox is the
    # notification itself).
    def delivered():
        statuses = list(
            Delivery.objects.filter(
                notification__kind="rota_published", channel="email"
            ).values_list("status", flat=True)
        )
        return statuses == ["sent", "sent"]

    assert wait_for(delivered, timeout=60), stack.logs()
    assert sorted(
        Notification.objects.filter(kind="rota_published").values_list(
            "recipient__username", flat=True
        )
    ) == ["bob", "charlie"]

    # Beat's reminder sweep (every minute; here made due now instead of waiting for it) finds
    # Charlie's shift starting within the hour, and the worker delivers the reminder.
    sweep = PeriodicTask.objects.get(name="reminder-sweep")
    sweep.last_run_at = timezone.now() - timedelta(minutes=5)
    sweep.save()  # the scheduler notices a changed row within its 5 s and reloads

    def reminded():
        return Delivery.objects.filter(
            notification__kind="shift.before_shift",
            notification__recipient__username="charlie",
            channel="email",
            status="sent",
        ).exists()

    assert wait_for(reminded, timeout=60), (
        list(Notification.objects.values_list("kind", "recipient__username")),
        stack.logs(),
    )

    # Bob, on his phone: logs in on /m/, checks in to the shift he is on, logs a visit to his
    # case, and sends the same visit form again when the answer seemed lost.
    phone = stack.client()
    login = phone.get("/m/login/")
    assert login.status_code == 200
    signed_in = phone.post_form("/m/login/", {"username": "bob", "password": "bob-pass-123"})
    assert (signed_in.status_code, signed_in.headers["Location"]) == (302, "/m/")
    assert phone.get("/m/").status_code == 200
    on_duty = district["on_duty"]
    checked_in = phone.post_form(f"/m/shifts/{on_duty.pk}/check-in/", {})
    assert checked_in.status_code == 302
    assert Shift.objects.get(pk=on_duty.pk).status == "checked_in"
    case = district["case"]
    form = phone.get(f"/m/visits/new/?target=case:{case.pk}")
    assert form.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text).group(1)
    visit = {
        "idempotency_key": key,
        "target": f"case:{case.pk}",
        "kind": "consultation",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "45",
        "people_present": "2",
        "notes": "smoke test visit",
    }
    for _ in range(2):
        sent = phone.post_form("/m/visits/new/", visit)
        assert (sent.status_code, sent.headers["Location"]) == (302, f"/m/cases/{case.pk}/")
    assert list(Visit.objects.values_list("idempotency_key", "duration_minutes")) == [(key, 45)]

    # One request ID follows the publish from the web log into the worker's log of the task.
    request_id = published.headers["X-Request-ID"]
    web_lines = [line for line in json_lines(web.log()) if line.get("request_id") == request_id]
    assert [(line["method"], line["path"], line["status"]) for line in web_lines] == [
        ("POST", f"/rota/{rota.pk}/publish/", 302)
    ]
    worker_lines = [
        line for line in json_lines(worker.log()) if line.get("request_id") == request_id
    ]
    assert any("deliver_notification" in line["message"] for line in worker_lines), worker.log()[
        -3000:
    ]

    # Stopped as systemd would: SIGTERM, a wait, and nothing left running.
    families = [p.family() for p in (web, worker, beat)]
    assert len(families[0]) == 3  # the gunicorn master and its two workers
    assert stack.stop_all() == []
    assert not any(p.is_running() for family in families for p in family)
    assert web.popen.returncode == 0
    assert worker.popen.returncode == 0
