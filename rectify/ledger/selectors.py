"""Reads of the ledger: what a user may see, and the figures shown about it."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django_fsm import can_proceed, has_transition_perm

from rectify.accounts.models import User
from rectify.accounts.roles import Role

from .models import Inspection, RectificationItem
from .status import TRANSITIONS, Status, completion_rate


def items_visible_to(user: User) -> QuerySet[RectificationItem]:
    """Every item the user may read: the discipline office and leaders all of them in their units
    (accounts/units.py), a liaison those their department leads or co-operates on, anyone else none."""
    items = RectificationItem.objects.of_active_rounds()
    if user.scope_path:
        items = items.filter(inspection_id__in=inspections_in_scope(user).values("pk"))
    if sees_whole_ledger(user):
        return items
    if user.has_role(Role.LIAISON) and user.department_id:
        co_operated = RectificationItem.co_departments.through.objects.filter(department_id=user.department_id)
        return items.filter(
            Q(lead_department_id=user.department_id) | Q(pk__in=co_operated.values("rectificationitem_id"))
        )
    return items.none()


def get_item_for_user(user: User, pk: int) -> RectificationItem:
    """The item with everything its detail page shows, or 404 when the user may not read it."""
    try:
        return (
            items_visible_to(user)
            .select_related("inspection__unit", "problem", "lead_department")
            .prefetch_related("leaders", "co_departments")
            .get(pk=pk)
        )
    except RectificationItem.DoesNotExist:
        raise Http404("没有找到该整改事项，或您无权查看。") from None


def item_list_queryset(user: User) -> QuerySet[RectificationItem]:
    return (
        items_visible_to(user)
        .select_related("inspection", "problem", "lead_department")
        .prefetch_related("leaders")
        .order_by("inspection_id", "number")
    )


@dataclass(frozen=True)
class StatusFigures:
    """Counts by status for a set of items, and the rates the notices quote."""

    total: int
    not_started: int
    in_progress: int
    pending_signoff: int
    completed: int
    ongoing: int
    overdue: int

    @property
    def completion_rate(self) -> float | None:
        """Completed ÷ all items, in percent."""
        rate = completion_rate(self.completed, self.total)
        return None if rate is None else 100 * rate

    @property
    def closed_rate(self) -> float | None:
        """(Completed + long-term) ÷ all items, in percent: the figure notices also quote."""
        rate = completion_rate(self.completed + self.ongoing, self.total)
        return None if rate is None else 100 * rate


def sees_whole_ledger(user: User) -> bool:
    return user.has_role(Role.DISCIPLINE_OFFICE) or user.has_role(Role.LEADER)


def inspections_in_scope(user: User) -> QuerySet[Inspection]:
    """The rounds of the units the user sees (accounts/units.py), deleted ones aside."""
    rounds = Inspection.objects.active()
    if user.scope_path:
        rounds = rounds.filter(unit__path__startswith=user.scope_path)
    return rounds


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    """Inspections the user may pick: those of their units for the whole-ledger roles, else those
    with a visible item."""
    if sees_whole_ledger(user):
        return inspections_in_scope(user)
    return Inspection.objects.active().filter(pk__in=items_visible_to(user).values("inspection_id"))


def available_transitions(item: RectificationItem, user: User) -> set[str]:
    """Names of the transitions (status.py) the item's state allows and the user may fire: the
    buttons its page offers. The services check the same again, with the rest of the preconditions."""
    return {
        row.name
        for row in TRANSITIONS
        if can_proceed(getattr(item, row.name)) and has_transition_perm(getattr(item, row.name), user)
    }


def inspection_rows(user: User) -> QuerySet[Inspection]:
    """Every round of the user's units, deleted ones last, with its item counts (one query): the
    office's round list."""
    rounds = Inspection.objects.all()
    if user.scope_path:
        rounds = rounds.filter(unit__path__startswith=user.scope_path)
    return (
        rounds.select_related("deleted_by", "unit")
        .annotate(
            item_total=Count("items"),
            completed_total=Count("items", filter=Q(items__status=Status.COMPLETED)),
        )
        .order_by(F("deleted_at").asc(nulls_first=True), "-feedback_date", "-pk")
    )
