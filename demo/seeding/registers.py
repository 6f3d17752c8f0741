"""The registers assistants serve: enterprises and residents."""

import itertools

from cases.models import Enterprise, Resident

from . import data
from .common import BATCH_SIZE, _bulk


class DemoRegisters:
    """Enterprises with valid credit codes, and residents."""

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
