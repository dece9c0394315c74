"""Reads about accounts: reference data (departments, leaders) for other apps' forms and the rules, and second factors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticToken

from .models import Department, Leader, User
from .rules import is_privileged


def is_referenced(obj: models.Model) -> bool:
    """Whether any row (an item, a co-department link, a user account, ...) points at ``obj``."""
    for relation in obj._meta.get_fields():
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.many_to_many):
            if relation.related_model._base_manager.filter(**{relation.field.name: obj}).exists():
                return True
    return False


def _active_or_kept(model, keep, units) -> models.QuerySet:
    """``keep``: primary keys, or a query of them (used as a subquery); ``units``: a unit, a query
    of units, or None (all units)."""
    if not isinstance(keep, models.QuerySet):
        keep = [pk for pk in keep if pk is not None]
    rows = model.objects.filter(Q(is_active=True) | Q(pk__in=keep))
    if isinstance(units, models.QuerySet):
        return rows.filter(unit__in=units)
    return rows if units is None else rows.filter(unit=units)


def choosable_departments(keep=(), *, units=None) -> models.QuerySet:
    """Departments a form offers: the active ones of ``units``, plus those in ``keep`` (the primary
    keys of what the item already names)."""
    return _active_or_kept(Department, keep, units)


def choosable_leaders(keep=(), *, units=None) -> models.QuerySet:
    """Leaders a form offers: the active ones of ``units``, plus those in ``keep``."""
    return _active_or_kept(Leader, keep, units)


def second_factor_required(user) -> bool:
    """Whether ``user`` must verify a second factor in this session: whoever has enrolled, and
    with RECTIFY_2FA=required every privileged role even before enrolling."""
    if not user.is_authenticated:
        return False
    return user.two_factor_enabled or (settings.RECTIFY_2FA == "required" and is_privileged(user))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_overview() -> list[dict]:
    """Every active user with whether a second factor is set up and how many recovery codes remain."""
    codes: dict[int, int] = {}
    for user_id in StaticToken.objects.filter(device__confirmed=True).values_list("device__user_id", flat=True):
        codes[user_id] = codes.get(user_id, 0) + 1
    users = User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")
    return [
        {
            "user": user,
            "enrolled": user.two_factor_enabled,
            "recovery_codes": codes.get(user.pk, 0),
            "privileged": is_privileged(user),
        }
        for user in users
    ]
