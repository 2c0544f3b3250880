"""Staff see programmes, sponsorships and cases; a beneficiary's private fields are never
listed here (they are read on the organisation's logged page only)."""

from django.contrib import admin

from jusha.sponsorship.models import FollowUpCase, Programme, Sponsorship


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("organisation", "project", "sponsors_per_beneficiary", "report_every_days", "lost_contact_after_days")
    readonly_fields = ("organisation", "project")


@admin.register(Sponsorship)
class SponsorshipAdmin(admin.ModelAdmin):
    list_display = ("pk", "programme", "status", "paid_through", "months", "created_at")
    list_filter = ("status",)
    fields = ("programme", "status", "paid_through", "months", "amount", "currency", "next_report_due", "outcome")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "sponsorship", "reason", "status", "outcome", "opened_at")
    list_filter = ("status", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
