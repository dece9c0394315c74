"""Reads of the ledger: what a user may see, and the figures shown about it."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from rectify.accounts.models import User
from rectify.accounts.roles import Role

from .models import Inspection, RectificationItem

Status = RectificationItem.Status


def items_visible_to(user: User) -> QuerySet[RectificationItem]:
    """Every item the user may read: the discipline office and leaders all of them, a liaison
    those their department leads or co-operates on, anyone else none."""
    items = RectificationItem.objects.all()
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
            .select_related("inspection", "problem", "lead_department")
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
        return 100 * self.completed / self.total if self.total else None

    @property
    def closed_rate(self) -> float | None:
        """(Completed + long-term) ÷ all items, in percent: the figure notices also quote."""
        return 100 * (self.completed + self.ongoing) / self.total if self.total else None


def sees_whole_ledger(user: User) -> bool:
    return user.has_role(Role.DISCIPLINE_OFFICE) or user.has_role(Role.LEADER)


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    """Inspections the user may pick: all for the whole-ledger roles, else those with a visible item."""
    if sees_whole_ledger(user):
        return Inspection.objects.all()
    return Inspection.objects.filter(pk__in=items_visible_to(user).values("inspection_id"))
