"""Staff see pools and matches here. Rules never change once a pool exists; pools are set
up through the API by their sponsors; deposits, activation and held matches go through
the services (so the journal, the table and the audit log all apply). Seeds stay hidden."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from jusha.core.admin import ReadOnlyAdmin
from jusha.core.errors import DomainError
from jusha.matching import services
from jusha.matching.models import Deposit, Match, Pool


class DepositInline(ReadOnlyAdmin, admin.TabularInline):
    model = Deposit
    fields = readonly_fields = ["created_at", "amount", "reference", "recorded_by"]
    extra = 0


def _apply(modeladmin, request, queryset, call) -> None:
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.detail}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("%(n)d changed.") % {"n": done}, messages.SUCCESS)


@admin.register(Pool)
class PoolAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "name", "sponsor", "campaign", "status", "budget_display", "deposited", "allotted", "starts_at", "ends_at",
    ]
    list_filter = ["status"]
    list_select_related = ["sponsor", "campaign"]
    search_fields = ["name", "sponsor__name"]
    exclude = ["seed"]
    inlines = [DepositInline]
    actions = ["activate", "close"]

    @admin.display(description=_("budget"), ordering="budget")
    def budget_display(self, obj):
        return obj.budget_money.display()

    @admin.action(description=_("Activate the selected pools (fully deposited only)"))
    def activate(self, request, queryset):
        _apply(self, request, queryset, lambda p: services.pool_transition(pool=p, target="active", actor=request.user))

    @admin.action(description=_("Close the selected pools"))
    def close(self, request, queryset):
        _apply(self, request, queryset, lambda p: services.pool_transition(pool=p, target="closed", actor=request.user))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Why the match is rejected"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "project", "pool", "amount", "returned", "status", "ratio_bp", "signal_codes"]
    list_filter = ["status"]
    list_select_related = ["project", "pool"]
    search_fields = ["donation__id", "project__title"]
    exclude = ["donor_key"]
    actions = ["release", "reject"]

    @admin.display(description=_("signals"))
    def signal_codes(self, obj):
        return ", ".join(s.get("code", "") for s in obj.signals)

    @admin.action(description=_("Release the selected held matches"))
    def release(self, request, queryset):
        _apply(self, request, queryset, lambda m: services.match_release(match=m, actor=request.user, note="admin"))

    @admin.action(description=_("Reject the selected held matches…"))
    def reject(self, request, queryset):
        form = NoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            note = form.cleaned_data["note"]
            _apply(self, request, queryset, lambda m: services.match_reject(match=m, actor=request.user, note=note))
            return None
        return TemplateResponse(request, "matching/admin_reject.html", {
            **self.admin_site.each_context(request), "title": _("Reject held matches"), "opts": self.model._meta,
            "queryset": queryset, "form": form, "action": "reject",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })
