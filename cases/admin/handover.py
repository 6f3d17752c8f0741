"""On the assistants' admin pages: who still holds open cases when their posting ends."""

from django.contrib import messages
from django.dispatch import receiver
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assistants.signals import postings_ended

from ..assignment import open_cases_for_hand_over


@receiver(postings_ended, dispatch_uid="cases.warn_of_cases_to_hand_over")
def warn_of_cases_to_hand_over(sender, *, model_admin, request, assistants, **kwargs):
    """List who still holds open cases, linked to them, so staff hand them over."""
    cases_url = reverse("admin:cases_case_changelist")
    for assistant in assistants:
        count = open_cases_for_hand_over(assistant).count()
        if count:
            model_admin.message_user(
                request,
                format_html(
                    '{} <a href="{}?lead__id__exact={}">{}</a>',
                    ngettext(
                        "%(name)s still has %(count)d open case to hand over.",
                        "%(name)s still has %(count)d open cases to hand over.",
                        count,
                    )
                    % {"name": assistant.name, "count": count},
                    cases_url,
                    assistant.pk,
                    _("Show them"),
                ),
                messages.WARNING,
            )
