"""Admin lists show ids, levels and states only: never a text, a handle or a URL."""

from django.contrib import admin

from jusha.crisis.models import Case, Responder, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "key_prefix", "keep_for_research", "active")
    exclude = ("key_digest",)


@admin.register(Responder)
class ResponderAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "role", "on_duty")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "level", "status", "outcome", "opened_at", "closed_at")
    list_filter = ("status", "level")
    fields = ("source", "level", "status", "claimed_by", "opened_at", "outcome", "corrected_level", "closed_at", "purged_at")
    readonly_fields = fields
