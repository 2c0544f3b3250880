"""Staff see projects here and approve or send them back, through project_transition
(so the table, the guards, the history and the audit log all apply). Content is edited
by the organisation on the site, not here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jusha.core.admin import ReadOnlyAdmin
from jusha.core.errors import Forbidden, TransitionRefused
from jusha.projects import states
from jusha.projects.models import BudgetLine, Project, ProjectUpdate, StatusChange, UpdatePhoto
from jusha.projects.services import project_transition


class BudgetLineInline(ReadOnlyAdmin, admin.TabularInline):
    model = BudgetLine
    fields = ["position", "title", "amount"]
    extra = 0


class StatusChangeInline(ReadOnlyAdmin, admin.TabularInline):
    model = StatusChange
    fields = ["created_at", "source", "target", "actor", "reason"]
    readonly_fields = fields
    extra = 0


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown to the organisation)"), widget=forms.Textarea(attrs={"rows": 4}))


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "cause", "region_code", "goal_display", "ends_at", "featured"]
    list_filter = ["status", "cause", "featured"]
    search_fields = ["title", "slug", "organisation__name"]
    list_select_related = ["organisation"]
    inlines = [BudgetLineInline, StatusChangeInline]
    fields = [
        "title", "slug", "organisation", "status", "featured", "summary", "story", "cause", "region_code",
        "currency", "goal", "ends_at", "beneficiary_count", "unit_name", "unit_cost", "shortfall_rule",
        "overflow_rule", "cover", "review_note", "final_report", "created_by", "created_at", "published_at",
    ]
    readonly_fields = [f for f in fields if f != "featured"]
    actions = ["approve", "request_changes"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("goal"), ordering="goal")
    def goal_display(self, obj):
        return obj.goal_money.display()

    def _transition(self, request, queryset, target: str, reason: str = "") -> None:
        done = 0
        for project in queryset:
            try:
                project_transition(project=project, target=target, actor=request.user, reason=reason)
            except (TransitionRefused, Forbidden) as exc:
                self.message_user(request, f"{project}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d project changed.", "%(n)d projects changed.", done) % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Approve and publish the selected projects"))
    def approve(self, request, queryset):
        self._transition(request, queryset, states.FUNDRAISING)

    @admin.action(description=_("Request changes to the selected projects…"))
    def request_changes(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._transition(request, queryset, states.CHANGES_REQUESTED, form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Request changes"),
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": "request_changes",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "projects/admin_reason.html", context)


class UpdatePhotoInline(ReadOnlyAdmin, admin.TabularInline):
    model = UpdatePhoto
    fields = ["image", "caption"]
    readonly_fields = fields
    extra = 0


@admin.register(ProjectUpdate)
class ProjectUpdateAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "project", "author", "created_at"]
    list_select_related = ["project", "author"]
    search_fields = ["title", "project__title"]
    inlines = [UpdatePhotoInline]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "project", "source", "target", "actor", "reason"]
    list_filter = ["target"]
    list_select_related = ["project", "actor"]
    search_fields = ["project__title", "reason"]
