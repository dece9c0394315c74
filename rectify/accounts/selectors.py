"""Reads of accounts' reference data (departments, leaders) for other apps' forms and for the rules."""

from django.db import models
from django.db.models import Q

from .models import Department, Leader


def is_referenced(obj: models.Model) -> bool:
    """Whether any row (an item, a co-department link, a user account, ...) points at ``obj``."""
    for relation in obj._meta.get_fields():
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.many_to_many):
            if relation.related_model._base_manager.filter(**{relation.field.name: obj}).exists():
                return True
    return False


def _active_or_kept(model, keep) -> models.QuerySet:
    """``keep``: primary keys, or a query of them (used as a subquery)."""
    if not isinstance(keep, models.QuerySet):
        keep = [pk for pk in keep if pk is not None]
    return model.objects.filter(Q(is_active=True) | Q(pk__in=keep))


def choosable_departments(keep=()) -> models.QuerySet:
    """Departments a form offers: the active ones, plus those in ``keep`` (the primary keys of what the item already names)."""
    return _active_or_kept(Department, keep)


def choosable_leaders(keep=()) -> models.QuerySet:
    """Leaders a form offers: the active ones, plus those in ``keep``."""
    return _active_or_kept(Leader, keep)
