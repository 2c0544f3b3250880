from django.contrib import admin

from jusha.pledges.models import Pledge, PledgeCharge


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ("id", "donor", "amount", "currency", "day", "target_kind", "target_ref", "status", "next_charge_on")
    list_filter = ("status", "target_kind")
    readonly_fields = [f.name for f in Pledge._meta.fields]

    def has_add_permission(self, request):
        return False  # made by the donor; changed through services.pledge_update


@admin.register(PledgeCharge)
class PledgeChargeAdmin(admin.ModelAdmin):
    list_display = ("pledge", "period", "status", "attempts", "next_retry_on", "amount")
    list_filter = ("status",)
    readonly_fields = [f.name for f in PledgeCharge._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
