"""Marks a date counted on a calendar that is not official yet, wherever a page shows one."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from talentoffice.workdays import YearState, year_state

register = template.Library()


def _state(context, year: int) -> str:
    # One look-up per year and request, however many dates a list shows.
    holder = context.get("request")
    memo = getattr(holder, "_calendar_year_states", None) if holder is not None else None
    if memo is None:
        memo = {}
        if holder is not None:
            holder._calendar_year_states = memo
    if year not in memo:
        memo[year] = year_state(year)
    return memo[year]


@register.simple_tag(takes_context=True)
def provisional_mark(context, day):
    """“暂定” after a date in a year whose holidays are computed, not yet announced."""
    if not day:
        return ""
    state = _state(context, day.year)
    if state == YearState.OFFICIAL:
        return ""
    label = _("provisional") if state == YearState.PROVISIONAL else _("calendar unknown")
    return format_html('<span class="provisional" data-testid="provisional">{}</span>', label)
