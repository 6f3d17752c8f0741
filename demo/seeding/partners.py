"""The district's geography, partners, service checklist, service points and demo logins."""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from assistants.models import ServicePoint, Skill
from cases.models import ServiceCategory, ServiceItem
from partners.models import Agreement, Partner, PartnerContact
from talentoffice import roles
from talentoffice.models import Community, Street

from . import data
from .common import _bulk


class DemoPartners:
    """Streets, partners and their agreements, the checklist, service points, logins."""

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
        """The demo logins; usernames are fixed, the superuser's (admin) password is random, the
        other passwords follow the seed."""
        user_model = get_user_model()
        usernames = ["staff", "assistant1", "assistant2", "assistant3", "partner", "admin"]
        taken = list(
            user_model.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        if taken:
            raise CommandError(
                "These demo usernames already exist, so the demo logins cannot be created: "
                + ", ".join(sorted(taken))
            )

        def make(username, role, **flags):
            if flags.get("is_superuser"):
                # A password made from the seed is known to whoever reads this code, and the
                # superuser may do anything; drawn from the system, not from the seeded
                # generator, so that the rest of the district stays the same for a seed.
                password = secrets.token_urlsafe(12)
            else:
                password = f"demo-{role}-{self.seed}"
            user = user_model.objects.create_user(username, password=password, **flags)
            self.logins.append((role, username, password))
            return user

        # Staff try the demo as a district staff member sees it (docs/roles.md), without the
        # technical tables only a superuser is shown.
        self.staff_user = make("staff", "staff", is_staff=True)
        roles.grant_role(self.staff_user, roles.DISTRICT_STAFF)
        self.assistant_users = [make(f"assistant{n}", "assistant") for n in (1, 2, 3)]
        self.partner_user = make("partner", "partner")
        for user in self.assistant_users:
            roles.grant_role(user, roles.ASSISTANT)
        roles.grant_role(self.partner_user, roles.PARTNER_MANAGER)
        # The partner manager is the contact of the demo partner.
        demo_partner = self.partner_by_short_name[data.DEMO_PARTNER_SHORT_NAME]
        contact = next(c for c in self.contacts if c.partner_id == demo_partner.pk)
        contact.user = self.partner_user
        contact.save(update_fields=["user", "updated_at"])
        # The technical administrator, last: schedules, lock-outs, deliveries, logins.
        make("admin", "admin", is_staff=True, is_superuser=True)
        surname, given = contact.name[0], contact.name[1:]
        self.partner_user.last_name, self.partner_user.first_name = surname, given
        self.partner_user.email = contact.email
        self.partner_user.save(update_fields=["last_name", "first_name", "email"])
