"""Reads of the ledger: what a user may see, and the figures shown about it."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from rectify.accounts.models import Unit, User
from rectify.accounts.roles import Role
from rectify.accounts.units import own_office_unit_ids, units_visible_to

from .asof import ItemState, end_of_day, ledger_as_of, outline_as_of
from .changes import KINDS, RETURNED, Change, ledger_changes
from .models import Decision, FeedbackProblem, Inspection, RectificationItem, SignOff
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


def decided_by(user: User, items: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    """Those of ``items`` whose unit's decisions are the user's: the query form of the rule
    ``is_units_office`` (ledger/rules.py) — their own unit, or a unit without an office of its own.
    For review queues: a subquery, no query of its own."""
    others = ~Q(inspection__unit_id__in=own_office_unit_ids())
    return items.filter(Q(inspection__unit_id=user.unit_id) | others if user.unit_id else others)


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


def default_inspection(user: User, chosen: Inspection | None) -> Inspection | None:
    """The round a page of one round shows: the one chosen, else the user's latest (by feedback
    date) of those they may see. One query when none is chosen."""
    if chosen is not None:
        return chosen
    return inspections_visible_to(user).order_by(F("feedback_date").desc(nulls_last=True), "-pk").first()


def _visible_ids(user: User, inspection: Inspection) -> set[int]:
    """Today's visibility decides which past rows a user sees: those of the items they may open."""
    return set(items_visible_to(user).filter(inspection=inspection).values_list("pk", flat=True))


def past_ledger(user: User, inspection: Inspection, day: datetime.date) -> list[ItemState]:
    """The items of ``inspection`` the user may see, as they stood at the end of ``day``."""
    visible = _visible_ids(user, inspection)
    return [state for state in ledger_as_of(inspection, day) if state.pk in visible]


@dataclass(frozen=True)
class ReturnedSignOff:
    reviewed_on: datetime.date
    reason: str


@dataclass(frozen=True)
class LedgerChanges:
    """What changed between the end of ``start`` and the end of ``end``, by kind (``changes.KINDS``)."""

    start: datetime.date
    end: datetime.date
    by_kind: dict[str, list[Change]]
    returns: dict[int, ReturnedSignOff]  # item pk → its last 销号 request sent back in the window

    @property
    def total(self) -> int:
        return sum(len(found) for found in self.by_kind.values())


def ledger_changes_between(
    user: User, inspection: Inspection, *, start: datetime.date, end: datetime.date
) -> LedgerChanges:
    """The changes of the items the user may see: a fixed number of queries."""
    visible = _visible_ids(user, inspection)
    found = ledger_changes(outline_as_of(inspection, start), ledger_as_of(inspection, end))
    by_kind = {kind: [] for kind in KINDS}
    for change in found:
        if change.state.pk in visible:
            by_kind[change.kind].append(change)
    returns = {}
    if by_kind[RETURNED]:
        sent_back = SignOff.objects.filter(
            item__inspection=inspection,
            decision=Decision.REJECTED,
            reviewed_at__gte=end_of_day(start),
            reviewed_at__lt=end_of_day(end),
        ).order_by("reviewed_at", "pk")
        for item_id, reviewed_at, reason in sent_back.values_list("item_id", "reviewed_at", "review_note"):
            returns[item_id] = ReturnedSignOff(timezone.localdate(reviewed_at), reason)
    return LedgerChanges(start=start, end=end, by_kind=by_kind, returns=returns)


def round_problems(inspection: Inspection) -> QuerySet[FeedbackProblem]:
    """The round's problems in order, each with its items in order (three queries): its page."""
    items = RectificationItem.objects.select_related("lead_department").annotate(measure_total=Count("measures"))
    return inspection.problems.order_by("sequence").prefetch_related(
        Prefetch("items", queryset=items.order_by("number"), to_attr="ordered_items")
    )


def units_for_new_round(user: User) -> list[Unit]:
    """The units the user may open a round for, in tree order: the create form offers them when
    there is more than one."""
    return [unit for unit in units_visible_to(user) if user.has_perm("ledger.add_round", unit)]
