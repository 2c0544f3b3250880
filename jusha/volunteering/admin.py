from django.contrib import admin

from jusha.volunteering.models import Activity, Group, HoursRecord


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "kind", "cause", "region_code", "status", "created_at")
    list_filter = ("status", "kind", "cause")
    search_fields = ("title",)
    readonly_fields = [f.name for f in Activity._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HoursRecord)
class HoursRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "organisation", "activity", "source", "status", "minutes", "served_on")
    list_filter = ("status", "source")
    exclude = ("photo",)
    readonly_fields = [f.name for f in HoursRecord._meta.fields if f.name != "photo"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name",)
