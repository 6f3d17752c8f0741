"""Base classes for every admin page staff use: fast changelists, CSV and Excel export."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.dispatch import Signal
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .crypto import lookup_hash
from .exporting import StreamedExportMixin, free_text_mask
from .importing import RosterCSV
from .masking import PERSONAL_FIELDS, personal_path, scrub
from .pagination import EstimatedCountPaginator
from .validators import normalize_phone, validate_phone

AUDIT_HISTORY_PER_PAGE = 25


def record_missing(request, opts, object_id):
    """Back to the admin's index with Django's own "doesn't exist" message, for a record that is
    gone or that the user's role may not see (both answer alike, so neither tells of the other)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    messages.warning(
        request,
        _("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")
        % {"name": opts.verbose_name, "key": object_id},
    )
    return redirect("admin:index")


def scoped_to(queryset, user):
    """The rows of `queryset` the user's role may see (docs/roles.md), via the model's
    visible_to; a model without one (a history row of a record already scoped) is left as is."""
    visible_to = getattr(queryset, "visible_to", None)
    return visible_to(user) if visible_to is not None else queryset


class AuditHistoryMixin:
    """The "History" button of a record followed by the audit trail shows that trail.

    Reached through `get_object`, so a record the user may not see answers as missing. Other
    models keep Django's own history (the admin's action log).
    """

    def history_view(self, request, object_id, extra_context=None):
        from auditlog.registry import auditlog
        from django.contrib.admin.utils import unquote
        from django.core.exceptions import PermissionDenied
        from django.core.paginator import Paginator
        from django.template.response import TemplateResponse
        from django.urls import reverse

        from . import audit

        if not auditlog.contains(self.model):
            return super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return record_missing(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        page = Paginator(audit.entries_for(obj), AUDIT_HISTORY_PER_PAGE).get_page(
            request.GET.get("p")
        )
        all_entries_url = ""
        if request.user.has_perm("auditlog.view_logentry"):
            changelist = reverse("admin:auditlog_logentry_changelist")
            all_entries_url = (
                f"{changelist}?content_type__id__exact={audit.content_type_id(obj)}"
                f"&object_id={obj.pk}"
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{obj} · {_('Audit trail')}",
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "page": page,
            "entries": audit.describe_entries(page.object_list),
            "all_entries_url": all_entries_url,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


# A digit or an "@" in a search term: what the scrubber hides in free text is made of these.
HIDDEN_BY_SCRUBBER = re.compile("[0-9\uff10-\uff19@\uff20]")
ID_NUMBER_TERM = re.compile(r"^[1-9][0-9]{16}[0-9Xx]$")


class PersonalDataAdminMixin:
    """No changelist filter or search lets anyone test guesses against residents' personal data.

    A filter such as `?phone__startswith=188` or a loose search answers "some row" or "none",
    and enough of those spell out a masked phone digit by digit. So, driven by the registry of
    personal fields (talentoffice.masking):

    - filter lookups reaching a personal field are refused, for every role, as the admin
      refuses any lookup it does not offer (400);
    - personal fields are dropped from the loose search;
    - a whole phone or ID number typed in the search box finds its resident exactly, only for a
      role that may see the data in full, and the search is logged (its keyed hash, not the
      value). Anyone else's search runs over the other fields as if no number had been typed.

    A name the changelist itself shows in full (the residents' list) is no secret on that page,
    so that page may still filter and search on it.
    """

    def _shown_in_full(self, request, path: str) -> bool:
        return "__" not in path and path in self.get_list_display(request)

    def lookup_allowed(self, lookup, value, request=None):
        if personal_path(self.model, lookup) and not self._shown_in_full(request, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = [
            field
            for field in super().get_search_fields(request)
            if not personal_path(self.model, field.lstrip("^=@"))
            or self._shown_in_full(request, field.lstrip("^=@"))
        ]
        # Free text is shown scrubbed to a role without the full view; searching it for digits
        # or an e-mail would tell, "found" or "not", the digits the scrubber hid. Such a term
        # still finds case numbers, codes and every field that is not free text.
        # "q" is the changelist's search box, "term" what the autocomplete types.
        term = request.GET.get("q") or request.GET.get("term") or ""
        if HIDDEN_BY_SCRUBBER.search(term) and not can_search_in_full(request.user):
            fields = [
                field for field in fields if free_text_mask(self.model, field.lstrip("^=@")) is None
            ]
        return fields

    # -- free text on the pages ---------------------------------------------------------
    #
    # Titles, descriptions, notes and every other text people type may carry a phone or an ID
    # number mid-sentence, and a record's name (a case is "number title") repeats its free text
    # in lists, breadcrumbs, inlines and links of other records. Masking field by field would
    # miss those copies, so a page rendered for a role without the permission to see personal
    # data in full is passed through the one scrubber as a whole. A page whose form edits the
    # text is left as stored: scrubbing it would save the masks over the real text.

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        editable = bool(self.list_editable) and self.has_change_permission(request)
        return scrubbed_for(request, response, editable=editable)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if object_id is None:
            editable = self.has_add_permission(request)
        else:
            editable = self.has_change_permission(request)
        return scrubbed_for(request, response, editable=editable)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return scrubbed_for(request, response, editable=False)

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        return scrubbed_for(request, response, editable=False)

    def personal_prefix(self):
        """The path from this admin's model to a model with personal fields, if one is near."""
        if PERSONAL_FIELDS.get(self.model._meta.label_lower):
            return ""
        for field in self.model._meta.get_fields():
            related = getattr(field, "related_model", None)
            # A generic relation (related_model None) points at no one model: nothing to follow.
            if related is None or not field.many_to_one:
                continue
            if PERSONAL_FIELDS.get(related._meta.label_lower):
                return f"{field.name}__"
        return None

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        prefix = self.personal_prefix() if term else None
        if prefix is not None and can_search_in_full(request.user):
            if ID_NUMBER_TERM.fullmatch(term):
                term_hash = lookup_hash(term.upper())
                found = queryset.filter(**{f"{prefix}id_number_hash": term_hash})
                record_search(request=request, term_hash=term_hash, found=found)
                return found, False
            phone = phone_term(term)
            if phone:
                found = queryset.filter(**{f"{prefix}phone": phone})
                record_search(request=request, term_hash=lookup_hash(phone), found=found)
                return found, False
        return super().get_search_results(request, queryset, search_term)


def phone_term(term: str) -> str:
    """The normalized phone a search term is, or "" if it is not a whole phone number."""
    if not any(ch.isdigit() for ch in term):
        return ""
    phone = normalize_phone(term)
    try:
        validate_phone(phone)
    except ValidationError:
        return ""
    return phone


def scrubbed_for(request, response, *, editable: bool):
    """The admin page as the signed-in role may read it: free text scrubbed once rendered,
    unless the role may see personal data in full or the page's form edits the text."""
    if editable or can_search_in_full(request.user):
        return response
    add_callback = getattr(response, "add_post_render_callback", None)
    if add_callback is None:  # a redirect or a file: no text of a page
        return response
    add_callback(scrub_page)
    return response


class ScrubbedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete (its `serialize_result` hook): a record's name, such as a case's
    "number title", is scrubbed for a role that may not see personal data in full, as the
    admin's pages are."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if not can_search_in_full(self.request.user):
            result["text"] = scrub(result["text"])
        return result


def scrub_page(response):
    """Mask every phone, ID number, card and e-mail in a rendered page's text."""
    response.content = scrub(response.content.decode(response.charset))


def can_search_in_full(user) -> bool:
    """Whether the user's role may find residents by their phone or ID number."""
    return user.has_perm("cases.view_personal_data")


# Sent when someone finds residents by a whole phone or ID number. The core keeps no log of
# its own: the app that keeps the personal-data access log (cases) writes the row on receipt.
personal_data_searched = Signal()


def record_search(*, request, term_hash: str, found) -> None:
    """Tell the personal-data log of a search by a whole phone or ID number (hash only)."""
    personal_data_searched.send(
        sender=None, request=request, term_hash=term_hash, rows=found.count()
    )


class ProgrammeAdmin(
    PersonalDataAdminMixin, AuditHistoryMixin, StreamedExportMixin, admin.ModelAdmin
):
    """A changelist that stays fast on big tables and exports whatever filter is applied."""

    paginator = EstimatedCountPaginator
    # The "N results (M total)" line costs a second COUNT over the whole table.
    show_full_result_count = False
    list_per_page = 50
    formats = [XLSX, CSV]
    # Robot and callback URLs are HTTPS; a bare host typed by staff should become https://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Excel on Windows reads a UTF-8 CSV as mojibake unless it starts with a byte-order mark.
    to_encoding = "utf-8-sig"

    def get_queryset(self, request):
        """Only the rows the signed-in role may see (docs/roles.md), via the model's visible_to.

        The changelist, the change page, exports, autocompletes and raw-id lookups all start
        here, so a street coordinator who guesses another street's ID finds nothing.
        """
        return scoped_to(super().get_queryset(request), request.user)


class ScopedTabularInline(admin.TabularInline):
    """An inline that lists only the rows the signed-in role may see.

    The parent's page is scoped by its admin, but Django fills an inline from the inline
    model's default manager: a street coordinator opening a partner would see its assistants
    on other streets. Every inline of the programme derives from this class.
    """

    def get_queryset(self, request):
        return scoped_to(super().get_queryset(request), request.user)


class RosterAdmin(ImportExportMixin, ProgrammeAdmin):
    """A changelist whose records also come in from the programme's Excel rosters."""

    import_error_display = ("message",)

    def get_import_formats(self):
        return [XLSX, RosterCSV]


class ReadOnlyInline(ScopedTabularInline):
    """A history inline: rows are written by the services, never typed in here."""

    extra = 0
    can_delete = False
    select_related = ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each row shows its related people; joined here, or every row costs queries.
        return super().get_queryset(request).select_related(*self.select_related)


class StepViewMixin:
    """A model admin whose change page has buttons, each opening one small form (a step).

    The step's page says what the record is now, may list suggestions, and submits to the
    admin's own view, which calls the service and goes back to the record.
    """

    step_template = "admin/step_form.html"

    def render_step(
        self, request, *, original, step, form, title, change_url, state_line, suggestions=()
    ):
        """The page of one step for one record."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": original,
            "step": step,
            "form": form,
            "media": self.media + form.media,
            "change_url": change_url,
            "state_line": state_line,
            "suggestions": suggestions,
        }
        return TemplateResponse(request, self.step_template, context)


@dataclass(frozen=True)
class ServiceStep:
    """A button on a record's page: its form, the service call, and when it is offered.

    `run(request, obj, cleaned_data)` calls the one service that owns the step; `offered(obj)`
    says whether the record's state allows it (the service still has the last word).
    """

    label: str
    form: type
    run: Callable
    done: str
    offered: Callable = lambda obj: True


class StepForm(forms.Form):
    """A step's form; autocomplete widgets need the admin site."""

    def __init__(self, *args, admin_site, **kwargs):
        self.admin_site = admin_site
        super().__init__(*args, **kwargs)


class ServiceStepsMixin(StepViewMixin):
    """A record whose workflow fields are read-only and move only by step buttons.

    Each step in `service_steps` gets a URL under the record's admin page and a button in the
    `steps_panel` read-only field, shown to whoever may change the record. The page calls the
    service; its refusal (a ValidationError) is shown and nothing changes.
    """

    service_steps: dict = {}

    def has_step_permission(self, request, obj=None):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def step_url_name(self):
        return f"{self.opts.app_label}_{self.opts.model_name}_step"

    @admin.display(description=gettext_lazy("next steps"))
    def steps_panel(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        offered = [
            (reverse(f"admin:{self.step_url_name()}", args=[obj.pk, name]), step.label)
            for name, step in self.service_steps.items()
            if step.offered(obj)
        ]
        if not offered:
            return "—"
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', offered)

    def get_urls(self):
        view = self.admin_site.admin_view(self.service_step_view)
        return [
            path("<path:object_id>/step/<slug:step>/", view, name=self.step_url_name()),
            *super().get_urls(),
        ]

    def step_state_line(self, obj) -> str:
        """What the record is now, shown above the step's form."""
        return str(obj)

    def service_step_view(self, request, object_id, step):
        """One step for one record: a small form, then the service, then back to the record."""
        spec = self.service_steps.get(step)
        if spec is None:
            raise Http404
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        if not self.has_step_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        # An empty POST is still a submission: the confirm-only steps have no fields at all.
        data = request.POST if request.method == "POST" else None
        form = spec.form(data, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            try:
                spec.run(request, obj, form.cleaned_data)
            except ValidationError as error:
                # The service's refusal says why; nothing was changed.
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, spec.done, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return self.render_step(
            request,
            original=obj,
            step=spec,
            form=form,
            title=f"{obj} · {spec.label}",
            change_url=change_url,
            state_line=self.step_state_line(obj),
        )

    def run_on_selected(self, request, queryset, run, done_message):
        """A bulk action: the service for each selected record, its refusals reported by name."""
        done = 0
        for obj in queryset.order_by("pk"):
            try:
                run(request, obj)
            except ValidationError as error:
                self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)
        return done


class SuperuserOnlyMixin:
    """A technical table (schedules, lock-outs, deliveries, robots): only superusers see it.

    Staff run the programme, not its machinery; these tables only confuse them, and whatever
    goes wrong there is the technical administrator's to look at.
    """

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def superuser_only(model) -> None:
    """Register `model`'s admin again, shown only to superusers (a library's model included)."""
    registered = admin.site.get_model_admin(model)
    admin.site.unregister(model)
    admin_class = type(
        f"SuperuserOnly{type(registered).__name__}",
        (SuperuserOnlyMixin, type(registered)),
        {"__module__": __name__},
    )
    admin.site.register(model, admin_class)
