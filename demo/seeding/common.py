"""What every part of the demo district uses: fixed dates, shares, batch sizes, valid
numbers and codes generated once each, and small helpers.
"""

import itertools
import random
from datetime import date
from datetime import time as clock

from django.db import connection, connections, models

from talentoffice.validators import CREDIT_CODE_ALPHABET, credit_code_check_character

from . import data

BATCH_SIZE = 2000


def _in_force(dispatch, day) -> bool:
    """Whether the dispatch (a posting to a point) covers the day."""
    return dispatch.starts_on <= day and (dispatch.ends_on is None or day <= dispatch.ends_on)


# Cases are planned all at once (to number them in intake order) but written this many at a
# time, so that scale 100 never holds millions of unsaved timeline rows.
CASE_SLICE = 10_000
DEFAULT_SEED = 2024
# The share of a scale-1 district's cases led by the demo assistants (assistant1..3).
DEMO_LEAD_SHARE = 0.02
# Of the cases that get a helper, the share helped by a demo login at scale 1 (a few each).
DEMO_HELPER_SHARE = 0.03
# Open offers to anyone that each demo login can take, at any scale (see demo_offers).
DEMO_OFFERS = 8
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
    """Insert in batches and give the objects their primary keys.

    On PostgreSQL the rows go by COPY: bulk_create sends each column as an array that is
    escaped value by value, which was most of a large district's seeding time. Elsewhere
    (SQLite 3.35+) bulk_create gives the keys back itself.
    """
    objects = list(objects)
    if connection.vendor != "postgresql" or not objects or model._meta.parents:
        return model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    _copy_rows(model, objects)
    return objects


_SERIAL_TYPES = {"AutoField", "BigAutoField", "SmallAutoField"}


def _copy_rows(model, objects):
    """Write the objects with COPY, their ids first drawn from the table's own sequence."""
    meta = model._meta
    pk = meta.pk
    # The connection itself, not the thread-local proxy: each value's preparation asks for it.
    db = connections[model.objects.db]
    fields = [
        field
        for field in meta.concrete_fields
        if not getattr(field, "generated", False) and not isinstance(field, models.ManyToManyField)
    ]
    table = db.ops.quote_name(meta.db_table)
    columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
    with db.cursor() as cursor:
        if pk.get_internal_type() in _SERIAL_TYPES:
            keyless = [obj for obj in objects if obj.pk is None]
            if keyless:
                # One query reserves every id, so later rows (events of these cases, say) can
                # point at them before the COPY has run.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, pk.column, len(keyless)],
                )
                for obj, (key,) in zip(keyless, cursor.fetchall(), strict=True):
                    obj.pk = key
        links = [field for field in fields if field.many_to_one or field.one_to_one]
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                for field in links:
                    # A row planned before its parent was written holds the parent itself;
                    # its key exists only now.
                    if getattr(obj, field.attname) is None:
                        parent = getattr(obj, field.name)
                        if parent is not None:
                            setattr(obj, field.attname, parent.pk)
                copy.write_row(
                    [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields]
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = db.alias


def _clock(text: str) -> clock:
    """A time of day from "HH:MM"."""
    hours, minutes = text.split(":")
    return clock(int(hours), int(minutes))


def _month_after(day: date) -> date:
    """The first day of the month after day's month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
