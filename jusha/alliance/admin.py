from django.contrib import admin

from jusha.alliance.models import Attempt, Delivery, Endpoint, Follower, Partner, PartnerEvent, PartnerProject


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "organisation", "events", "active", "disabled_at", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "organisation__name")
    readonly_fields = ("secret", "failing_since", "disabled_at", "created_by")


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "status_code", "error", "duration_ms", "replay", "created_at")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("msg_id", "endpoint", "event", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "base_url", "active", "synced_at", "sync_error")
    list_filter = ("active",)
    readonly_fields = ("synced_at", "sync_error")


@admin.register(PartnerEvent)
class PartnerEventAdmin(admin.ModelAdmin):
    list_display = ("title", "partner", "starts_at", "ends_at")


@admin.register(PartnerProject)
class PartnerProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "partner", "raised", "goal", "fetched_at")


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ("actor", "follower", "created_at")
    search_fields = ("actor", "follower")
