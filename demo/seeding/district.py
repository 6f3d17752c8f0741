"""The demo district: one seeded generator builds every table in dependency order."""

import itertools
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import data
from .assistants import DemoAssistants
from .cases import DemoCases
from .common import DEFAULT_SEED, CreditCodes, LicenceNumbers, MobileNumbers
from .partners import DemoPartners
from .registers import DemoRegisters
from .steering import build_steering_demo


class DemoDistrict(DemoPartners, DemoAssistants, DemoRegisters, DemoCases):
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
        started = time.monotonic()
        self.build_cases()
        self.timings["cases"] = time.monotonic() - started
        started = time.monotonic()
        self.steering_counts = build_steering_demo(self)
        self.timings["steering"] = time.monotonic() - started


def build_demo_district(*, seed: int = DEFAULT_SEED, scale: int = 1) -> DemoDistrict:
    """Build the demo district in one transaction; return it, with its logins and timings."""
    with transaction.atomic():
        district = DemoDistrict(seed=seed, scale=scale)
        district.build()
    return district


def seed_demo(*, seed: int = DEFAULT_SEED, scale: int = 1) -> list[tuple[str, str, str]]:
    """Build the demo district in one transaction; return the logins (role, username, password)."""
    return build_demo_district(seed=seed, scale=scale).logins
