"""Demo campaigns, activities, partner targets and chair terms for `seed_demo`.

Modelled on the programme's own drives: "a hundred lawyers into communities", "a thousand cadres
into a thousand enterprises", the relocation loan at the 凤凰新村 expropriation project, the
finance lecturer team's talks, party-building co-construction with partners, and the alliance's
rotating chair. Deterministic: everything comes from the district's seeded generator, in order.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cases.models import Case, CouncilMeeting, Enterprise, Resident
from partners.models import Partner
from steering.models import Activity, Campaign, CampaignTarget, ChairTerm, PartnerTarget
from talentoffice.models import Community, Street

BATCH = 2000
# Activities per month of the past year at scale 1.
ACTIVITIES_PER_MONTH = 4
ACTIVITY_TITLES = {
    "talk": ["金融讲师团进社区：防范电信诈骗", "金融讲师团宣讲普惠金融政策", "青年理财知识讲座"],
    "party_building": ["支部共建主题党日", "党建联盟共建活动", "党建+人才助理座谈会"],
    "consultation_day": ["法律咨询日", "金融服务咨询日", "征迁政策咨询日"],
}
PLACES = ["台江区人才之家", "社区党群服务中心", "台江区人才助理专窗", "凤凰新村征收指挥部服务点"]


def build_steering_demo(district) -> dict:
    """Write the demo steering records for a built district; return how many of each."""
    rng, today, scale = district.rng, district.today, district.scale
    year_start = date(today.year, 1, 1)
    finance = list(district.partners_by_sector["finance"])
    legal = list(district.partners_by_sector["legal"])
    streets = list(district.streets.values())

    lawyers = Campaign.objects.create(
        name="百名律师进社区",
        target_kind="community",
        starts_on=year_start,
        ends_on=date(today.year, 12, 31),
        description="法务人才助理下沉社区，每个社区至少一次法律服务。",
    )
    lawyers.partners.set(legal)
    cadres = Campaign.objects.create(
        name="千名干部进千企",
        target_kind="enterprise",
        starts_on=today - timedelta(days=180),
        ends_on=today + timedelta(days=30),
        description="挂钩联系企业，走访了解经营情况、收集诉求。",
    )
    loans = Campaign.objects.create(
        name="拆迁安置贷进万家",
        target_kind="household",
        starts_on=today - timedelta(days=120),
        ends_on=today + timedelta(days=60),
        description="凤凰新村征收项目住户的安置贷款咨询与办理。",
    )
    loans.partners.set(finance)

    targets = [
        CampaignTarget(campaign=lawyers, community_id=pk)
        for pk in Community.objects.order_by("pk").values_list("pk", flat=True)
    ]
    # The enterprises of two streets and the households of the project-site communities.
    enterprise_ids = list(
        Enterprise.objects.filter(street__in=streets[:2])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    targets += [CampaignTarget(campaign=cadres, enterprise_id=pk) for pk in enterprise_ids]
    resident_ids = list(
        Resident.objects.filter(community__name__in=["凤凰社区", "上海新村社区"])
        .order_by("pk")
        .values_list("pk", flat=True)[: 200 * scale]
    )
    targets += [CampaignTarget(campaign=loans, resident_id=pk) for pk in resident_ids]
    CampaignTarget.objects.bulk_create(targets, batch_size=BATCH)

    # Activities across the past year, each organized by one or two partners.
    activities, organizers = [], []
    kinds = list(ACTIVITY_TITLES)
    for index in range(ACTIVITIES_PER_MONTH * 12 * scale):
        kind = kinds[index % len(kinds)]
        held_on = today - timedelta(days=rng.randrange(365))
        attendees = rng.randrange(15, 120)
        activities.append(
            Activity(
                kind=kind,
                title=rng.choice(ACTIVITY_TITLES[kind]),
                held_on=held_on,
                place=rng.choice(PLACES),
                street=rng.choice(streets),
                campaign=lawyers if kind == "consultation_day" and rng.random() < 0.5 else None,
                attendees=attendees,
                beneficiaries=attendees + rng.randrange(0, 40),
            )
        )
        pool = (
            finance if kind == "talk" else legal if kind == "consultation_day" else finance + legal
        )
        organizers.append(rng.sample(pool, k=min(len(pool), 1 + (rng.random() < 0.3))))
    for meeting in CouncilMeeting.objects.select_related("service_point").order_by("pk"):
        activities.append(
            Activity(
                kind="council_meeting",
                title=meeting.title,
                held_on=meeting.held_on,
                place=meeting.place,
                street_id=meeting.service_point.street_id if meeting.service_point else None,
                council_meeting=meeting,
                attendees=rng.randrange(8, 30),
                beneficiaries=rng.randrange(8, 30),
            )
        )
        organizers.append([])
    activities = Activity.objects.bulk_create(activities, batch_size=BATCH)
    Through = Activity.partners.through
    Through.objects.bulk_create(
        [
            Through(activity_id=activity.pk, partner_id=partner.pk)
            for activity, partners in zip(activities, organizers, strict=True)
            for partner in partners
        ],
        batch_size=BATCH,
    )

    # Yearly targets in proportion to each partner's assistants (counted in one query).
    sizes = dict(Partner.objects.annotate(n=Count("assistants")).values_list("pk", "n").order_by())
    partner_targets = []
    for partner in finance + legal:
        size = max(sizes.get(partner.pk, 0), 1)
        partner_targets.append(
            PartnerTarget(
                partner=partner,
                year=today.year,
                # Some partners ahead, some behind: the seeded rota covers two months only.
                shifts=scale * rng.randrange(4, 14),
                enterprises=scale * rng.randrange(3, 20),
                cases=size * rng.randrange(4, 10),
                activities=scale * rng.randrange(1, 6),
            )
        )
    PartnerTarget.objects.bulk_create(partner_targets)

    # The rotating chair: one partner per half-year term in each alliance, last year and this.
    terms = []
    for sector, members in (("finance", finance), ("legal", legal)):
        for year in (today.year - 1, today.year):
            for half, (start, end) in enumerate(((1, 6), (7, 12))):
                chair = members[(2 * (year - today.year + 1) + half) % len(members)]
                last_day = 30 if end == 6 else 31
                terms.append(
                    ChairTerm(
                        sector=sector,
                        partner=chair,
                        starts_on=date(year, start, 1),
                        ends_on=date(year, end, last_day),
                    )
                )
    ChairTerm.objects.bulk_create(terms)
    return {
        "campaigns": 3,
        "campaign targets": len(targets),
        "activities": len(activities),
        "partner targets": len(partner_targets),
        "chair terms": len(terms),
    }


class _ExistingDistrict:
    """What build_steering_demo reads of a district, taken from a database seeded earlier."""

    def __init__(self, *, seed: int, scale: int):
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.scale = scale
        partners = list(Partner.objects.order_by("pk"))
        self.partners_by_sector = {
            sector: [p for p in partners if p.sector == sector] for sector in ("finance", "legal")
        }
        self.streets = {street.name: street for street in Street.objects.order_by("pk")}


@transaction.atomic
def build_for_existing_district(*, seed: int = 2024) -> dict:
    """Add the demo steering records to a district seeded before they existed (benchmarks)."""
    scale = max(1, round(Case.objects.count() / 3000))
    return build_steering_demo(_ExistingDistrict(seed=seed, scale=scale))
