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


# How each model reaches the path of the unit it belongs to (rectify/accounts/units.py).
UNIT_PATH_LOOKUPS = {
    "accounts.unit": "path",
    "accounts.department": "unit__path",
    "accounts.leader": "unit__path",
    "ledger.inspection": "unit__path",
    "ledger.workinggroupmember": "inspection__unit__path",
    "ledger.feedbackproblem": "inspection__unit__path",
    "ledger.rectificationitem": "inspection__unit__path",
    "ledger.meeting": "inspection__unit__path",
    "ledger.regulation": "inspection__unit__path",
    "ledger.fundrecovery": "inspection__unit__path",
    "ledger.accountability": "inspection__unit__path",
    "ledger.notice": "inspection__unit__path",
    "ledger.measure": "item__inspection__unit__path",
    "ledger.progressupdate": "item__inspection__unit__path",
    "ledger.evidence": "item__inspection__unit__path",
    "ledger.signoff": "item__inspection__unit__path",
    "ledger.extension": "item__inspection__unit__path",
    "ledger.escalation": "item__inspection__unit__path",
}


def in_users_units(queryset, user):
    """``queryset`` narrowed to the units ``user`` sees (all of it for a user tied to no unit)."""
    path = user.scope_path
    if not path:
        return queryset
    return queryset.filter(**{f"{UNIT_PATH_LOOKUPS[queryset.model._meta.label_lower]}__startswith": path})


class UnitScopedAdminMixin:
    """An admin page of a model that belongs to a unit: an account tied to a unit lists, opens and
    picks (in foreign-key and many-to-many choices) only the rows of its units."""

    def get_queryset(self, request):
        return in_users_units(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model._meta.label_lower in UNIT_PATH_LOOKUPS:
            kwargs["queryset"] = in_users_units(db_field.related_model._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model._meta.label_lower in UNIT_PATH_LOOKUPS:
            kwargs["queryset"] = in_users_units(db_field.related_model._default_manager.all(), request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
