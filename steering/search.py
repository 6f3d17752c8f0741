"""The staff's global search: one box on every staff page, hits grouped by kind.

Each kind is one query over the viewer's scoped rows (`visible_to`), cut at `PER_KIND` hits
(one more is read to say "more"), so a search runs the same number of queries whatever the
data size. Names and titles are found by containment, as Chinese has no spaces between words;
on PostgreSQL the trigram indexes of steering/migrations/0002 serve it. An assistant's phone
is found only whole: a part of a phone number would let anyone walk the numbers digit by digit.
"""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistants.models import Assistant, ServicePoint
from cases.models import Case, CouncilMeeting, Enterprise, Resident
from partners.models import Partner
from talentoffice.masking import mask_phone
from talentoffice.validators import MOBILE_PATTERN

from .models import Campaign

PER_KIND = 10
MIN_LENGTH = 2
MAX_LENGTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MOBILE = re.compile(MOBILE_PATTERN)


class SearchRefused(ValueError):
    """A query the search does not run; the message says why and what to type instead."""


def clean_query(raw: str) -> str:
    """The query as searched, or SearchRefused with a hint."""
    text = (raw or "").strip()
    if _CONTROL.search(text):
        raise SearchRefused(_("The search text contains control characters; type plain text."))
    if len(text) > MAX_LENGTH:
        raise SearchRefused(
            _("Search with at most %(max)s characters: a name, a number or a few words.")
            % {"max": MAX_LENGTH}
        )
    if len(text) < MIN_LENGTH:
        raise SearchRefused(
            _("Type at least %(min)s characters, e.g. two characters of a name or a title.")
            % {"min": MIN_LENGTH}
        )
    return text


@dataclass
class Hit:
    label: str
    detail: str
    url: str


@dataclass
class Group:
    key: str
    title: str
    hits: list
    more: bool


def _cases(user, q):
    rows = (
        Case.objects.visible_to(user)
        .filter(Q(number__icontains=q) | Q(title__icontains=q))
        .select_related("service_item")
        .order_by("-pk")
    )
    return rows, lambda c: Hit(
        f"{c.number} {c.title}",
        f"{c.service_item.name} · {c.get_state_display()}",
        reverse("admin:cases_case_change", args=[c.pk]),
    )


def _enterprises(user, q):
    rows = (
        Enterprise.objects.visible_to(user)
        .filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
        .order_by("name", "pk")
    )
    return rows, lambda e: Hit(
        e.name, e.credit_code, reverse("admin:cases_enterprise_change", args=[e.pk])
    )


def _assistants(user, q):
    match = Q(name__icontains=q)
    digits = q.replace(" ", "").replace("-", "")
    if _MOBILE.match(digits):
        match |= Q(phone=digits)
    rows = (
        Assistant.objects.visible_to(user)
        .filter(match)
        .select_related("partner")
        .order_by("name", "pk")
    )
    return rows, lambda a: Hit(
        a.name,
        f"{a.partner.short_name} · {a.get_specialty_display()}",
        reverse("admin:assistants_assistant_change", args=[a.pk]),
    )


def _partners(user, q):
    rows = (
        Partner.objects.visible_to(user)
        .filter(Q(name__icontains=q) | Q(short_name__icontains=q))
        .order_by("name", "pk")
    )
    return rows, lambda p: Hit(
        p.name, p.short_name, reverse("admin:partners_partner_change", args=[p.pk])
    )


def _points(user, q):
    rows = ServicePoint.objects.visible_to(user).filter(name__icontains=q).order_by("name", "pk")
    return rows, lambda p: Hit(
        p.name, p.get_kind_display(), reverse("admin:assistants_servicepoint_change", args=[p.pk])
    )


def _meetings(user, q):
    rows = (
        CouncilMeeting.objects.visible_to(user)
        .filter(title__icontains=q)
        .order_by("-held_on", "-pk")
    )
    return rows, lambda m: Hit(
        m.title, m.held_on.isoformat(), reverse("admin:cases_councilmeeting_change", args=[m.pk])
    )


def _campaigns(user, q):
    rows = Campaign.objects.visible_to(user).filter(name__icontains=q).order_by("name", "pk")
    return rows, lambda c: Hit(c.name, "", reverse("steering:campaign", args=[c.pk]))


def _residents(user, q):
    # Found by name only, and shown as the resident list shows them: the phone masked.
    rows = (
        Resident.objects.visible_to(user)
        .filter(name__icontains=q)
        .select_related("community")
        .order_by("name", "pk")
    )
    return rows, lambda r: Hit(
        r.name,
        " · ".join(filter(None, [r.community.name if r.community else "", mask_phone(r.phone)])),
        reverse("admin:cases_resident_change", args=[r.pk]),
    )


KINDS = [
    ("cases", gettext_lazy("Cases"), _cases),
    ("enterprises", gettext_lazy("Enterprises"), _enterprises),
    ("assistants", gettext_lazy("Assistants"), _assistants),
    ("partners", gettext_lazy("Partners"), _partners),
    ("points", gettext_lazy("Service points"), _points),
    ("meetings", gettext_lazy("Council meetings"), _meetings),
    ("campaigns", gettext_lazy("Campaigns"), _campaigns),
    ("residents", gettext_lazy("Residents"), _residents),
]


def case_hits(user, q):
    """The cases' query of a search, for a look at its plan."""
    return _cases(user, q)[0][: PER_KIND + 1]


def search(user, q: str) -> list[Group]:
    """Every kind's hits for the cleaned query: one query per kind, at most PER_KIND hits each."""
    groups = []
    for key, title, finder in KINDS:
        rows, hit = finder(user, q)
        found = list(rows[: PER_KIND + 1])
        groups.append(
            Group(key, str(title), [hit(row) for row in found[:PER_KIND]], len(found) > PER_KIND)
        )
    return groups
