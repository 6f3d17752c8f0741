"""What an assistant may open on the mobile pages, built on the models' visible_to querysets.

Enterprises and residents are staff-only records (StaffOnlyQuerySet); an assistant reaches
the requesters of the cases they lead or help with (Case.objects.visible_to), and the
enterprises they are the active liaison of (挂钩联系), whom they visit without a case.
"""

from django.db.models import Q

from cases.models import Case, Enterprise, EnterpriseLiaison, Resident


def cases_visible_to(user, assistant):
    """Case.objects.visible_to(user), with the same set said again in a form indexes can serve.

    visible_to ORs "I lead it" with a subquery of the cases I help with; PostgreSQL cannot
    combine an OR with a hashed subquery through indexes, so it filters every open case of
    the district (66,000 at seed_demo --scale 100, 130 ms a page). ANDing "lead is me or the
    id is one of these few" (read once per request) lets it start from the lead index and the
    primary key; visible_to stays the authority on what may be seen.
    """
    helped = getattr(assistant, "_helped_case_ids", None)
    if helped is None:
        helped = list(
            Case.helpers.through.objects.filter(assistant=assistant).values_list(
                "case_id", flat=True
            )
        )
        assistant._helped_case_ids = helped
    return Case.objects.visible_to(user).filter(Q(lead=assistant) | Q(pk__in=helped))


def enterprises_visible_to(user, assistant):
    """Enterprises of the assistant's cases and those they are the active liaison of."""
    cases = cases_visible_to(user, assistant).filter(enterprise__isnull=False)
    liaisons = EnterpriseLiaison.objects.filter(assistant=assistant, active=True)
    return Enterprise.objects.filter(
        Q(pk__in=cases.values("enterprise_id")) | Q(pk__in=liaisons.values("enterprise_id"))
    )


def residents_visible_to(user, assistant):
    """Residents (households) of the assistant's cases."""
    cases = cases_visible_to(user, assistant).filter(resident__isnull=False)
    return Resident.objects.filter(pk__in=cases.values("resident_id"))
