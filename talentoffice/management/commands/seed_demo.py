"""`manage.py seed_demo`: build a realistic demo district, the same one for the same seed.

The district follows the news reports in the design seeds (Taijiang, Fuzhou): 44 partners,
300+ assistants, service points, dispatches, the 4-category / 21-item checklist, enterprises and
residents, plus demo logins for staff, assistants and a partner manager; then the duty rota:
shift templates, some leave, a published rota for the current and the next month with the past
days' attendance, and a few swap requests. `--scale N` multiplies the large tables for
benchmarks, so they are written with bulk_create; bulk_create skips full_clean(), which is why
every value is generated valid by construction (the database's CHECK and UNIQUE constraints
would refuse anything else).
"""

import itertools
import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

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
from assistants.rota import LOCAL_TZ, generate_rota, publish_rota
from cases.models import Enterprise, Resident, ServiceCategory, ServiceItem
from partners.models import Agreement, Partner, PartnerContact
from talentoffice import demo_data as data
from talentoffice.models import Community, Street
from talentoffice.validators import CREDIT_CODE_ALPHABET, credit_code_check_character

BATCH_SIZE = 2000
DEFAULT_SEED = 2024
# The district is fixed in time (no `today`), so that a seed gives the same rows on any day; only
# the rota follows the calendar (this month and the next), so it is the same for a seed and a day.
LAST_DISPATCH_START = date(2025, 6, 30)
WITHDRAWN_BY = date(2025, 9, 30)

# GB 11714-1997: the organisation code inside a credit code carries its own check character.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _coprime_step(rng: random.Random, modulus: int, factors: tuple[int, ...]) -> int:
    """A large step coprime to the modulus, so that `offset + step * n` visits each value once."""
    while True:
        step = rng.randrange(modulus // 3, modulus)
        if all(step % factor for factor in factors):
            return step


class MobileNumbers:
    """Hands out distinct mainland mobile numbers in a scattered order fixed by the seed.

    Numbers come from a counter through an affine permutation of the 8-digit tail, so they never
    repeat (residents and assistants have unique phones) however many are asked for, and no
    retry loop or set of used numbers is needed at scale 100.
    """

    def __init__(self, rng: random.Random):
        self._prefixes = rng.sample(data.MOBILE_PREFIXES, len(data.MOBILE_PREFIXES))
        self._step = _coprime_step(rng, 10**8, (2, 5))
        self._offset = rng.randrange(10**8)
        self._counter = itertools.count()

    def next(self) -> str:
        """The next unused number."""
        n = next(self._counter)
        # The tail alone is unique (for up to 10**8 numbers), so no two people share the last
        # eight digits under different prefixes, which would look fake.
        tail = (self._offset + self._step * n) % 10**8
        return f"{self._prefixes[n % len(self._prefixes)]}{tail:08d}"


class CreditCodes:
    """Hands out distinct, valid unified social credit codes (GB 32100-2015).

    A code is registration authority and category (2), division (6), organisation code (9) and a
    check character. Uniqueness rests on the organisation code alone: post-2015 codes (`MA` plus
    six base-31 characters) and older all-digit codes come from two counters through affine
    permutations, and the two shapes can never coincide.
    """

    def __init__(self, rng: random.Random):
        self._modern_modulus = 31**6
        self._modern_step = _coprime_step(rng, self._modern_modulus, (31,))
        self._modern_offset = rng.randrange(self._modern_modulus)
        self._modern_counter = itertools.count()
        self._legacy_step = _coprime_step(rng, 10**8, (2, 5))
        self._legacy_offset = rng.randrange(10**8)
        self._legacy_counter = itertools.count()

    def _modern_body(self) -> str:
        value = (
            self._modern_offset + self._modern_step * next(self._modern_counter)
        ) % self._modern_modulus
        characters = []
        for _ in range(6):
            value, digit = divmod(value, 31)
            characters.append(CREDIT_CODE_ALPHABET[digit])
        return "MA" + "".join(reversed(characters))

    def _legacy_body(self) -> str:
        value = (self._legacy_offset + self._legacy_step * next(self._legacy_counter)) % 10**8
        return f"{value:08d}"

    @staticmethod
    def organisation_check(body: str) -> str:
        """The GB 11714 check character of an 8-character organisation code body."""
        total = sum(
            int(char, 36) * weight for char, weight in zip(body, ORG_CODE_WEIGHTS, strict=True)
        )
        check = 11 - total % 11
        return {10: "X", 11: "0"}.get(check, str(check))

    def next(self, *, authority: str, division: str, modern: bool) -> str:
        """A new code for an entity registered by `authority` (e.g. "91") in `division`."""
        body = self._modern_body() if modern else self._legacy_body()
        first17 = f"{authority}{division}{body}{self.organisation_check(body)}"
        return first17 + credit_code_check_character(first17)


class LicenceNumbers:
    """Hands out distinct 17-digit lawyer's practising-licence numbers for Fuzhou (3501).

    Layout: category 1 (full-time lawyer), region 3501, year first licensed, gender (1 male,
    0 female), then a 7-digit sequence that alone keeps them unique.
    """

    def __init__(self, rng: random.Random):
        self._step = _coprime_step(rng, 10**7, (2, 5))
        self._offset = rng.randrange(10**7)
        self._counter = itertools.count()

    def next(self, *, year: int, gender: str) -> str:
        """A new number for a lawyer first licensed in `year`."""
        sequence = (self._offset + self._step * next(self._counter)) % 10**7
        return f"13501{year}{1 if gender == 'male' else 0}{sequence:07d}"


def _split(total: int, weights: list[int]) -> list[int]:
    """Share `total` out in proportion to `weights`, exactly, by largest remainder."""
    whole = sum(weights)
    shares = [total * weight // whole for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _bulk(model, objects):
    """Insert in batches; PostgreSQL and SQLite 3.35+ give back the primary keys."""
    return model.objects.bulk_create(objects, batch_size=BATCH_SIZE)


def _clock(text: str) -> clock:
    """A time of day from "HH:MM"."""
    hours, minutes = text.split(":")
    return clock(int(hours), int(minutes))


def _month_after(day: date) -> date:
    """The first day of the month after day's month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class DemoDistrict:
    """Builds the demo district from one seeded random generator, table by table."""

    def __init__(self, *, seed: int, scale: int, today: date | None = None):
        # One private generator: the global `random` could be reseeded or consumed elsewhere.
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.timings: dict[str, float] = {}
        self.seed = seed
        self.scale = scale
        self.mobiles = MobileNumbers(self.rng)
        self.credit_codes = CreditCodes(self.rng)
        self.licences = LicenceNumbers(self.rng)
        surnames, weights = zip(*data.SURNAMES, strict=True)
        self._surnames = surnames
        self._surname_cum = list(itertools.accumulate(weights))
        self.logins: list[tuple[str, str, str]] = []

    # -- small generators -------------------------------------------------------------------

    def person(self) -> tuple[str, str, str]:
        """A plausible Fuzhou name: (surname, given name, gender)."""
        rng = self.rng
        surname = rng.choices(self._surnames, cum_weights=self._surname_cum)[0]
        gender = "male" if rng.random() < 0.5 else "female"
        pool = data.GIVEN_NAME_CHARACTERS[gender]
        given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
        return surname, given, gender

    def name(self) -> str:
        """A full name, when the gender does not matter."""
        surname, given, _ = self.person()
        return surname + given

    def day_between(self, first: date, last: date) -> date:
        """A day in [first, last]."""
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def landline(self) -> str:
        """A Fuzhou landline with its area code, as stored (digits only)."""
        return (
            data.LANDLINE_AREA_CODE
            + self.rng.choice(data.LANDLINE_FIRST_DIGITS)
            + f"{self.rng.randrange(10**7):07d}"
        )

    def coordinates(self, centre: tuple[float, float], spread: float = 0.004):
        """A point near a street's centre, with the six decimals the model keeps."""
        lat, lon = centre
        return (
            Decimal(f"{lat + self.rng.uniform(-spread, spread):.6f}"),
            Decimal(f"{lon + self.rng.uniform(-spread, spread):.6f}"),
        )

    def street_address(self, street: dict) -> str:
        """A door number on one of the street's roads."""
        return f"{data.DISTRICT}{self.rng.choice(street['roads'])}{self.rng.randrange(1, 600)}号"

    # -- tables -----------------------------------------------------------------------------

    def build_geography(self):
        """Streets and their communities."""
        self.streets = {}
        self.street_facts = {}
        self.communities = []
        for facts in data.STREETS:
            street = Street.objects.create(name=facts["name"], code=facts["code"])
            self.streets[street.name] = street
            self.street_facts[street.name] = facts
        self.communities = _bulk(
            Community,
            [
                Community(street=self.streets[facts["name"]], name=name)
                for facts in data.STREETS
                for name in facts["communities"]
            ],
        )
        self.community_by_name = {community.name: community for community in self.communities}

    def build_skills(self):
        """The skill tags assistants carry."""
        self.skills = {
            skill.name: skill for skill in _bulk(Skill, [Skill(name=n) for n in data.SKILLS])
        }

    def build_partners(self):
        """The 44 partners, each with its cooperation agreement and one contact."""
        rng = self.rng
        partners = []
        self.partner_weights = {"finance": [], "legal": []}
        for name, short_name, kind, weight, division in data.FINANCE_PARTNERS:
            partners.append(
                Partner(
                    name=name,
                    short_name=short_name,
                    sector="finance",
                    kind=kind,
                    credit_code=self.credit_codes.next(
                        authority="91", division=division, modern=False
                    ),
                    address=self.street_address(rng.choice(data.STREETS)),
                )
            )
            self.partner_weights["finance"].append(weight)
        for name, short_name, weight in data.LEGAL_PARTNERS:
            # Law firms are registered by the justice department (authority 3, category 1).
            partners.append(
                Partner(
                    name=name,
                    short_name=short_name,
                    sector="legal",
                    kind="law_firm",
                    credit_code=self.credit_codes.next(
                        authority="31", division=data.PROVINCE_DIVISION_CODE, modern=True
                    ),
                    address=self.street_address(rng.choice(data.STREETS))
                    + f"{rng.choice(data.OFFICE_BUILDINGS)}{rng.randrange(5, 40)}层",
                )
            )
            self.partner_weights["legal"].append(weight)
        self.partners = _bulk(Partner, partners)
        self.partners_by_sector = {
            sector: [p for p in self.partners if p.sector == sector]
            for sector in ("finance", "legal")
        }
        self.partner_by_short_name = {p.short_name: p for p in self.partners}

        agreements = []
        self.agreement_start = {}
        for partner in self.partners:
            first, last = data.AGREEMENT_WINDOWS[partner.sector]
            signed_on = self.day_between(first, last)
            # The agreement takes effect on signing or on the first of the next month.
            starts_on = (
                signed_on
                if rng.random() < 0.5
                else date(signed_on.year + signed_on.month // 12, signed_on.month % 12 + 1, 1)
            )
            ends_on = date(
                starts_on.year + data.AGREEMENT_TERM_YEARS, starts_on.month, 1
            ) - timedelta(days=1)
            self.agreement_start[partner.pk] = starts_on
            agreements.append(
                Agreement(
                    partner=partner,
                    title=data.AGREEMENT_TITLES[partner.sector],
                    signed_on=signed_on,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    scope=data.AGREEMENT_SCOPES[partner.sector],
                )
            )
        _bulk(Agreement, agreements)

        self.contacts = _bulk(
            PartnerContact,
            [
                PartnerContact(
                    partner=partner,
                    name=self.name(),
                    role=rng.choice(data.CONTACT_ROLES[partner.sector]),
                    phone=self.mobiles.next(),
                    email=f"talent.liaison{index + 1:02d}@example.com",
                )
                for index, partner in enumerate(self.partners)
            ],
        )

    def build_catalogue(self):
        """The 4-category / 21-item service checklist."""
        categories = _bulk(
            ServiceCategory,
            [
                ServiceCategory(code=code, name=name, order=order)
                for order, (code, name, _) in enumerate(data.CATALOGUE, start=1)
            ],
        )
        items = []
        for category, (_, _, rows) in zip(categories, data.CATALOGUE, strict=True):
            for order, (
                code,
                name,
                specialty,
                target,
                follow_up,
                financial,
                description,
            ) in enumerate(rows, start=1):
                items.append(
                    ServiceItem(
                        category=category,
                        code=code,
                        name=name,
                        specialty=specialty,
                        description=description,
                        target_days=target,
                        follow_up_days=follow_up,
                        is_financial=financial,
                        order=order,
                    )
                )
        _bulk(ServiceItem, items)

    def build_service_points(self):
        """Community points, the district service window, the talent home, expropriation sites."""
        rng = self.rng
        points = []
        for community_name in data.COMMUNITY_POINTS:
            community = self.community_by_name[community_name]
            street = community.street
            facts = self.street_facts[street.name]
            latitude, longitude = self.coordinates(facts["centre"])
            points.append(
                ServicePoint(
                    name=f"{community_name}人才助理服务点",
                    kind="community_point",
                    street=street,
                    community=community,
                    address=f"{self.street_address(facts)} {community_name}党群服务中心",
                    latitude=latitude,
                    longitude=longitude,
                    opening_hours=rng.choice(data.COMMUNITY_POINT_HOURS),
                )
            )
        self.point_notes = {}
        for name, kind, street_name, address, hours, (lat, lon), note in data.DISTRICT_POINTS:
            points.append(
                ServicePoint(
                    name=name,
                    kind=kind,
                    street=self.streets[street_name],
                    address=address,
                    latitude=Decimal(f"{lat:.6f}"),
                    longitude=Decimal(f"{lon:.6f}"),
                    opening_hours=hours,
                )
            )
            self.point_notes[name] = note
        self.points = _bulk(ServicePoint, points)
        self.points_by_kind = {}
        for point in self.points:
            self.points_by_kind.setdefault(point.kind, []).append(point)

    def build_users(self):
        """The demo logins; usernames are fixed, passwords follow the seed."""
        user_model = get_user_model()
        usernames = ["staff", "assistant1", "assistant2", "assistant3", "partner"]
        taken = list(
            user_model.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        if taken:
            raise CommandError(
                "These demo usernames already exist, so the demo logins cannot be created: "
                + ", ".join(sorted(taken))
            )

        def make(username, role, **flags):
            password = f"demo-{role}-{self.seed}"
            user = user_model.objects.create_user(username, password=password, **flags)
            self.logins.append((role, username, password))
            return user

        self.staff_user = make("staff", "staff", is_staff=True, is_superuser=True)
        self.assistant_users = [make(f"assistant{n}", "assistant") for n in (1, 2, 3)]
        self.partner_user = make("partner", "partner")
        # The partner manager is the contact of the demo partner.
        demo_partner = self.partner_by_short_name[data.DEMO_PARTNER_SHORT_NAME]
        contact = next(c for c in self.contacts if c.partner_id == demo_partner.pk)
        contact.user = self.partner_user
        contact.save(update_fields=["user", "updated_at"])
        surname, given = contact.name[0], contact.name[1:]
        self.partner_user.last_name, self.partner_user.first_name = surname, given
        self.partner_user.email = contact.email
        self.partner_user.save(update_fields=["last_name", "first_name", "email"])

    def build_assistants(self):
        """Finance assistants from financial partners, legal ones from law firms, with skills."""
        rng = self.rng
        statuses, status_weights = zip(*data.ASSISTANT_STATUS_WEIGHTS, strict=True)
        status_cum = list(itertools.accumulate(status_weights))
        volumes = {
            "finance": data.FINANCE_ASSISTANTS * self.scale,
            "legal": data.LEGAL_ASSISTANTS * self.scale,
        }
        # The first assistant of these partners gets a demo login (assistant1..3).
        login_partners = [data.DEMO_PARTNER_SHORT_NAME, *data.DEMO_LEGAL_SHORT_NAMES]
        logins = dict(zip(login_partners, self.assistant_users, strict=True))

        assistants = []
        for sector in ("finance", "legal"):
            partners = self.partners_by_sector[sector]
            counts = _split(volumes[sector], self.partner_weights[sector])
            for partner, count in zip(partners, counts, strict=True):
                for position in range(count):
                    surname, given, gender = self.person()
                    user = logins.get(partner.short_name) if position == 0 else None
                    licence = ""
                    if sector == "legal":
                        licence = self.licences.next(year=rng.randrange(2005, 2023), gender=gender)
                    assistants.append(
                        Assistant(
                            name=surname + given,
                            partner=partner,
                            specialty=partner.sector,
                            title=rng.choice(data.ASSISTANT_TITLES[sector]),
                            phone=self.mobiles.next(),
                            licence_number=licence,
                            party_member=rng.random() < data.PARTY_MEMBER_SHARE[sector],
                            # Demo logins stay active so that they see shifts and cases.
                            status="active"
                            if user
                            else rng.choices(statuses, cum_weights=status_cum)[0],
                            user=user,
                        )
                    )
                    if user:
                        user.last_name, user.first_name = surname, given
                        user.save(update_fields=["last_name", "first_name"])
        self.assistants = _bulk(Assistant, assistants)

        through = Assistant.skills.through
        links = []
        for assistant in self.assistants:
            tags = data.SKILLS_BY_SPECIALTY[assistant.specialty]
            for tag in rng.sample(tags, rng.choice((0, 1, 1, 2, 2, 3))):
                links.append(through(assistant_id=assistant.pk, skill_id=self.skills[tag].pk))
        _bulk(through, links)
        self.skill_links = len(links)

    def build_dispatches(self):
        """Post every assistant to a point, some to a second one; withdrawn ones' postings ended."""
        rng = self.rng
        last_start = LAST_DISPATCH_START
        dispatches = []
        for assistant in self.assistants:
            kinds, weights = zip(*data.DISPATCH_KIND_WEIGHTS[assistant.specialty], strict=True)
            postings = 2 if rng.random() < 0.3 else 1
            chosen = []
            while len(chosen) < postings:
                kind = rng.choices(kinds, weights=weights)[0]
                point = rng.choice(self.points_by_kind[kind])
                # Two postings of one assistant to one point may not overlap (a database rule).
                if point not in chosen:
                    chosen.append(point)
            earliest = self.agreement_start[assistant.partner_id]
            for point in chosen:
                starts_on = self.day_between(earliest, max(earliest, last_start))
                ends_on = None
                if assistant.status == "withdrawn" or rng.random() < 0.15:
                    ends_on = starts_on + timedelta(days=rng.randrange(90, 400))
                if assistant.status == "withdrawn":
                    # A withdrawn assistant's postings are over by the time the demo is looked at.
                    ends_on = max(starts_on, min(ends_on, WITHDRAWN_BY))
                dispatches.append(
                    Dispatch(
                        assistant_id=assistant.pk,
                        service_point=point,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        note=self.point_notes.get(point.name, data.DISPATCH_NOTE_COMMUNITY),
                    )
                )
        _bulk(Dispatch, dispatches)
        self.dispatch_count = len(dispatches)
        self.dispatches = dispatches

    def build_enterprises(self):
        """Companies and individual businesses with valid, unique credit codes."""
        rng = self.rng
        streets = list(self.streets.values())
        industry_cum = list(itertools.accumulate(data.INDUSTRY_WEIGHTS))
        trade = data.TRADE_NAME_CHARACTERS
        enterprises = []
        for _ in range(data.ENTERPRISES * self.scale):
            street = rng.choice(streets)
            facts = self.street_facts[street.name]
            trade_name = rng.choice(trade) + rng.choice(trade)
            if rng.random() < data.SHOP_SHARE:
                industry, shop = rng.choice(data.SHOPS)
                name = f"{data.DISTRICT}{trade_name}{shop}"
                authority, address = "92", self.street_address(facts)
            else:
                industry, words = rng.choices(data.INDUSTRIES, cum_weights=industry_cum)[0]
                name = (
                    f"{rng.choice(data.COMPANY_PLACE_PREFIXES)}{trade_name}"
                    f"{rng.choice(words)}{rng.choice(data.COMPANY_SUFFIXES)}"
                )
                authority = "91"
                address = self.street_address(facts)
                if rng.random() < 0.4:
                    address += f"{rng.choice(data.OFFICE_BUILDINGS)}{rng.randrange(2, 40)}层"
            enterprises.append(
                Enterprise(
                    name=name,
                    credit_code=self.credit_codes.next(
                        authority=authority,
                        division=data.DISTRICT_DIVISION_CODE,
                        # Most firms served were registered after the 2015 code reform.
                        modern=rng.random() < 0.85,
                    ),
                    industry=industry,
                    street=street,
                    address=address,
                    contact_name=self.name(),
                    contact_phone=self.mobiles.next() if rng.random() < 0.7 else self.landline(),
                )
            )
        _bulk(Enterprise, enterprises)
        self.enterprise_count = len(enterprises)

    def build_residents(self):
        """Households across the communities, each with a unique phone."""
        rng = self.rng
        sizes = range(1, len(data.HOUSEHOLD_SIZE_WEIGHTS) + 1)
        size_cum = list(itertools.accumulate(data.HOUSEHOLD_SIZE_WEIGHTS))
        residents = []
        for _ in range(data.RESIDENTS * self.scale):
            community = rng.choice(self.communities)
            facts = self.street_facts[community.street.name]
            if rng.random() < 0.5:
                home = self.street_address(facts)
            else:
                stem = community.name.removesuffix("社区")
                home = f"{data.DISTRICT}{stem}{rng.choice(data.ESTATE_NAMES)}"
            residents.append(
                Resident(
                    name=self.name(),
                    phone=self.mobiles.next(),
                    community=community,
                    address=f"{home}{rng.randrange(1, 30)}座{rng.randrange(1, 12)}"
                    f"{rng.randrange(1, 9):02d}室",
                    household_size=rng.choices(sizes, cum_weights=size_cum)[0],
                )
            )
            # Flush in slices so that scale 100 never holds 200,000 unsaved rows at once.
            if len(residents) >= BATCH_SIZE * 10:
                _bulk(Resident, residents)
                residents = []
        _bulk(Resident, residents)

    def build_templates(self):
        """Duty templates: the opening hours of each point, seats multiplied by the scale."""
        templates = []
        for point in self.points:
            if point.kind == "community_point":
                finance, legal = data.COMMUNITY_POINT_SEATS
                rows = [
                    ([weekday], start, end, finance, legal)
                    for weekday, start, end in data.COMMUNITY_POINT_SCHEDULES[point.opening_hours]
                ]
            else:
                rows = data.DISTRICT_POINT_TEMPLATES[point.kind]
            for weekdays, start, end, finance, legal in rows:
                templates.extend(
                    ShiftTemplate(
                        service_point=point,
                        weekday=weekday,
                        starts_at=_clock(start),
                        ends_at=_clock(end),
                        finance_needed=finance * self.scale,
                        legal_needed=legal * self.scale,
                    )
                    for weekday in weekdays
                )
        _bulk(ShiftTemplate, templates)

    def build_leave(self):
        """Leave and business trips in the two rota months: approved, requested and rejected."""
        rng = self.rng
        first, last = self.months[0][0], self.months[-1][1]
        active = [a for a in self.assistants if a.status == "active"]
        shares = [(status, round(share * len(active))) for status, share in data.LEAVE_SHARES]
        chosen = iter(rng.sample(active, sum(count for _, count in shares)))
        kinds, kind_weights = zip(*data.LEAVE_KINDS, strict=True)
        rows = []
        for status, count in shares:
            for assistant in itertools.islice(chosen, count):
                kind = rng.choices(kinds, weights=kind_weights)[0]
                # A request still waiting is for days to come; decided ones may be past.
                earliest = self.today + timedelta(days=1) if status == "requested" else first
                starts_on = self.day_between(min(earliest, last), last)
                ends_on = starts_on + timedelta(days=rng.randint(*data.LEAVE_DAYS) - 1)
                decided = status != "requested"
                decided_on = min(starts_on, self.today) - timedelta(days=rng.randrange(1, 5))
                rows.append(
                    Unavailability(
                        assistant_id=assistant.pk,
                        kind=kind,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        status=status,
                        reason=rng.choice(data.LEAVE_REASONS[kind]),
                        decided_by=self.staff_user if decided else None,
                        decided_at=datetime.combine(decided_on, clock(17), tzinfo=LOCAL_TZ)
                        if decided
                        else None,
                    )
                )
        _bulk(Unavailability, rows)

    def build_rotas(self):
        """A published rota for the whole district for this month and the next."""
        self.rotas = []
        for first, last in self.months:
            rota = generate_rota(
                starts_on=first,
                ends_on=last,
                created_by=self.staff_user,
                name=f"{first.year}年{first.month}月全区轮值表",
            )
            # Seeding stays quiet: the demo logins' inbox fills from the reminder sweep.
            publish_rota(rota=rota, by=self.staff_user, notify_assistants=False)
            self.rotas.append(rota)

    def build_attendance(self):
        """Shifts before today were served, except a few nobody checked in to."""
        past = Shift.objects.filter(
            rota__in=self.rotas, date__lt=self.today, assistant__isnull=False
        )
        ids = list(
            past.order_by("starts_at", "service_point_id", "specialty", "pk").values_list(
                "pk", flat=True
            )
        )
        missed = self.rng.sample(ids, round(len(ids) * data.MISSED_SHARE))
        past.filter(pk__in=missed).update(status="missed")
        # Checked in a few minutes early, out at the end: one UPDATE for the whole past.
        past.exclude(pk__in=missed).update(
            status="completed",
            checked_in_at=F("starts_at") - timedelta(minutes=5),
            checked_out_at=F("ends_at"),
        )

    def build_swaps(self):
        """A few upcoming shifts offered by their holder, to anyone or to a free colleague."""
        rng = self.rng
        upcoming = list(
            Shift.objects.filter(rota__in=self.rotas, date__gt=self.today, assistant__isnull=False)
            .order_by("starts_at", "service_point_id", "specialty", "pk")
            .values_list(
                "pk",
                "assistant_id",
                "service_point_id",
                "specialty",
                "date",
                "starts_at",
                "ends_at",
            )
        )
        busy = defaultdict(list)
        for _pk, assistant_id, _point, _specialty, day, starts_at, ends_at in upcoming:
            busy[assistant_id, day].append((starts_at, ends_at))
        by_pk = {assistant.pk: assistant for assistant in self.assistants}
        # Active people posted to each point, by specialty, in a fixed order.
        posted = defaultdict(list)
        for dispatch in self.dispatches:
            person = by_pk[dispatch.assistant_id]
            if person.status == "active":
                posted[dispatch.service_point.pk, person.specialty].append(dispatch)
        on_leave = defaultdict(list)
        for assistant_id, starts_on, ends_on in Unavailability.objects.filter(
            status="approved"
        ).values_list("assistant_id", "starts_on", "ends_on"):
            on_leave[assistant_id].append((starts_on, ends_on))

        def free(dispatch, requester_id, day, starts_at, ends_at):
            """Posted there that day, not the requester, not on leave, not on duty then."""
            pk = dispatch.assistant_id
            return (
                pk != requester_id
                and dispatch.starts_on <= day
                and (dispatch.ends_on is None or day <= dispatch.ends_on)
                and not any(first <= day <= last for first, last in on_leave[pk])
                and not any(s < ends_at and starts_at < e for s, e in busy[pk, day])
            )

        swaps, events = [], []
        count = min(len(upcoming), data.SWAP_REQUESTS * self.scale)
        for pk, requester_id, point_id, specialty, day, starts_at, ends_at in rng.sample(
            upcoming, count
        ):
            offered_to = None
            if rng.random() < 0.5:
                # From a random place in the list, the first colleague who is free: a fair pick
                # without testing thousands of colleagues at scale 100.
                colleagues = posted[point_id, specialty]
                start = rng.randrange(len(colleagues)) if colleagues else 0
                offered_to = next(
                    (
                        d.assistant_id
                        for d in itertools.chain(colleagues[start:], colleagues[:start])
                        if free(d, requester_id, day, starts_at, ends_at)
                    ),
                    None,
                )
            note = rng.choice(data.SWAP_NOTES)
            swaps.append(
                SwapRequest(
                    shift_id=pk,
                    requested_by_id=requester_id,
                    offered_to_id=offered_to,
                    status="open",
                    note=note,
                )
            )
            events.append(
                ShiftEvent(
                    shift_id=pk,
                    kind="swap_offered",
                    actor=by_pk[requester_id].user,
                    assistant_id=requester_id,
                    note=note,
                )
            )
        _bulk(SwapRequest, swaps)
        _bulk(ShiftEvent, events)

    def build_duty(self):
        """Templates, leave, the two months' rotas, past attendance and swap requests."""
        this_month = self.today.replace(day=1)
        next_month = _month_after(this_month)
        self.months = [
            (this_month, next_month - timedelta(days=1)),
            (next_month, _month_after(next_month) - timedelta(days=1)),
        ]
        for step in (
            self.build_templates,
            self.build_leave,
            self.build_rotas,
            self.build_attendance,
            self.build_swaps,
        ):
            started = time.monotonic()
            step()
            self.timings[step.__name__.removeprefix("build_")] = time.monotonic() - started

    def build(self):
        """Build every table in dependency order."""
        self.build_geography()
        self.build_skills()
        self.build_partners()
        self.build_catalogue()
        self.build_service_points()
        self.build_users()
        self.build_assistants()
        self.build_dispatches()
        self.build_enterprises()
        self.build_residents()
        self.build_duty()


def build_demo_district(*, seed: int = DEFAULT_SEED, scale: int = 1) -> DemoDistrict:
    """Build the demo district in one transaction; return it, with its logins and timings."""
    with transaction.atomic():
        district = DemoDistrict(seed=seed, scale=scale)
        district.build()
    return district


def seed_demo(*, seed: int = DEFAULT_SEED, scale: int = 1) -> list[tuple[str, str, str]]:
    """Build the demo district in one transaction; return the logins (role, username, password)."""
    return build_demo_district(seed=seed, scale=scale).logins


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo district and demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed; the same seed gives the same names, phones and codes.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply assistants, dispatches, enterprises and residents (for benchmarks).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has partners (for `make run`).",
        )

    def handle(self, *args, seed, scale, if_empty, **options):
        """Refuse or skip on a non-empty database; otherwise seed and print the logins."""
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        started = time.monotonic()
        with transaction.atomic():
            # Checked inside the transaction so that two concurrent runs cannot both seed.
            if Partner.objects.exists():
                if if_empty:
                    self.stdout.write("The database already has data; demo seeding skipped.")
                    return
                raise CommandError(
                    "The database already has partners; seed_demo only fills an empty database. "
                    "Use --if-empty to skip quietly, or start from a fresh database."
                )
            district = build_demo_district(seed=seed, scale=scale)
        logins = district.logins
        elapsed = time.monotonic() - started

        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Seeded the demo district (seed {seed}, scale {scale}) in {elapsed:.1f} s:"
            )
            for label, model in [
                ("streets", Street),
                ("communities", Community),
                ("partners", Partner),
                ("agreements", Agreement),
                ("partner contacts", PartnerContact),
                ("skills", Skill),
                ("assistants", Assistant),
                ("service points", ServicePoint),
                ("dispatches", Dispatch),
                ("service categories", ServiceCategory),
                ("service items", ServiceItem),
                ("enterprises", Enterprise),
                ("residents", Resident),
                ("shift templates", ShiftTemplate),
                ("leave and trips", Unavailability),
                ("rotas", Rota),
                ("shifts", Shift),
                ("swap requests", SwapRequest),
            ]:
                self.stdout.write(f"  {label}: {model.objects.count()}")
            self.stdout.write(f"  open shifts: {Shift.objects.open().count()}")
            self.stdout.write(
                "  duty timings: "
                + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in district.timings.items())
            )
        for role, username, password in logins:
            self.stdout.write(f"demo login: {role} {username} {password}")
