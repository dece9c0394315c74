"""Reads of the unit tree: whose subtree a user sees, and a unit's subtree.

A unit's ``path`` (rectify/accounts/models.py) is one segment per level, each the unit's place
among its siblings zero-padded to six digits and followed by ``/`` (``000001/000003/``: the third
child of the first top unit); rectify/accounts/services.py writes it. A user's
scope is the path of the unit whose subtree they see, or ``""`` for the whole installation.
"""

from django.db.models import Q, QuerySet

from .models import Unit, User
from .roles import Role

PATH_DIGITS = 6


def next_child_path(parent: Unit | None) -> str:
    """The path of a new last child of ``parent`` (None: a new top unit)."""
    prefix = parent.path if parent else ""
    last = Unit.objects.filter(parent=parent).order_by("-path").values_list("path", flat=True).first()
    step = int(last[-PATH_DIGITS - 1 : -1]) + 1 if last else 1
    return f"{prefix}{step:0{PATH_DIGITS}d}/"


def subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and every unit below it, in tree order (one query on the path index)."""
    return Unit.objects.filter(path__startswith=unit.path)


def scope_path(user: User) -> str:
    """The path of the unit whose subtree ``user`` sees; ``""``: the whole installation.

    An account tied to a unit sees that unit's subtree. Otherwise a liaison belongs to their
    department's unit and a leader to their leader record's unit; office staff tied to no unit
    are the supervising office of the whole installation. At most one query."""
    if not user.is_authenticated:
        return ""
    if user.unit_id:
        return Unit.objects.values_list("path", flat=True).get(pk=user.unit_id)
    if user.department_id and user.has_role(Role.LIAISON):
        return Unit.objects.values_list("path", flat=True).get(departments=user.department_id)
    if user.has_role(Role.LEADER):
        return Unit.objects.filter(leaders__user=user).values_list("path", flat=True).first() or ""
    return ""


def in_scope(user: User, unit: Unit) -> bool:
    return unit.path.startswith(user.scope_path)


def units_visible_to(user: User) -> QuerySet[Unit]:
    """The units in the user's scope, in tree order."""
    return Unit.objects.filter(path__startswith=user.scope_path)


def own_office_unit_ids() -> QuerySet:
    """The ids of the units that have office staff (纪工委工作人员) of their own, as a subquery:
    their decisions stay with them."""
    offices = User.objects.filter(is_active=True, unit__isnull=False, groups__name=Role.DISCIPLINE_OFFICE)
    return offices.values("unit_id")


def units_with_own_office() -> frozenset[int]:
    return frozenset(row["unit_id"] for row in own_office_unit_ids())


def ancestor_paths(unit: Unit) -> list[str]:
    """The paths of the units above ``unit``, top first."""
    step = PATH_DIGITS + 1
    return [unit.path[:end] for end in range(step, len(unit.path), step)]


def office_staff_for(unit: Unit) -> list[User]:
    """Who decides for ``unit``, and so is told of its requests: its own office staff; where it has
    none, the office staff above it (tied to an ancestor or to no unit: the supervising office)."""
    offices = User.objects.filter(is_active=True, groups__name=Role.DISCIPLINE_OFFICE.value)
    own = list(offices.filter(unit=unit).distinct())
    if own:
        return own
    above = Q(unit__isnull=True) | Q(unit__path__in=ancestor_paths(unit))
    return list(offices.filter(above).distinct())


def sole_unit() -> Unit | None:
    """The installation's unit when it has exactly one (then nothing asks which)."""
    units = list(Unit.objects.all()[:2])
    return units[0] if len(units) == 1 else None
