"""What the apps' admin classes share."""


class ReadOnlyAdminMixin:
    """An admin page that shows records and never adds, edits or deletes them (the audit log, and
    the 销号 and extension decisions, which are made where their rules hold)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
