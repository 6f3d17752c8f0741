"""The one scrubber (talentoffice.masking.scrub) as a template filter, for free text on pages."""

from django import template

from talentoffice.masking import scrub as scrub_text

register = template.Library()


@register.filter
def scrub(text):
    """The text with every phone, ID number, card and e-mail in it masked."""
    return scrub_text(str(text)) if text else text
