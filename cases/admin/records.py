"""Admin pages for follow-ups, referrals and extension requests, written by the case services."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from talentoffice.admin_base import ProgrammeAdmin, StepViewMixin, record_missing

from .. import deadlines, referrals
from ..assignment import suggest_assistants
from ..choices import DecisionStatus
from ..models import ExtensionRequest, FollowUp, Referral
from .common import WorkflowForm, admin_change_url, lead_field


class RecordAdmin(ProgrammeAdmin):
    """A record written by the case services; staff read it here and act from the case page."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("case"), ordering="case__number")
    def case_link(self, record):
        return format_html('<a href="{}">{}</a>', admin_change_url(record.case), record.case.number)


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = [
        "case_link",
        "due_on",
        "done_at",
        "method",
        "satisfaction",
        "still_solved",
        "by",
    ]
    list_filter = [
        ("done_at", admin.EmptyFieldListFilter),
        "method",
        "satisfaction",
        "still_solved",
    ]
    list_select_related = ["case", "by__partner"]
    search_fields = ["case__number", "case__title"]
    date_hierarchy = "due_on"


class ReferralDecisionForm(WorkflowForm):
    """The reason, and for an accepted referral to the other specialty the new lead.

    Both are optional here: `referrals.decide_referral` says when they are needed (a rejection
    needs a reason, the new lead must be of the other specialty), so its messages are the ones
    staff read.
    """

    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, admin_site, needs_lead, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        if needs_lead:
            lead = lead_field(admin_site, _("new lead assistant"))
            lead.required = False
            self.fields = {"lead": lead, **self.fields}


@dataclass(frozen=True)
class ReferralDecision:
    """A button on a pending referral's page."""

    label: str
    done: str
    accept: bool


REFERRAL_DECISIONS = {
    "accept": ReferralDecision(_("Accept the referral"), _("The referral is accepted."), True),
    "reject": ReferralDecision(_("Reject the referral"), _("The referral is rejected."), False),
}


@admin.register(Referral)
class ReferralAdmin(StepViewMixin, RecordAdmin):
    """Referrals, made from the case page; staff accept or reject a pending one from its page."""

    list_display = [
        "case_link",
        "to_specialty",
        "to_department",
        "status",
        "created_at",
        "decided_by",
    ]
    list_filter = ["status", "to_specialty"]
    list_select_related = ["case", "decided_by"]
    search_fields = ["case__number", "to_department"]

    def has_decide_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.has_decide_permission(request):
            fields.append("decision_panel")
        return fields

    @admin.display(description=_("decision"))
    def decision_panel(self, referral):
        if referral.status != DecisionStatus.PENDING:
            return referral.get_status_display()
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:cases_referral_decide", args=[referral.pk, name]), decision.label)
                for name, decision in REFERRAL_DECISIONS.items()
            ),
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        return [
            path("<path:object_id>/decide/<slug:decision>/", view, name="cases_referral_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, decision):
        """Accept or reject one referral: a small form, then `referrals.decide_referral`."""
        spec = REFERRAL_DECISIONS.get(decision)
        if spec is None:
            raise Http404
        referral = self.get_object(request, unquote(object_id))
        if referral is None:
            return record_missing(request, self.opts, object_id)
        if not self.has_decide_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:cases_referral_change", args=[referral.pk])
        needs_lead = spec.accept and bool(referral.to_specialty)
        data = request.POST if request.method == "POST" else None
        form = ReferralDecisionForm(data, admin_site=self.admin_site, needs_lead=needs_lead)
        if request.method == "POST" and form.is_valid():
            try:
                referrals.decide_referral(
                    referral=referral,
                    by=request.user,
                    accept=spec.accept,
                    reason=form.cleaned_data["reason"],
                    lead=form.cleaned_data.get("lead"),
                )
            except ValidationError as error:
                # ReferralError and the workflow's CaseError: nothing was changed.
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, spec.done, messages.SUCCESS)
                # The case page, where the timeline shows the decision and what followed.
                return HttpResponseRedirect(admin_change_url(referral.case))
        suggestions = ()
        if needs_lead:
            suggestions = suggest_assistants(
                referral.case, specialty=referral.to_specialty, limit=5
            )
        return self.render_step(
            request,
            original=referral,
            step=spec,
            form=form,
            title=f"{referral.case.number} · {spec.label}",
            change_url=change_url,
            state_line=gettext("Referral of case %(number)s to %(target)s: %(status)s.")
            % {
                "number": referral.case.number,
                "target": referral.to_department or referral.get_to_specialty_display(),
                "status": referral.get_status_display(),
            },
            suggestions=suggestions,
        )


class DecisionActionForm(ActionForm):
    reason = forms.CharField(label=_("reason"), required=False)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(RecordAdmin):
    """Extension requests; staff approve or refuse the selected ones with a reason."""

    list_display = [
        "case_link",
        "requested_by",
        "extra_workdays",
        "reason",
        "status",
        "created_at",
        "decided_by",
    ]
    list_filter = ["status"]
    list_select_related = ["case", "requested_by__partner", "decided_by"]
    search_fields = ["case__number", "requested_by__name"]
    action_form = DecisionActionForm
    actions = ["approve", "refuse"]

    def has_decide_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def _decide(self, request, queryset, *, approve):
        reason = request.POST.get("reason", "")
        decided = 0
        for extension in queryset.filter(status=DecisionStatus.PENDING).select_related("case"):
            try:
                deadlines.decide_extension(
                    request=extension, by=request.user, approve=approve, reason=reason
                )
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{extension.case.number}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
            else:
                decided += 1
        if decided:
            self.message_user(
                request,
                ngettext(
                    "%(count)d extension request decided.",
                    "%(count)d extension requests decided.",
                    decided,
                )
                % {"count": decided},
                messages.SUCCESS,
            )

    @admin.action(description=_("Approve the selected extension requests"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(
        description=_("Refuse the selected extension requests (give the reason)"),
        permissions=["decide"],
    )
    def refuse(self, request, queryset):
        self._decide(request, queryset, approve=False)
