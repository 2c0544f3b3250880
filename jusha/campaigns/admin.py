"""Staff create and edit campaigns here (the window is checked by the same rules), publish
them, and accept applications through the service (turning one down needs a reason: on
the campaign page, or the API)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from jusha.campaigns import rules, selectors
from jusha.campaigns.models import Application, Campaign
from jusha.campaigns.services import application_transition, campaign_publish, campaign_save
from jusha.core.errors import DomainError


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "slug", "title", "summary", "description", "starts_at", "ends_at", "daily_opens", "daily_closes", "currency",
        ]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at"):
            window = rules.Window(data["starts_at"], data["ends_at"], data.get("daily_opens"), data.get("daily_closes"))
            if rules.window_problems(window):
                raise forms.ValidationError(
                    _("The campaign must end after it starts, and daily hours open before they close.")
                )
            if self.instance.pk and (problems := selectors.window_problems(self.instance, window)):
                raise forms.ValidationError(problems)
        return data


class ApplicationInline(admin.TabularInline):
    model = Application
    fields = readonly_fields = ["project", "status", "pitch", "review_note", "applied_by", "decided_by", "decided_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = ["title", "slug", "starts_at", "ends_at", "published_at"]
    search_fields = ["title", "slug"]
    inlines = [ApplicationInline]
    actions = ["publish"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the service: the audit row, and the pools matching in the new hours."""
        campaign_save(campaign=obj, actor=request.user, changed=form.changed_data)

    @admin.action(description=_("Publish the selected campaigns"))
    def publish(self, request, queryset):
        for campaign in queryset:
            campaign_publish(campaign=campaign, actor=request.user)
        self.message_user(request, _("Published."), messages.SUCCESS)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["project", "campaign", "status", "created_at", "decided_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["project", "campaign"]
    actions = ["accept"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # statuses change through the transition table only

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Accept the selected applications"))
    def accept(self, request, queryset):
        for application in queryset:
            try:
                application_transition(application=application, target="accepted", actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{application}: {exc.detail}", messages.ERROR)
