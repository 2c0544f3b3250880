"""Staff see batches here, read-only: every change goes through the services, on the site.
Signatures are not shown here (they are opened, audited, from the batch page)."""

from django.contrib import admin

from jusha.core.admin import ReadOnlyAdmin
from jusha.fulfilment.models import Batch, BatchPlan, DeliveryConfirmation, StatusChange


class StatusChangeInline(ReadOnlyAdmin, admin.TabularInline):
    model = StatusChange
    fields = readonly_fields = ["created_at", "source", "target", "actor"]
    extra = 0


class ConfirmationInline(ReadOnlyAdmin, admin.TabularInline):
    model = DeliveryConfirmation
    fields = readonly_fields = [
        "recipient", "county_code", "delivered_at", "photo_consent", "others_consented", "recorded_by",
    ]
    extra = 0


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["project", "number", "units", "cost", "status", "status_changed_at", "overdue_flagged"]
    list_filter = ["status"]
    search_fields = ["project__slug", "project__title"]
    inlines = [StatusChangeInline, ConfirmationInline]


@admin.register(BatchPlan)
class BatchPlanAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["project", "batch_size", "updated_by", "updated_at"]
