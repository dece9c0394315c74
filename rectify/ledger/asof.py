"""The ledger as it stood at the end of a given day, rebuilt from the change history.

"As of" a past date means the values of that day (status, deadline, measures, progress up to then),
not today's; items created later are left out. For today or a future day the live tables are read.
Either way the number of queries does not depend on the number of items.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from rectify.accounts.models import Department, Leader

from .bulk import paused_gc
from .models import FeedbackProblem, Inspection, Measure, ProgressUpdate, RectificationItem
from .warning import Light, is_overdue, light_for


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


@dataclass
class MeasureState:
    sequence: int
    text: str
    is_done: bool
    done_on: datetime.date | None


@dataclass
class ProgressState:
    reported_on: datetime.date
    text: str


@dataclass
class ProblemState:
    pk: int
    sequence: int
    title: str


@dataclass
class ItemState:
    """One ledger row as it stood on ``as_of``."""

    pk: int
    number: int
    title: str
    problem: ProblemState
    kind: str
    status: str
    deadline: datetime.date | None
    original_deadline: datetime.date | None
    completed_on: datetime.date | None
    summary: str
    note: str
    contact_person: str
    lead_department: str
    co_departments: list[str]
    leaders: list[str]
    return_count: int
    as_of: datetime.date
    measures: list[MeasureState] = field(default_factory=list)
    progress: list[ProgressState] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(RectificationItem.Status(self.status).label)

    @property
    def kind_label(self) -> str:
        return str(RectificationItem.Kind(self.kind).label)

    @property
    def is_overdue(self) -> bool:
        return is_overdue(status=self.status, deadline=self.deadline, today=self.as_of)

    @property
    def light(self) -> Light:
        return light_for(status=self.status, deadline=self.deadline, today=self.as_of)


@dataclass
class ItemOutline:
    """What a comparison of two days needs of an item (the monthly 本月变化): no texts, measures,
    progress or names, so that the other day costs one query."""

    pk: int
    number: int
    status: str
    deadline: datetime.date | None
    return_count: int
    as_of: datetime.date

    @property
    def is_overdue(self) -> bool:
        return is_overdue(status=self.status, deadline=self.deadline, today=self.as_of)


def outline_as_of(inspection: Inspection, day: datetime.date) -> list[ItemOutline]:
    """Every item of ``inspection`` as it stood at the end of ``day`` (outline only), by number."""
    fields = ("pk", "number", "status", "deadline", "return_count")
    if day >= timezone.localdate():
        rows = RectificationItem.objects.filter(inspection=inspection).order_by("number").values_list(*fields)
        return [ItemOutline(*row, as_of=day) for row in rows]
    history = _latest(RectificationItem.history.filter(inspection_id=inspection.pk), end_of_day(day))
    rows = history.values_list("id", *fields[1:], "history_type")
    return sorted(
        (ItemOutline(*row[:-1], as_of=day) for row in rows if row[-1] != "-"), key=lambda outline: outline.number
    )


def ledger_as_of(inspection: Inspection, day: datetime.date) -> list[ItemState]:
    """Every item of ``inspection`` as it stood at the end of ``day``, ordered by number."""
    if day >= timezone.localdate():
        return _live_ledger(inspection, day)
    return _past_ledger(inspection, day)


def _live_ledger(inspection: Inspection, day: datetime.date) -> list[ItemState]:
    return live_states(RectificationItem.objects.filter(inspection=inspection).order_by("number"), day)


def live_states(items: QuerySet[RectificationItem], day: datetime.date | None = None) -> list[ItemState]:
    """Today's state of the given items (e.g. a filtered list), in the queryset's order.

    Plain values, no model instances: a fixed number of queries and little memory at 100k items.
    """
    with paused_gc():
        return _live_states(items, day or timezone.localdate())


def _live_states(items: QuerySet[RectificationItem], day: datetime.date) -> list[ItemState]:
    rows = list(
        items.values_list(
            "pk", *_STATE_FIELDS, "problem_id", "problem__sequence", "problem__title", "lead_department__name"
        )
    )
    selected = items.order_by().values("pk")
    leaders, co_departments, measures, progress = (defaultdict(list) for _ in range(4))
    for item_id, name in (
        RectificationItem.leaders.through.objects.filter(rectificationitem_id__in=selected)
        .order_by("leader__sort_order", "leader_id")
        .values_list("rectificationitem_id", "leader__name")
    ):
        leaders[item_id].append(name)
    for item_id, name in (
        RectificationItem.co_departments.through.objects.filter(rectificationitem_id__in=selected)
        .order_by("department__sort_order", "department_id")
        .values_list("rectificationitem_id", "department__name")
    ):
        co_departments[item_id].append(name)
    for item_id, *fields in (
        Measure.objects.filter(item_id__in=selected)
        .order_by("item_id", "sequence")
        .values_list("item_id", "sequence", "text", "is_done", "done_on")
    ):
        measures[item_id].append(MeasureState(*fields))
    for item_id, reported_on, text in (
        ProgressUpdate.objects.filter(item_id__in=selected, reported_on__lte=day)
        .order_by("reported_on", "pk")
        .values_list("item_id", "reported_on", "text")
    ):
        progress[item_id].append(ProgressState(reported_on, text))
    n = len(_STATE_FIELDS) + 1  # the values after pk and the state fields
    return [
        _state(
            r,
            problem=ProblemState(r[n], r[n + 1], r[n + 2]),
            lead_department=r[n + 3] or "",
            co_departments=co_departments[r[0]],
            leaders=leaders[r[0]],
            measures=measures[r[0]],
            progress=progress[r[0]],
            as_of=day,
        )
        for r in rows
    ]


# The ItemState fields read as they are, after the primary key, in both the live and the past ledger.
_STATE_FIELDS = (
    "number",
    "title",
    "kind",
    "status",
    "deadline",
    "original_deadline",
    "completed_on",
    "summary",
    "note",
    "contact_person",
    "return_count",
)


def _state(row: tuple, **fields) -> ItemState:
    """An ItemState from a row (pk, then ``_STATE_FIELDS``) and the rest of its fields."""
    return ItemState(pk=row[0], **dict(zip(_STATE_FIELDS, row[1:], strict=False)), **fields)


def _latest(history_queryset: QuerySet, end: datetime.datetime) -> QuerySet:
    """The last record of each object before ``end`` (callers drop those of type '-', deleted).

    A window function ranks each object's records (newest first; ties settled by
    ``history_id``), so the database returns one row per object in a single pass.
    """
    return (
        history_queryset.filter(history_date__lt=end)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("id")],
                order_by=[F("history_date").desc(), F("history_id").desc()],
            )
        )
        .filter(rank=1)
    )


_ITEM_FIELDS = ("id", *_STATE_FIELDS, "problem_id", "lead_department_id", "history_id", "history_type")


def _past_ledger(inspection: Inspection, day: datetime.date) -> list[ItemState]:
    """Plain values, as ``live_states``: model instances of 10,000 historical records and their
    prefetched relations cost several times the queries themselves."""
    with paused_gc():
        return _past_states(inspection, day)


def _past_states(inspection: Inspection, day: datetime.date) -> list[ItemState]:
    end = end_of_day(day)
    latest_items = _latest(RectificationItem.history.filter(inspection_id=inspection.pk), end)
    rows = sorted((row for row in latest_items.values_list(*_ITEM_FIELDS) if row[-1] != "-"), key=lambda row: row[1])
    if not rows:
        return []
    # Subqueries, not lists of ids: SQLite builds limit a query to 32,766 parameters.
    item_ids = RectificationItem.history.filter(inspection_id=inspection.pk).values("id")
    records = latest_items.values("history_id")

    problems = {
        pk: ProblemState(pk, sequence, title)
        for pk, sequence, title, kind in _latest(FeedbackProblem.history.filter(inspection_id=inspection.pk), end)
        .values_list("id", "sequence", "title", "history_type")
        .iterator()
        if kind != "-"
    }
    # Rows made without history (raw SQL, say) are read as they are now.
    for pk, sequence, title in (
        FeedbackProblem.objects.filter(inspection=inspection)
        .exclude(pk__in=list(problems))
        .values_list("pk", "sequence", "title")
    ):
        problems[pk] = ProblemState(pk, sequence, title)

    departments = {pk: (order, name) for pk, order, name in Department.objects.values_list("pk", "sort_order", "name")}
    leader_names = {pk: (order, name) for pk, order, name in Leader.objects.values_list("pk", "sort_order", "name")}
    leaders = _related_names(RectificationItem.leaders, "leader_id", records, leader_names)
    co_departments = _related_names(RectificationItem.co_departments, "department_id", records, departments)

    measures = defaultdict(list)
    for item_id, sequence, text, is_done, done_on, kind in sorted(
        _latest(Measure.history.filter(item_id__in=item_ids), end).values_list(
            "item_id", "sequence", "text", "is_done", "done_on", "history_type"
        ),
        key=lambda row: (row[0], row[1]),
    ):
        if kind != "-":
            measures[item_id].append(MeasureState(sequence, text, is_done, done_on))
    progress = defaultdict(list)
    for item_id, reported_on, text in (
        ProgressUpdate.objects.filter(item_id__in=item_ids, created_at__lt=end, reported_on__lte=day)
        .order_by("reported_on", "pk")
        .values_list("item_id", "reported_on", "text")
    ):
        progress[item_id].append(ProgressState(reported_on, text))

    n = len(_STATE_FIELDS) + 1  # problem_id, lead_department_id, history_id follow
    return [
        _state(
            r,
            problem=problems.get(r[n]) or ProblemState(r[n], 0, ""),
            lead_department=departments[r[n + 1]][1] if r[n + 1] in departments else "",
            co_departments=co_departments[r[n + 2]],
            leaders=leaders[r[n + 2]],
            measures=measures[r[0]],
            progress=progress[r[0]],
            as_of=day,
        )
        for r in rows
    ]


def _related_names(descriptor, target: str, records: QuerySet, names: dict) -> defaultdict:
    """history_id → the names of an item's leaders or co-departments in that record (simple-history
    keeps the m2m rows of each record), ordered as the live ledger orders them."""
    m2m_history = apps.get_model("ledger", f"HistoricalRectificationItem_{descriptor.field.name}")
    linked = defaultdict(list)
    for history_id, pk in m2m_history.objects.filter(history_id__in=records).values_list("history_id", target):
        if pk in names:
            linked[history_id].append((*names[pk], pk))
    result = defaultdict(list)
    for history_id, entries in linked.items():
        result[history_id] = [name for _order, name, _pk in sorted(entries, key=lambda e: (e[0], e[2]))]
    return result
