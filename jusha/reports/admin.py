"""Reports in the admin are read-only: staff decide them on the queue's pages
(/reports/staff/), through the services, so the state table and the trail apply."""

from django.contrib import admin

from jusha.reports.models import Report, ReportEvent


class EventInline(admin.TabularInline):
    model = ReportEvent
    fields = ["created_at", "action", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "target_label", "organisation", "reason", "status", "created_at"]
    list_filter = ["status", "kind", "reason"]
    search_fields = ["target_label", "organisation__name"]
    readonly_fields = [f.name for f in Report._meta.fields]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
