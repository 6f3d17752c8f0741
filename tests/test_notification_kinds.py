"""The registry of notification kinds: every kind has its message template, and every template
reads in Chinese and in English."""

from collections import defaultdict

import pytest
from django.utils import translation

from talentoffice import kinds
from talentoffice.models import NotificationKind


def test_every_kind_has_its_template_and_every_template_is_a_kind():
    assert set(kinds.TEMPLATES) == set(NotificationKind.values)


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_wording_of_every_kind_reads_in_chinese_first_and_in_english(kind):
    template = kinds.template(kind)
    names = defaultdict(lambda: 2)
    for variant in ["", *template.variants]:
        with translation.override("zh-hans"):
            title, body = template.render(names, variant)
        with translation.override("en"):
            english = template.render(names, variant)
        assert title and body and all(english)
        # The title always has words; a list body (a digest) is only its lines.
        assert title != english[0]
        if body != kinds.LINES % names:
            assert body != english[1]
    for part in template.parts:
        with translation.override("zh-hans"):
            chinese = template.part(part, names)
        with translation.override("en"):
            assert template.part(part, names) != chinese


def test_a_message_of_a_kind_is_rendered_from_its_template():
    with translation.override("en"):
        title, body = kinds.render(
            NotificationKind.CASE_ASSIGNED, {"number": "TJ-1", "title": "贷款"}, "helper"
        )
    assert (title, body) == ("New case: TJ-1", "You help with case TJ-1 “贷款”.")
