"""A hand-built district for the steering tests: two streets, two partners, three assistants,
and half a year of cases, visits, return visits, shifts, dispatches and activities spread over
the period under test (the second quarter of 2026) and the one before it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from assistants.models import Shift
from cases.models import Case, CaseEvent, FollowUp, ServiceCategory, Visit
from steering.figures import Filters, Period
from steering.models import Activity
from tests import factories

NOW = timezone.make_aware(datetime(2026, 7, 15, 10, 0))
QUARTER = Period(date(2026, 4, 1), date(2026, 6, 30))
VISIT_KINDS = ["consultation", "mediation", "enterprise_visit", "mediation", "talk"]


def local(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class District:
    """The rows of the hand-built district, by name."""

    streets: list
    communities: list
    partners: list
    assistants: list
    enterprises: list
    residents: list
    points: list
    cases: list = field(default_factory=list)


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """Put the default language back after a test.

    The pages here are read in English (Accept-Language), and the locale middleware leaves the
    language of the last request active in the thread: later tests, in this folder or the next,
    would otherwise run in English without asking for it.
    """
    yield
    translation.deactivate()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def build_district(partner_a, partner_b, assistant, second_assistant, *, cases=30, stride=0):
    """The district; `cases` and `stride` make a bigger one for the query-count tests."""
    s1 = factories.make_street(name=f"瀛洲街道{stride or ''}")
    s2 = factories.make_street(name=f"后洲街道{stride or ''}")
    c1 = factories.make_community(street=s1, name="茶亭社区")
    c2 = factories.make_community(street=s2, name="凤凰社区")
    dave = factories.make_assistant(partner=partner_a, name=f"丁大{stride}")
    p1 = factories.make_service_point(street=s1, community=c1)
    p2 = factories.make_service_point(street=s2)
    enterprises = [
        factories.make_enterprise(street=s1, name='=HYPERLINK("x")科技有限公司'),
        factories.make_enterprise(street=s1),
        factories.make_enterprise(street=s2),
    ]
    residents = [
        factories.make_resident(community=c1),
        factories.make_resident(community=c2),
        factories.make_resident(),
    ]
    legal = ServiceCategory.objects.create(code=f"FW{stride}", name=f"法务服务{stride}")
    finance = ServiceCategory.objects.create(code=f"JR{stride}", name=f"金融服务{stride}")
    items = {
        "legal": factories.make_service_item(category=legal, specialty="legal"),
        "finance": factories.make_service_item(category=finance, specialty="finance"),
    }
    leads = [assistant, second_assistant, dave, None]
    district = District(
        [s1, s2],
        [c1, c2],
        [partner_a, partner_b],
        [assistant, second_assistant, dave],
        enterprises,
        residents,
        [p1, p2],
    )
    first = date(2026, 1, 3)
    for i in range(cases):
        created = local(first + timedelta(days=(i * 7) % 190), 9 + i % 8)
        lead = leads[i % 4]
        requester = (enterprises + residents)[i % 6]
        resolved = lead is not None and i % 3 != 0
        specialty = lead.specialty if lead else ("legal" if i % 2 else "finance")
        outcome = ["resolved", "referred", "resolved", "unresolvable"][i % 4] if resolved else ""
        resolved_at = created + timedelta(days=1 + (i * 5) % 20, hours=3) if resolved else None
        case = Case.objects.create(
            number=f"T-{stride}-{i:04d}",
            title=f"诉求{i}",
            service_item=items[specialty],
            source="service_window",
            enterprise=requester if requester in enterprises else None,
            resident=requester if requester in residents else None,
            state=("closed" if resolved else "in_progress" if lead else "new"),
            outcome=outcome,
            lead=lead,
            target_date=(created + timedelta(days=10)).date(),
            beneficiaries=1 + i % 3,
        )
        Case.objects.filter(pk=case.pk).update(created_at=created, resolved_at=resolved_at)
        if lead is not None:
            CaseEvent.objects.create(
                case=case, kind="assigned", at=created + timedelta(hours=1), assistant=lead
            )
            CaseEvent.objects.create(
                case=case,
                kind="accepted",
                at=created + timedelta(hours=2 + 15 * (i % 3)),
                assistant=lead,
            )
        if resolved:
            CaseEvent.objects.create(
                case=case,
                kind="transition",
                at=resolved_at,
                from_state="in_progress",
                to_state="resolved",
            )
            due = resolved_at.date() + timedelta(days=7)
            done = i % 5 != 0 and due < NOW.date()
            FollowUp.objects.create(
                case=case,
                due_on=due,
                done_at=local(due) if done else None,
                method="phone" if done else "",
                satisfaction=(1 + i % 5) if done else None,
                still_solved=True if done else None,
            )
        district.cases.append(case)
    for i in range(cases * 2 // 3):
        who = district.assistants[i % 3]
        target = i % 4
        Visit.objects.create(
            kind=VISIT_KINDS[i % 5],
            assistant=who,
            occurred_at=local(first + timedelta(days=(i * 11) % 190), 14),
            duration_minutes=30,
            enterprise=enterprises[i % 3] if target in (0, 1) else None,
            resident=residents[i % 3] if target == 2 else None,
            service_point=[p1, p2][i % 2] if target == 3 else None,
        )
    factories.make_dispatch(assistant=assistant, service_point=p1, starts_on=date(2026, 1, 1))
    factories.make_dispatch(
        assistant=second_assistant,
        service_point=p2,
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 31),
    )
    factories.make_dispatch(
        assistant=dave, service_point=p2, starts_on=date(2025, 1, 1), ends_on=date(2026, 3, 15)
    )
    statuses = ["completed", "missed", "checked_in", "cancelled", "completed"]
    for i in range(cases // 2):
        day = date(2026, 2, 2) + timedelta(days=(i * 9) % 170)
        who = [assistant, second_assistant][i % 2]
        Shift.objects.create(
            date=day,
            starts_at=local(day, 9 + 3 * stride),
            ends_at=local(day, 12 + 3 * stride),
            service_point=[p1, p2][i % 2],
            specialty=who.specialty,
            assistant=who,
            status=statuses[i % 5] if day < NOW.date() else "scheduled",
        )
    for i in range(6):
        activity = Activity.objects.create(
            kind=["talk", "party_building", "consultation_day"][i % 3],
            title=f"活动{i}",
            held_on=date(2026, 1, 20) + timedelta(days=30 * i),
            place="人才之家",
            street=[s1, s2, None][i % 3],
            attendees=20 + i,
            beneficiaries=30 + i,
        )
        activity.partners.set([[partner_a], [partner_b], [partner_a, partner_b]][i % 3])
    return district


@pytest.fixture
def district(frozen, partner_a, partner_b, assistant, second_assistant):
    return build_district(partner_a, partner_b, assistant, second_assistant)


@pytest.fixture
def quarter():
    return Filters(QUARTER)
