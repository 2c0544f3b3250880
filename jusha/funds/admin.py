from django.contrib import admin

from jusha.funds.models import CauseFund, Grant


@admin.register(CauseFund)
class CauseFundAdmin(admin.ModelAdmin):
    list_display = ("cause", "project", "created_at")
    readonly_fields = ("cause", "project", "created_by", "created_at")

    def has_add_permission(self, request):
        return False  # opened through funds.services.fund_open (a published project and an audit row)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("created_at", "fund", "project", "amount", "currency")
    readonly_fields = [f.name for f in Grant._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
