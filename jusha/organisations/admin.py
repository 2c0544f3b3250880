from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jusha.core.errors import DomainError
from jusha.organisations.forms import RejectForm
from jusha.organisations.models import Invitation, Membership, Organisation, VerificationChange
from jusha.organisations.services import organisation_reject, organisation_verify


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class VerificationChangeInline(admin.TabularInline):
    model = VerificationChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "source", "target", "reason", "actor")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_name", "uscc", "verification", "public_fundraising_qualified", "created_at")
    list_filter = ("verification", "public_fundraising_qualified")
    search_fields = ("name", "legal_name", "uscc", "slug")
    # The status changes only through the services (verify/reject actions), never by editing.
    readonly_fields = ("verification", "rejection_reason", "verified_at", "created_at")
    inlines = [MembershipInline, VerificationChangeInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["verify", "reject"]

    def _apply(self, request, queryset, service, **kwargs) -> None:
        done = 0
        for organisation in queryset:
            try:
                service(organisation=organisation, actor=request.user, **kwargs)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{organisation}: {exc.detail}", messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d organisation updated.", "%(count)d organisations updated.", done) % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Verify the selected organisations"), permissions=["change"])
    def verify(self, request, queryset):
        self._apply(request, queryset, organisation_verify)

    @admin.action(description=gettext_lazy("Reject the selected organisations (with a reason)"), permissions=["change"])
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._apply(request, queryset, organisation_reject, reason=form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            "admin/organisations/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject organisations"),
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("organisation", "user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("organisation__name", "user__email")
    autocomplete_fields = ["organisation", "user"]
    list_select_related = ("organisation", "user")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "accepted_at", "revoked_at")
    search_fields = ("email", "organisation__name")
    readonly_fields = ("token_digest", "invited_by", "created_at", "accepted_at")
    list_select_related = ("organisation",)


@admin.register(VerificationChange)
class VerificationChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organisation", "source", "target", "actor")
    list_filter = ("target",)
    search_fields = ("organisation__name", "reason")
    list_select_related = ("organisation", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
