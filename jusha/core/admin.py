class ReadOnlyAdmin:
    """For admin views and inlines of records that only services write (histories, money)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
