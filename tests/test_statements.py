"""`column__any=[…]`, and statements compiled once for lists of any length (statements.py)."""

import pytest

from assistants.models import Assistant, Skill
from talentoffice.statements import rows_for_values
from tests import factories


def skills_of(lookup):
    """The skills query of the assistants list, filtering with `lookup` (`in` or `any`)."""

    def build(ids):
        return (
            Assistant.skills.through.objects.filter(**{f"assistant_id__{lookup}": ids})
            .order_by("skill__name", "assistant_id")
            .values_list("assistant_id", "skill__name")
        )

    return build


@pytest.fixture
def people(db):
    skills = [Skill.objects.create(name=name) for name in ("股权", "融资", "征迁")]
    partner = factories.make_partner()
    people = [factories.make_assistant(partner=partner, name=f"人{n}") for n in range(4)]
    for n, person in enumerate(people):
        person.skills.add(*skills[: n % 3 + 1])
    return people


@pytest.mark.parametrize("count", [0, 1, 3, 4])
def test_any_gives_the_rows_in_gives(people, count):
    ids = [person.pk for person in people[:count]]

    expected = [list(row) for row in skills_of("in")(ids)]

    assert [list(row) for row in skills_of("any")(ids)] == expected
    assert rows_for_values(("test skills",), skills_of("any"), ids, "default") == expected


@pytest.mark.postgresql_only(
    reason="one array parameter (= ANY) keeps a statement the same for any list length; "
    "SQLite spells the list out, one placeholder per value"
)
def test_a_statement_for_values_is_compiled_once_for_lists_of_any_length(people, compiled):
    ids = [person.pk for person in people]
    key = ("test skills, compiled once",)

    first = rows_for_values(key, skills_of("any"), ids[:1], "default")
    compiled_first = len(compiled)
    second = rows_for_values(key, skills_of("any"), ids, "default")

    assert compiled_first == 1 and len(compiled) == 1
    assert [row[0] for row in first] == [ids[0]]
    assert {row[0] for row in second} == set(ids)
