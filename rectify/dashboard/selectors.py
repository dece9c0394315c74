"""Reads behind the dashboard. Each function is one query (or two, with a prefetch), whatever
the number of items: the dashboard's query count is pinned in the tests."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)

from rectify.accounts.models import Unit, User
from rectify.ledger.models import Decision, Escalation, Extension, RectificationItem, SignOff
from rectify.ledger.numbering import problem_label
from rectify.ledger.scores import Tally, Weights, score
from rectify.ledger.selectors import StatusFigures
from rectify.ledger.status import CLOSED, Status, completion_rate

# Requests listed on the dashboard, oldest first; the rest are a click away (the item list).
REVIEW_LIMIT = 20
STATUS_ORDER = [Status.COMPLETED, Status.ONGOING, Status.PENDING_SIGNOFF, Status.IN_PROGRESS, Status.NOT_STARTED]


def _status_counts():
    return {status.value: Count("pk", filter=Q(status=status)) for status in STATUS_ORDER}


@dataclass
class GroupRow:
    """Items of one department, leader or problem, counted by status."""

    pk: int | None
    name: str
    total: int
    overdue: int
    counts: dict[str, int] = field(default_factory=dict)
    levels: dict[int, int] = field(default_factory=dict)  # items by highest open 督办等级

    @property
    def completed(self) -> int:
        return self.counts.get(Status.COMPLETED, 0)

    @property
    def completion_rate(self) -> float:
        return 100 * (completion_rate(self.completed, self.total) or 0.0)


def _top_level() -> Subquery:
    """An item's highest open escalation step (督办等级), in the same query."""
    open_steps = Escalation.objects.filter(item_id=OuterRef("pk"), closed_on__isnull=True).order_by("-level")
    return Subquery(open_steps.values("level")[:1])


def _level_counts():
    return {f"level_{level}": Count("pk", filter=Q(top_level=level)) for level in Escalation.Level.values}


def _group_rows(items: QuerySet, pk_field: str, name_field: str, *, today: datetime.date) -> list[GroupRow]:
    rows = (
        items.order_by()
        .annotate(top_level=_top_level())
        .values(pk_field, name_field)
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=RectificationItem.objects.overdue_q(today)),
            **_status_counts(),
            **_level_counts(),
        )
    )
    return [
        GroupRow(
            pk=row[pk_field],
            name=row[name_field] or "（未指定）",
            total=row["total"],
            overdue=row["overdue"],
            counts={status.value: row[status.value] for status in STATUS_ORDER},
            levels={level: row[f"level_{level}"] for level in Escalation.Level.values},
        )
        for row in rows
    ]


def by_department(items: QuerySet, *, today: datetime.date) -> list[GroupRow]:
    """Ranked: highest completion rate first, then fewest overdue."""
    rows = _group_rows(items, "lead_department", "lead_department__name", today=today)
    return sorted(rows, key=lambda row: (-row.completion_rate, row.overdue, row.name))


def by_leader(items: QuerySet, *, today: datetime.date) -> list[GroupRow]:
    rows = [row for row in _group_rows(items, "leaders", "leaders__name", today=today) if row.pk is not None]
    return sorted(rows, key=lambda row: (-row.total, row.name))


def by_problem(items: QuerySet, *, today: datetime.date) -> list[GroupRow]:
    rows = (
        items.order_by()
        .values("problem", "problem__sequence", "problem__title")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=RectificationItem.objects.overdue_q(today)),
            **_status_counts(),
        )
        .order_by("problem__sequence")
    )
    return [
        GroupRow(
            pk=row["problem"],
            name=f"{problem_label(row['problem__sequence'])}{row['problem__title']}",
            total=row["total"],
            overdue=row["overdue"],
            counts={status.value: row[status.value] for status in STATUS_ORDER},
        )
        for row in rows
    ]


def completions_by_month(items: QuerySet) -> list[tuple[datetime.date, int]]:
    """Items completed (销号) per month, by their recorded completion date.

    Grouped by day in the database and by month here: SQLite truncates dates with a Python
    function per row, which cost more than the rest of the dashboard at 10k items.
    """
    rows = (
        items.filter(status=Status.COMPLETED, completed_on__isnull=False)
        .order_by()
        .values("completed_on")
        .annotate(n=Count("pk"))
    )
    months: dict[datetime.date, int] = defaultdict(int)
    for row in rows:
        months[row["completed_on"].replace(day=1)] += row["n"]
    return sorted(months.items())


def deadlines_ahead(items: QuerySet, *, today: datetime.date, weeks: int = 8) -> list[int]:
    """Open items falling due in each of the next ``weeks`` weeks (week 0 starts today).

    Counted per day over the deadline range only (a range scan of the deadline index instead of
    a pass over every item), then per week here."""
    rows = (
        items.exclude(status__in=CLOSED)
        .filter(deadline__gte=today, deadline__lt=today + datetime.timedelta(weeks=weeks))
        .order_by()
        .values_list("deadline")
        .annotate(n=Count("pk"))
    )
    counts = [0] * weeks
    for deadline, n in rows:
        counts[(deadline - today).days // 7] += n
    return counts


def figures_from_groups(rows: list[GroupRow]) -> StatusFigures:
    """The totals of rows that partition the items (``by_department``: each item has one lead
    department or none), so that the dashboard need not count every item once more."""
    return StatusFigures(
        total=sum(row.total for row in rows),
        overdue=sum(row.overdue for row in rows),
        **{status.value: sum(row.counts.get(status.value, 0) for row in rows) for status in Status},
    )


def escalation_figures(rows: list[GroupRow]) -> list[tuple[int, str, int]]:
    """Items by their highest open 督办等级 (level, label, count), from ``by_department``'s rows."""
    return [
        (level, str(label), sum(row.levels.get(level, 0) for row in rows)) for level, label in Escalation.Level.choices
    ]


def _listed(items: QuerySet) -> QuerySet:
    return items.select_related("lead_department", "inspection").prefetch_related("leaders")


def overdue_items(items: QuerySet, *, today: datetime.date, limit: int = 20) -> list[RectificationItem]:
    """Longest overdue first."""
    return list(_listed(items.overdue(today)).order_by("deadline", "number")[:limit])


def due_soon_items(items: QuerySet, *, today: datetime.date, days: int, limit: int = 20) -> list[RectificationItem]:
    due = items.exclude(status__in=CLOSED).filter(
        deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days)
    )
    return list(_listed(due).order_by("deadline", "number")[:limit])


# --- Personal views -----------------------------------------------------------------------------


def leader_items(items: QuerySet, user: User, *, limit: int = 20) -> list[RectificationItem]:
    """The leader's own items, open ones first."""
    mine = items.filter(leaders__user=user).exclude(status=Status.COMPLETED)
    return list(_listed(mine).order_by("deadline", "number")[:limit])


def stale_department_items(
    items: QuerySet, user: User, *, today: datetime.date, days: int = 30, limit: int = 20
) -> list[RectificationItem]:
    """The liaison's department's open items without a progress report in ``days`` days."""
    since = today - datetime.timedelta(days=days)
    stale = (
        items.filter(lead_department_id=user.department_id)
        .exclude(status__in=[Status.COMPLETED, Status.PENDING_SIGNOFF])
        .annotate(last_report=Max("progress_updates__reported_on"))
        .filter(Q(last_report__isnull=True) | Q(last_report__lt=since))
    )
    return list(_listed(stale).order_by("deadline", "number")[:limit])


def returned_department_items(items: QuerySet, user: User, *, limit: int = 20) -> list[RectificationItem]:
    """Items whose 销号 request came back, each with the reviewer's reason (``return_reason``)."""
    last_return = SignOff.objects.filter(item_id=OuterRef("pk"), decision=Decision.REJECTED).order_by("-reviewed_at")
    returned = items.filter(
        lead_department_id=user.department_id, return_count__gt=0, status=Status.IN_PROGRESS
    ).annotate(return_reason=Subquery(last_return.values("review_note")[:1]))
    return list(_listed(returned).order_by("deadline", "number")[:limit])


def escalated_department_items(items: QuerySet, user: User, *, limit: int = 20) -> list[RectificationItem]:
    """The department's items with an open escalation step, highest level first (``top_level``)."""
    escalated = (
        items.filter(lead_department_id=user.department_id)
        .annotate(top_level=_top_level())
        .filter(top_level__isnull=False)
    )
    listed = list(escalated.order_by("-top_level", "deadline", "number")[:limit])
    for item in listed:
        item.level_label = Escalation.Level(item.top_level).label
    return listed


def due_this_week_items(items: QuerySet, user: User, *, today: datetime.date, limit: int = 20):
    """The department's open items due within seven days."""
    due = items.filter(
        lead_department_id=user.department_id,
        deadline__gte=today,
        deadline__lte=today + datetime.timedelta(days=7),
    ).exclude(status__in=[*CLOSED, Status.PENDING_SIGNOFF])
    return list(due.order_by("deadline", "number")[:limit])


def pending_signoffs(items: QuerySet, *, limit: int = REVIEW_LIMIT) -> list[SignOff]:
    """The oldest pending 销号 requests for ``items``: the pending ones, oldest first (a range of
    the partial index on PostgreSQL), each checked against ``items`` (EXISTS) until ``limit``,
    rather than every one of ``items`` looked up for a request (IN)."""
    return list(
        SignOff.objects.filter(_among(items), decision=Decision.PENDING)
        .select_related("item", "requested_by")
        .only("requested_at", "requested_by", "item__number", "item__title")
        .order_by("requested_at")[:limit]
    )


def pending_extensions(items: QuerySet, *, limit: int = REVIEW_LIMIT) -> list[Extension]:
    return list(
        Extension.objects.filter(_among(items), decision=Decision.PENDING)
        .select_related("item", "requested_by")
        .only("requested_at", "requested_deadline", "requested_by", "item__number", "item__title")
        .order_by("requested_at")[:limit]
    )


def _among(items: QuerySet) -> Exists:
    return Exists(items.filter(pk=OuterRef("item_id")))


# --- Units and scores (the supervising office's home) ------------------------------------------


@dataclass
class ScoreRow:
    """A unit or a department with the figures its 综合评分 is computed from."""

    pk: int | None
    name: str
    tally: Tally
    score: float | None
    unit: Unit | None = None


def tallies(items: QuerySet, key: str, *, today: datetime.date, label: str | None = None) -> dict:
    """The items' figures grouped by ``key`` (a field of the item, such as ``inspection`` or
    ``lead_department``): ``{key value: (label, Tally)}``, the label read from ``label`` (a field
    path) when given. Three queries (the items; their open escalations; their last progress
    report), whatever the number of groups; the items are grouped without a join when ``key`` is
    a column of the item table."""
    items = items.order_by()
    overdue = RectificationItem.objects.overdue_q(today)
    on_time = Q(status=Status.COMPLETED) & (Q(deadline__isnull=True) | Q(completed_on__lte=F("deadline")))
    days_late = ExpressionWrapper(Value(today, output_field=DateField()) - F("deadline"), output_field=DurationField())
    rows = items.values(key, *([label] if label else [])).annotate(
        total=Count("pk"),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
        on_time=Count("pk", filter=on_time),
        open=Count("pk", filter=~Q(status__in=CLOSED)),
        overdue=Count("pk", filter=overdue),
        overdue_days=Sum(days_late, filter=overdue),
        returns=Sum("return_count"),
    )
    # From the few open escalations (a partial index) to their items, not from every item.
    escalations = dict(
        Escalation.objects.filter(closed_on__isnull=True, item__in=items)
        .order_by()
        .values_list(f"item__{key}")
        .annotate(n=Count("pk"))
    )
    progress = dict(
        items.filter(progress_updates__isnull=False)
        .values_list(key)
        .annotate(last=Max("progress_updates__reported_on"))
    )
    return {
        row[key]: (
            (row[label] if label else None) or "（未指定）",
            Tally(
                total=row["total"],
                completed=row["completed"],
                on_time=row["on_time"],
                open=row["open"],
                overdue=row["overdue"],
                overdue_days=row["overdue_days"].days if row["overdue_days"] else 0,
                returns=row["returns"] or 0,
                escalations=escalations.get(row[key], 0),
                last_progress=progress.get(row[key]),
            ),
        )
        for row in rows
    }


def _ranked(rows: list[ScoreRow]) -> list[ScoreRow]:
    """Highest score first (rows without items last), then highest completion rate, then name."""
    return sorted(
        rows, key=lambda row: (row.score is None, -(row.score or 0), -(row.tally.completion_rate or 0), row.name)
    )


def unit_ranking(
    units: list[Unit], items: QuerySet, *, round_units: dict[int, int], today: datetime.date, weights: Weights
) -> list[ScoreRow]:
    """Each of ``units`` (tree order) with the figures of its whole subtree among ``items``, ranked
    by 综合评分: a unit's figures are those the item list filtered by the unit shows. The items are
    counted per round and the rounds' figures added up per unit here (``round_units``: each
    round's unit), then up the tree."""
    own: dict[int, Tally] = defaultdict(Tally)
    for round_pk, (_label, tally) in tallies(items, "inspection", today=today).items():
        own[round_units[round_pk]] += tally
    by_path = {unit.path: unit for unit in units}
    rolled = {unit.pk: Tally() for unit in units}
    for unit in units:
        if unit.pk not in own:
            continue
        segments = unit.path.split("/")[:-1]
        for depth in range(1, len(segments) + 1):
            ancestor = by_path.get("/".join(segments[:depth]) + "/")
            if ancestor is not None:
                rolled[ancestor.pk] += own[unit.pk]
    rows = [
        ScoreRow(
            pk=unit.pk, name=unit.label, tally=rolled[unit.pk], score=score(rolled[unit.pk], weights, today), unit=unit
        )
        for unit in units
    ]
    return _ranked(rows)


def department_scores(items: QuerySet, *, today: datetime.date, weights: Weights) -> list[ScoreRow]:
    """The items' lead departments, ranked by 综合评分."""
    rows = [
        ScoreRow(pk=pk, name=name, tally=tally, score=score(tally, weights, today))
        for pk, (name, tally) in tallies(items, "lead_department", today=today, label="lead_department__name").items()
    ]
    return _ranked(rows)
