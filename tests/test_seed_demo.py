"""`manage.py seed_demo`: the demo district's volumes, determinism, validity and logins, and its
duty rota: templates, leave, published rotas for this month and the next, attendance, swaps."""

import hashlib
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.utils import translation
from rest_framework.test import APIClient

from assistants.models import (
    Assistant,
    Dispatch,
    Rota,
    ServicePoint,
    Shift,
    ShiftEvent,
    ShiftTemplate,
    Skill,
    SwapRequest,
    Unavailability,
)
from assistants.rota import LOCAL_TZ
from cases.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CouncilMeeting,
    Enterprise,
    EnterpriseLiaison,
    ExtensionRequest,
    FollowUp,
    Referral,
    Resident,
    ServiceCategory,
    ServiceItem,
    Visit,
)
from cases.sweeps import overdue_cases, overdue_follow_ups
from cases.workflow import create_case
from demo.seeding.common import (
    DEMO_OFFERS,
    CreditCodes,
    MobileNumbers,
    _split,
)
from partners.models import Agreement, Partner, PartnerContact
from talentoffice import roles
from talentoffice.models import Community, Street
from talentoffice.validators import (
    LICENCE_NUMBER_PATTERN,
    MOBILE_PATTERN,
    validate_credit_code,
)

LOGIN_LINE = re.compile(r"^demo login: (staff|assistant|partner|admin) (\S+) (\S+)$")
API_KEY_LINE = re.compile(r"^demo api key: (\S+) (\S+)$", re.MULTILINE)
# Mid-September 2026: the demo's two rota months hold the Mid-Autumn and National Day holidays
# and the make-up Sunday of 20 September.
TODAY = date(2026, 9, 15)


@pytest.fixture(autouse=True)
def _frozen_today(time_machine):
    """The rota follows today's date; a fixed day keeps two runs of a test comparable."""
    time_machine.move_to(datetime(2026, 9, 15, 10, 0, tzinfo=LOCAL_TZ), tick=False)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The command hashes five demo passwords; PBKDF2 would make them most of each run's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    """Run the command and return what it printed."""
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def district_digest() -> str:
    """A fingerprint of the generated data that leaves out primary keys and timestamps."""
    rows = [
        list(Street.objects.order_by("name").values_list("name", "code")),
        list(
            Community.objects.order_by("street__name", "name").values_list("street__name", "name")
        ),
        list(Partner.objects.order_by("name").values_list("name", "credit_code", "address")),
        list(
            Agreement.objects.order_by("partner__name").values_list(
                "partner__name", "signed_on", "starts_on", "ends_on"
            )
        ),
        list(PartnerContact.objects.order_by("phone").values_list("name", "phone", "role")),
        list(
            Assistant.objects.order_by("phone").values_list(
                "name", "phone", "licence_number", "partner__name", "status", "party_member"
            )
        ),
        list(
            Assistant.skills.through.objects.order_by(
                "assistant__phone", "skill__name"
            ).values_list("assistant__phone", "skill__name")
        ),
        list(
            ServicePoint.objects.order_by("name").values_list(
                "name", "address", "latitude", "longitude", "opening_hours"
            )
        ),
        list(
            Dispatch.objects.order_by("assistant__phone", "service_point__name").values_list(
                "assistant__phone", "service_point__name", "starts_on", "ends_on"
            )
        ),
        list(ServiceItem.objects.order_by("code").values_list("code", "name", "target_days")),
        list(
            Enterprise.objects.order_by("credit_code").values_list(
                "name", "credit_code", "address", "contact_phone"
            )
        ),
        list(
            Resident.objects.order_by("phone").values_list(
                "name", "phone", "community__name", "address", "household_size"
            )
        ),
        list(
            ShiftTemplate.objects.order_by(
                "service_point__name", "weekday", "starts_at"
            ).values_list(
                "service_point__name",
                "weekday",
                "starts_at",
                "ends_at",
                "finance_needed",
                "legal_needed",
            )
        ),
        list(
            Unavailability.objects.order_by("assistant__phone", "starts_on").values_list(
                "assistant__phone", "kind", "starts_on", "ends_on", "status", "reason"
            )
        ),
        list(
            Rota.objects.order_by("starts_on").values_list("name", "starts_on", "ends_on", "status")
        ),
        list(
            Shift.objects.order_by(
                "starts_at", "service_point__name", "specialty", "assistant__phone"
            ).values_list(
                "service_point__name", "starts_at", "specialty", "assistant__phone", "status"
            )
        ),
        list(
            SwapRequest.objects.order_by("shift__starts_at", "requested_by__phone").values_list(
                "shift__service_point__name",
                "shift__starts_at",
                "requested_by__phone",
                "offered_to__phone",
                "status",
                "note",
            )
        ),
        list(
            Case.objects.order_by("number").values_list(
                "number",
                "title",
                "state",
                "outcome",
                "service_item__code",
                "lead__phone",
                "resident__phone",
                "enterprise__credit_code",
                "source",
                "target_date",
                "created_at",
                "accepted_at",
                "resolved_at",
                "follow_up_due",
            )
        ),
        list(
            CaseEvent.objects.order_by("case__number", "at", "kind").values_list(
                "case__number", "kind", "at", "from_state", "to_state", "assistant__phone"
            )
        ),
        list(
            FollowUp.objects.order_by("case__number").values_list(
                "case__number", "due_on", "done_at", "satisfaction", "still_solved"
            )
        ),
        list(
            Visit.objects.order_by("occurred_at", "assistant__phone").values_list(
                "kind", "occurred_at", "assistant__phone", "case__number", "enterprise__name"
            )
        ),
        list(CouncilMeeting.objects.order_by("held_on", "title").values_list("title", "held_on")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def digest_of_a_run(*args) -> str:
    """Seed inside a savepoint, fingerprint the result, then roll it back for the next run."""
    with transaction.atomic():
        seed(*args)
        digest = district_digest()
        transaction.set_rollback(True)
    return digest


def test_it_creates_the_programme_volumes_on_an_empty_database(db):
    output = seed()

    assert Street.objects.count() == 6
    assert 28 <= Community.objects.count() <= 32
    assert Partner.objects.count() == 44
    assert Partner.objects.filter(sector="finance").count() == 14
    assert Partner.objects.filter(sector="legal", kind="law_firm").count() == 30
    assert Agreement.objects.count() == PartnerContact.objects.count() == 44
    assert Assistant.objects.count() >= 300
    assert Assistant.objects.filter(specialty="finance").count() == 120
    assert Assistant.objects.filter(specialty="legal").count() == 190
    assert Skill.objects.count() == 8
    assert ServiceCategory.objects.count() == 4
    assert ServiceItem.objects.count() == 21
    assert ServicePoint.objects.filter(kind="community_point").count() == 10
    assert ServicePoint.objects.filter(kind="project_site").count() == 2
    assert ServicePoint.objects.get(kind="service_window").name == "台江区人才助理专窗"
    assert ServicePoint.objects.get(kind="talent_home").name == "台江人才之家"
    assert Dispatch.objects.count() >= Assistant.objects.count()
    assert Enterprise.objects.count() == 300
    assert Resident.objects.count() == 2000
    assert "  residents: 2000" in output
    assert Rota.objects.count() == 2
    assert f"  shifts: {Shift.objects.count()}" in output


def test_assistants_match_their_partner_and_only_lawyers_carry_licence_numbers(db):
    seed()

    assert not Assistant.objects.exclude(specialty=F("partner__sector")).exists()
    licences = list(
        Assistant.objects.filter(specialty="legal").values_list("licence_number", flat=True)
    )
    assert all(re.fullmatch(LICENCE_NUMBER_PATTERN, number) for number in licences)
    assert len(set(licences)) == len(licences)
    assert not Assistant.objects.filter(specialty="finance").exclude(licence_number="").exists()
    assert Assistant.skills.through.objects.exists()


def test_phones_and_credit_codes_are_valid_and_never_shared(db):
    seed()

    phones = [
        *Assistant.objects.values_list("phone", flat=True),
        *Resident.objects.values_list("phone", flat=True),
        *PartnerContact.objects.values_list("phone", flat=True),
    ]
    assert all(re.fullmatch(MOBILE_PATTERN, phone) for phone in phones)
    # Unique across the whole district, not only per table: nobody shares a number.
    assert len(set(phones)) == len(phones)
    # The last eight digits are unique too, so numbers do not look like copies of each other.
    assert len({phone[3:] for phone in phones}) == len(phones)
    codes = [
        *Partner.objects.values_list("credit_code", flat=True),
        *Enterprise.objects.values_list("credit_code", flat=True),
    ]
    for code in codes:
        validate_credit_code(code)
    assert len(set(codes)) == len(codes)


def test_every_generated_record_passes_full_clean(db):
    seed()

    for model in [
        Street,
        Community,
        Partner,
        Agreement,
        PartnerContact,
        Skill,
        Assistant,
        ServicePoint,
        Dispatch,
        ServiceCategory,
        ServiceItem,
        Enterprise,
        Resident,
        ShiftTemplate,
        Unavailability,
        Rota,
        Shift,
        SwapRequest,
        Case,
        CaseEvent,
        Visit,
        FollowUp,
        Referral,
        ExtensionRequest,
        CouncilMeeting,
        EnterpriseLiaison,
    ]:
        sample = model.objects.order_by("pk")[:50]
        assert sample, model
        for record in sample:
            record.full_clean()


def test_the_same_seed_gives_the_same_district_and_another_seed_a_different_one(db):
    first = digest_of_a_run("--seed", "2024")
    again = digest_of_a_run("--seed", "2024")
    other = digest_of_a_run("--seed", "7")

    assert first == again
    assert other != first


def test_it_prints_the_demo_logins_and_their_passwords_work(db):
    output = seed()

    logins = [LOGIN_LINE.match(line) for line in output.splitlines()]
    logins = [match.groups() for match in logins if match]
    assert [role for role, _, _ in logins] == [
        "staff",
        "assistant",
        "assistant",
        "assistant",
        "partner",
        "admin",
    ]
    for role, username, password in logins:
        user = authenticate(username=username, password=password)
        assert user is not None, username
        if role == "staff":
            # The demo's staff login is a district staff member, as staff will be.
            assert user.is_staff and not user.is_superuser
            assert user.groups.filter(name=roles.DISTRICT_STAFF).exists()
        elif role == "admin":
            assert user.is_staff and user.is_superuser
        elif role == "assistant":
            assert Assistant.objects.get(user=user).status == "active"
            assert not user.is_staff
        else:
            assert PartnerContact.objects.get(user=user).partner.short_name == "海峡银行"
            assert not user.is_staff
    assert output.rstrip().endswith(" ".join(logins[-1]))


def test_the_demo_superuser_gets_a_random_password_printed_once(db):
    output = seed()

    logins = [LOGIN_LINE.match(line) for line in output.splitlines()]
    passwords = {username: password for _, username, password in (m.groups() for m in logins if m)}
    password = passwords["admin"]
    assert password != "demo-admin-2024"
    assert "2024" not in password
    assert len(password) >= 16
    assert output.count(password) == 1
    assert authenticate(username="admin", password=password).is_superuser
    # The other demo logins are no superusers; theirs still follow the seed.
    assert passwords["assistant1"] == "demo-assistant-2024"
    assert passwords["staff"] == "demo-staff-2024"


def test_the_demo_superuser_gets_another_password_on_each_run(db):
    def staff_password_of_a_run():
        with transaction.atomic():
            [password] = [
                m.group(3)
                for m in map(LOGIN_LINE.match, seed().splitlines())
                if m and m[2] == "admin"
            ]
            transaction.set_rollback(True)
        return password

    assert staff_password_of_a_run() != staff_password_of_a_run()


def test_it_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True

    with translation.override("en"), pytest.raises(CommandError, match="DJANGO_ENV=production"):
        seed()

    assert not Partner.objects.exists()
    assert not get_user_model().objects.exists()


def test_its_refusal_in_production_is_translated(db, settings):
    settings.PRODUCTION = True

    with translation.override("zh-hans"), pytest.raises(CommandError, match="不能运行 seed_demo"):
        seed("--if-empty")

    assert not Partner.objects.exists()


def test_it_prints_a_demo_api_key_that_the_partner_api_accepts(db):
    output = seed()

    [(short_name, raw_key)] = API_KEY_LINE.findall(output)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_ACCEPT_LANGUAGE="en")
    response = api.get("/api/v1/partner/")
    assert response.status_code == 200, response.content
    assert response.json()["short_name"] == short_name == "海峡银行"


def test_it_skips_a_database_that_already_has_partners_when_asked_if_empty(partner_a):
    output = seed("--if-empty")

    assert "skipped" in output
    assert Partner.objects.count() == 1
    assert not Assistant.objects.exists()
    assert "demo login" not in output


def test_it_refuses_a_database_that_already_has_partners(partner_a):
    with pytest.raises(CommandError, match="already has partners"):
        seed()

    assert Partner.objects.count() == 1
    assert not Street.objects.exists()


def test_it_leaves_nothing_behind_when_a_demo_username_is_taken(db):
    get_user_model().objects.create_user("staff", password="someone-elses-123")

    with pytest.raises(CommandError, match="staff"):
        seed()

    # One transaction: the streets and partners written before the clash are gone too.
    assert not Street.objects.exists()
    assert not Partner.objects.exists()


def test_phone_numbers_stay_unique_at_benchmark_scale():
    numbers = MobileNumbers(random.Random(1))
    # Scale 100 needs about 31,000 assistants + 200,000 residents + contacts + enterprise phones.
    phones = [numbers.next() for _ in range(260_000)]

    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(MOBILE_PATTERN, phone) for phone in phones[:1000])


def test_credit_codes_stay_unique_and_valid_at_benchmark_scale():
    codes = CreditCodes(random.Random(1))
    generated = [
        codes.next(authority="91", division="350103", modern=n % 5 != 0) for n in range(40_000)
    ]

    assert len(set(generated)) == len(generated)
    for code in generated[:2000]:
        validate_credit_code(code)


def test_volumes_are_shared_out_exactly_by_weight():
    assert _split(120, [16, 16, 14, 8]) == [36, 35, 31, 18]
    assert sum(_split(19_000, [12, 12, 12, 10, 8, 4, 4])) == 19_000


# -- the duty rota ---------------------------------------------------------------------------


def test_every_point_gets_templates_that_match_its_opening_hours(db):
    seed()

    window = ServicePoint.objects.get(kind="service_window")
    assert sorted(
        window.shift_templates.values_list("weekday", "starts_at", "finance_needed", "legal_needed")
    ) == [(day, time, 1, 1) for day in range(5) for time in (clock(9), clock(14, 30))]
    # A community point whose sign says Tuesdays and Thursdays mornings is staffed just then.
    point = ServicePoint.objects.filter(opening_hours__startswith="每周二、周四").first()
    assert point is not None
    assert sorted(point.shift_templates.values_list("weekday", "starts_at", "ends_at")) == [
        (1, clock(9), clock(12)),
        (3, clock(9), clock(12)),
    ]
    assert not ServicePoint.objects.filter(shift_templates__isnull=True).exists()


def test_this_month_and_the_next_have_a_published_district_rota(db):
    seed()

    rotas = list(Rota.objects.order_by("starts_on"))
    assert [(r.starts_on, r.ends_on) for r in rotas] == [
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
    ]
    assert all(r.status == "published" and r.service_point is None for r in rotas)
    assert all(r.published_by.username == "staff" for r in rotas)
    days = set(Shift.objects.values_list("date", flat=True))
    # No duty in the Mid-Autumn and National Day holidays; duty on the make-up Sunday.
    assert not days & {date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 4), date(2026, 10, 7)}
    assert date(2026, 9, 20) in days
    assert (
        not Shift.objects.exclude(specialty=F("assistant__specialty"))
        .exclude(assistant__isnull=True)
        .exists()
    )
    assert (
        not Shift.objects.filter(assistant__isnull=False)
        .exclude(assistant__status="active")
        .exists()
    )
    # Each shift's history starts with its creation, and published assignments are recorded.
    assert ShiftEvent.objects.filter(kind="created").count() == Shift.objects.count()
    assert (
        ShiftEvent.objects.filter(kind="assigned").count()
        == Shift.objects.filter(assistant__isnull=False).count()
    )


def test_approved_leave_keeps_people_off_duty_and_requests_wait(db):
    seed()

    statuses = Counter(Unavailability.objects.values_list("status", flat=True))
    assert statuses["approved"] > 0 and statuses["requested"] > 0
    assert not Unavailability.objects.filter(status="requested", starts_on__lte=TODAY).exists()
    for leave in Unavailability.objects.filter(status="approved"):
        assert not Shift.objects.filter(
            assistant=leave.assistant, date__range=(leave.starts_on, leave.ends_on)
        ).exists()


def test_past_shifts_were_served_or_missed_and_upcoming_ones_are_scheduled(db):
    seed()

    past = Shift.objects.filter(date__lt=TODAY, assistant__isnull=False)
    assert set(past.values_list("status", flat=True)) == {"completed", "missed"}
    completed = past.filter(status="completed")
    assert not completed.filter(checked_in_at__isnull=True).exists()
    assert not completed.filter(checked_out_at__isnull=True).exists()
    assert set(Shift.objects.filter(date__gte=TODAY).values_list("status", flat=True)) == {
        "scheduled"
    }


def test_each_demo_login_is_offered_shifts_it_is_free_to_take(db):
    seed()

    logins = get_user_model().objects.filter(username__startswith="assistant")
    posted = [user.assistant for user in logins if user.assistant.dispatches.current_on(TODAY)]
    assert posted  # a demo login not yet posted anywhere has no point to be offered shifts at
    for demo in posted:
        offers = SwapRequest.objects.filter(
            status="open",
            offered_to__isnull=True,
            shift__date__gt=TODAY,
            shift__specialty=demo.specialty,
            shift__service_point__in=demo.dispatches.current_on(TODAY).values("service_point"),
        ).exclude(requested_by=demo)
        free = [
            offer
            for offer in offers.select_related("shift")
            if not Shift.objects.live()
            .filter(
                assistant=demo,
                starts_at__lt=offer.shift.ends_at,
                ends_at__gt=offer.shift.starts_at,
            )
            .exists()
        ]
        assert len(free) >= DEMO_OFFERS, demo.name


def test_swap_requests_offer_upcoming_shifts_of_their_holder_to_free_colleagues(db):
    seed()

    swaps = list(SwapRequest.objects.select_related("shift", "offered_to"))
    assert len(swaps) >= 6  # six at random, and those the demo logins can take (below)
    assert any(swap.offered_to is not None for swap in swaps)
    for swap in swaps:
        assert swap.status == "open" and swap.shift.date > TODAY
        assert swap.requested_by_id == swap.shift.assistant_id
        assert swap.shift.events.filter(kind="swap_offered").exists()
        if swap.offered_to is not None:
            colleague = swap.offered_to
            assert colleague.specialty == swap.shift.specialty and colleague.status == "active"
            assert (
                colleague.dispatches.current_on(swap.shift.date)
                .filter(service_point=swap.shift.service_point)
                .exists()
            )
            assert (
                not Shift.objects.live()
                .filter(
                    assistant=colleague,
                    starts_at__lt=swap.shift.ends_at,
                    ends_at__gt=swap.shift.starts_at,
                )
                .exists()
            )


# --- cases -----------------------------------------------------------------------------------

# The timeline each state leaves, as state changes (from, to) in order.
STEPS_BY_STATE = {
    "new": [("", "new")],
    "assigned": [("", "new"), ("new", "assigned")],
    "in_progress": [("", "new"), ("new", "assigned"), ("assigned", "in_progress")],
    "resolved": [
        ("", "new"),
        ("new", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "resolved"),
    ],
}
STEPS_BY_STATE["followed_up"] = [*STEPS_BY_STATE["resolved"], ("resolved", "followed_up")]
STEPS_BY_STATE["reopened"] = [*STEPS_BY_STATE["followed_up"], ("followed_up", "in_progress")]


def test_cases_are_seeded_in_every_state_with_an_outcome_only_from_resolution_on(db):
    output = seed()

    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == {"new", "assigned", "in_progress", "resolved", "followed_up", "closed"}
    assert sum(states.values()) == 3000
    assert "  cases: 3000" in output
    assert (
        not Case.objects.filter(state__in=["new", "assigned", "in_progress"])
        .exclude(outcome="")
        .exists()
    )
    done = Case.objects.filter(state__in=["resolved", "followed_up", "closed"])
    assert not done.filter(outcome="").exists()
    assert set(done.values_list("outcome", flat=True)) == {
        "resolved",
        "referred",
        "unresolvable",
        "withdrawn",
    }
    # Both kinds of requester, never both on one case (the database would refuse it anyway).
    assert Case.objects.filter(resident__isnull=False).exists()
    assert Case.objects.filter(enterprise__isnull=False).exists()
    assert set(Case.objects.values_list("source", flat=True)) >= {
        "service_window",
        "community_point",
        "council_meeting",
        "public_form",
        "hotline",
    }


def test_each_case_has_a_lead_of_its_items_specialty_and_dates_that_match_its_state(db):
    seed()

    assert not Case.objects.filter(state="new", lead__isnull=False).exists()
    assert not Case.objects.exclude(state="new").filter(lead__isnull=True).exists()
    assert (
        not Case.objects.exclude(lead__specialty=F("service_item__specialty"))
        .filter(lead__isnull=False)
        .exists()
    )
    assert not Case.objects.filter(lead__status="withdrawn").exists()
    assert not Case.objects.exclude(state="new").filter(assigned_at__isnull=True).exists()
    assigned = Case.objects.exclude(state="new")
    assert not assigned.exclude(accept_by=F("assigned_at") + timedelta(hours=24)).exists()
    assert not Case.objects.filter(state="new", accept_by__isnull=False).exists()
    assert not Case.objects.filter(state="assigned", accepted_at__isnull=False).exists()
    assert not Case.objects.filter(accepted_at__lt=F("assigned_at")).exists()
    assert not Case.objects.filter(resolved_at__lt=F("accepted_at")).exists()
    assert not Case.objects.filter(
        state__in=["resolved", "followed_up", "closed"], resolved_at__isnull=True
    ).exists()
    assert not Case.objects.filter(
        state__in=["new", "assigned", "in_progress"], resolved_at__isnull=False
    ).exists()
    assert not Case.objects.filter(closed_at__isnull=False).exclude(state="closed").exists()
    assert not Case.objects.filter(state="closed", closed_at__isnull=True).exists()
    assert not Case.objects.filter(target_date__lte=F("created_at__date")).exists()
    now = datetime(2026, 9, 15, 10, 0, tzinfo=LOCAL_TZ)
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    assert not Case.objects.filter(created_at__gt=now).exists()


def test_every_timeline_starts_at_intake_and_walks_the_state_machine_to_the_cases_state(db):
    seed()

    steps = {}
    for number, from_state, to_state in (
        CaseEvent.objects.exclude(to_state="")
        .order_by("case__number", "at", "pk")
        .values_list("case__number", "from_state", "to_state")
    ):
        steps.setdefault(number, []).append((from_state, to_state))
    reopened = set(CaseEvent.objects.filter(kind="reopened").values_list("case__number", flat=True))
    assert reopened
    for number, state, outcome in Case.objects.values_list("number", "state", "outcome"):
        if number in reopened:
            expected = STEPS_BY_STATE["reopened"]
        elif state == "closed":
            before = "resolved" if outcome == "withdrawn" else "followed_up"
            expected = [*STEPS_BY_STATE[before], (before, "closed")]
        else:
            expected = STEPS_BY_STATE[state]
        assert steps[number] == expected, number
    assert CaseEvent.objects.filter(kind="created", to_state="new").count() == 3000


def test_return_visits_are_complete_when_done_and_some_open_ones_are_overdue(db):
    seed()

    done = FollowUp.objects.filter(done_at__isnull=False)
    assert done.exists()
    assert not done.filter(satisfaction__isnull=True).exists()
    assert set(done.values_list("satisfaction", flat=True)) <= {1, 2, 3, 4, 5}
    # A follow-up that found the problem back reopened its case; the others closed the loop.
    assert not done.filter(still_solved=False).exclude(case__state="in_progress").exists()
    assert not done.filter(still_solved=True, case__state__in=["new", "in_progress"]).exists()
    assert (
        not FollowUp.objects.filter(done_at__isnull=True).exclude(case__state="resolved").exists()
    )
    # The daily digest has something to say: overdue cases and overdue return visits.
    assert overdue_follow_ups(TODAY).exists()
    assert overdue_follow_ups(TODAY).count() < FollowUp.objects.filter(done_at__isnull=True).count()
    assert overdue_cases(TODAY).exists()
    # Withdrawn cases need no return visit.
    assert not FollowUp.objects.filter(case__outcome="withdrawn").exists()
    assert Visit.objects.filter(kind="return_visit").exists()


def test_visits_referrals_extensions_meetings_and_liaisons_are_seeded(db):
    seed()

    assert Visit.objects.filter(case__isnull=True, kind="enterprise_visit").exists()
    assert Visit.objects.filter(case__isnull=False).count() > 1000
    assert Referral.objects.filter(status="accepted", case__outcome="referred").exists()
    assert Referral.objects.filter(status="pending", case__state="in_progress").exists()
    assert Referral.objects.exclude(to_department="").exists()
    assert Referral.objects.exclude(to_specialty="").exists()
    assert ExtensionRequest.objects.filter(status="pending").exists()
    assert ExtensionRequest.objects.exclude(status="pending").filter(decided_at__isnull=False)
    meeting = CouncilMeeting.objects.order_by("held_on", "pk").first()
    linked = Case.objects.filter(council_meeting=meeting)
    assert 4 <= linked.count() <= 8
    assert set(linked.values_list("source", flat=True)) == {"council_meeting"}
    assert not Case.objects.filter(source="council_meeting", council_meeting__isnull=True).exists()
    assert not Case.objects.filter(council_meeting__held_on__gt=F("created_at__date")).exists()
    assert meeting.institutions.count() == 2
    assert EnterpriseLiaison.objects.count() == 30


def test_case_numbers_run_in_intake_order_and_a_new_case_continues_them(db, staff_user):
    seed()

    numbers = list(Case.objects.order_by("created_at", "pk").values_list("number", flat=True))
    assert all(re.fullmatch(r"TJ-20\d\d-\d{6}", number) for number in numbers)
    by_year = {}
    for number in numbers:
        by_year.setdefault(number[3:7], []).append(int(number[-6:]))
    for year, sequence in by_year.items():
        assert sequence == list(range(1, len(sequence) + 1)), year
        assert CaseNumberSequence.objects.get(year=int(year)).last_number == len(sequence)

    case = create_case(
        title="新个案",
        service_item=ServiceItem.objects.get(code="FW01"),
        source="hotline",
        resident=Resident.objects.order_by("pk").first(),
        by=staff_user,
    )

    assert case.number == f"TJ-2026-{len(by_year['2026']) + 1:06d}"
