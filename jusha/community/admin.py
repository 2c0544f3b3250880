from django.contrib import admin

from jusha.community.models import Circle, CircleMember, CirclePost, Gathering, Team


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "cause", "region", "slug")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "region")


@admin.register(CircleMember)
class CircleMemberAdmin(admin.ModelAdmin):
    """Staff name a circle's organisers here (role "organiser")."""

    list_display = ("circle", "user", "role", "joined_at")
    list_filter = ("role",)
    raw_id_fields = ("user",)
    search_fields = ("user__email", "circle__name")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Read-only: a team's total moves only with its gifts; hiding goes through moderation."""

    list_display = ("name", "project", "captain", "goal", "raised", "visibility", "created_at")
    list_filter = ("visibility",)
    search_fields = ("name", "slug")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CirclePost)
class CirclePostAdmin(admin.ModelAdmin):
    list_display = ("circle", "author", "visibility", "created_at")
    list_filter = ("visibility",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Gathering)
class GatheringAdmin(admin.ModelAdmin):
    list_display = ("title", "circle", "starts_at", "capacity", "state")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
