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
    lead_department_id: int | None
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
    fields = ("number", "status", "deadline", "return_count")
    if day >= timezone.localdate():
        rows = RectificationItem.objects.filter(inspection=inspection).order_by("number").values_list("pk", *fields)
        return [ItemOutline(pk, *values, as_of=day) for pk, *values in rows]
    history = _latest(RectificationItem.history.filter(inspection_id=inspection.pk), end_of_day(day))
    rows = history.values_list("id", *fields, "history_type", named=True)
    return sorted(
        (
            ItemOutline(row.id, row.number, row.status, row.deadline, row.return_count, as_of=day)
            for row in rows
            if row.history_type != "-"
        ),
        key=lambda outline: outline.number,
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
    day = day or timezone.localdate()
    rows = list(
        items.values_list(
            "pk",
            *_STATE_FIELDS,
            "problem_id",
            "problem__sequence",
            "problem__title",
            "lead_department_id",
            "lead_department__name",
            named=True,
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
    return [
        _state(
            row,
            pk=row.pk,
            problem=ProblemState(row.problem_id, row.problem__sequence, row.problem__title),
            lead_department=row.lead_department__name or "",
            lead_department_id=row.lead_department_id,
            co_departments=co_departments[row.pk],
            leaders=leaders[row.pk],
            measures=measures[row.pk],
            progress=progress[row.pk],
            as_of=day,
        )
        for row in rows
    ]


# The ItemState fields read as they are, in both the live and the past ledger.
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


def _state(row, **fields) -> ItemState:
    """An ItemState from a named row holding ``_STATE_FIELDS`` and the rest of its fields."""
    return ItemState(**{name: getattr(row, name) for name in _STATE_FIELDS}, **fields)


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
    end = end_of_day(day)
    latest_items = _latest(RectificationItem.history.filter(inspection_id=inspection.pk), end)
    rows = sorted(
        (row for row in latest_items.values_list(*_ITEM_FIELDS, named=True) if row.history_type != "-"),
        key=lambda row: row.number,
    )
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

    departments = {row.pk: row for row in Department.objects.values_list("pk", "sort_order", "name", named=True)}
    leader_names = {row.pk: row for row in Leader.objects.values_list("pk", "sort_order", "name", named=True)}
    leaders = _related_names(RectificationItem.leaders, "leader_id", records, leader_names)
    co_departments = _related_names(RectificationItem.co_departments, "department_id", records, departments)

    measures = defaultdict(list)
    for row in sorted(
        _latest(Measure.history.filter(item_id__in=item_ids), end).values_list(
            "item_id", "sequence", "text", "is_done", "done_on", "history_type", named=True
        ),
        key=lambda row: (row.item_id, row.sequence),
    ):
        if row.history_type != "-":
            measures[row.item_id].append(MeasureState(row.sequence, row.text, row.is_done, row.done_on))
    progress = defaultdict(list)
    for item_id, reported_on, text in (
        ProgressUpdate.objects.filter(item_id__in=item_ids, created_at__lt=end, reported_on__lte=day)
        .order_by("reported_on", "pk")
        .values_list("item_id", "reported_on", "text")
    ):
        progress[item_id].append(ProgressState(reported_on, text))

    return [
        _state(
            row,
            pk=row.id,
            problem=problems.get(row.problem_id) or ProblemState(row.problem_id, 0, ""),
            lead_department=departments[row.lead_department_id].name if row.lead_department_id in departments else "",
            lead_department_id=row.lead_department_id,
            co_departments=co_departments[row.history_id],
            leaders=leaders[row.history_id],
            measures=measures[row.id],
            progress=progress[row.id],
            as_of=day,
        )
        for row in rows
    ]


def _related_names(descriptor, target: str, records: QuerySet, names: dict) -> defaultdict:
    """history_id → the names of an item's leaders or co-departments in that record (simple-history
    keeps the m2m rows of each record), ordered as the live ledger orders them. ``names``: pk →
    a named row with ``pk``, ``sort_order`` and ``name``."""
    m2m_history = apps.get_model("ledger", f"HistoricalRectificationItem_{descriptor.field.name}")
    linked = defaultdict(list)
    for history_id, pk in m2m_history.objects.filter(history_id__in=records).values_list("history_id", target):
        if pk in names:
            linked[history_id].append(names[pk])
    result = defaultdict(list)
    for history_id, entries in linked.items():
        result[history_id] = [entry.name for entry in sorted(entries, key=lambda entry: (entry.sort_order, entry.pk))]
    return result
