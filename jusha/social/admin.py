"""Staff reinstate reported links and block sharers here, through the services (so the state
table and the audit log apply). The reports themselves are in the one reports queue
(/reports/staff/, jusha/reports)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jusha.core.errors import DomainError
from jusha.social import services
from jusha.social.models import ShareLink, SharerBlock


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["code", "project", "owner", "depth", "state", "opens", "lit_at", "created_at"]
    list_filter = ["state"]
    search_fields = ["code", "project__slug", "owner__email"]
    readonly_fields = [f.name for f in ShareLink._meta.fields]
    actions = ["reinstate"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Reinstate: the reports were reviewed and nothing is wrong"))
    def reinstate(self, request, queryset):
        count = 0
        for link in queryset.filter(state=ShareLink.State.SUSPENDED):
            try:
                count += services.share_link_reinstate(link=link, actor=request.user)
            except DomainError as exc:
                self.message_user(request, str(exc.detail), messages.ERROR)
        self.message_user(request, ngettext("%d link reinstated.", "%d links reinstated.", count) % count)


@admin.register(SharerBlock)
class SharerBlockAdmin(admin.ModelAdmin):
    list_display = ["user", "reason", "created_by", "created_at"]
    fields = ["user", "reason"]
    raw_id_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def save_model(self, request, obj, form, change):
        block = services.sharer_block(user=obj.user, reason=obj.reason, actor=request.user)
        obj.pk = block.pk

    def delete_model(self, request, obj):
        services.sharer_unblock(user=obj.user, actor=request.user)

    def delete_queryset(self, request, queryset):
        for block in queryset:
            services.sharer_unblock(user=block.user, actor=request.user)
