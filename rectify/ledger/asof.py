"""The ledger as it stood at the end of a given day, rebuilt from the change history.

"As of" a past date means the values of that day (status, deadline, measures, progress up to then),
not today's; items created later are left out. For today or a future day the live tables are read.
Either way the number of queries does not depend on the number of items.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

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
            "pk",
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
            "problem_id",
            "problem__sequence",
            "problem__title",
            "lead_department__name",
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
        ItemState(
            pk=r[0],
            number=r[1],
            title=r[2],
            problem=ProblemState(r[12], r[13], r[14]),
            kind=r[3],
            status=r[4],
            deadline=r[5],
            original_deadline=r[6],
            completed_on=r[7],
            summary=r[8],
            note=r[9],
            contact_person=r[10],
            lead_department=r[15] or "",
            co_departments=co_departments[r[0]],
            leaders=leaders[r[0]],
            return_count=r[11],
            as_of=day,
            measures=measures[r[0]],
            progress=progress[r[0]],
        )
        for r in rows
    ]


def _latest(history_queryset, end: datetime.datetime) -> list:
    """The last record of each object before ``end``, dropping objects deleted by then.

    A window function ranks each object's records (newest first; ties settled by
    ``history_id``), so the database returns one row per object in a single pass.
    """
    ranked = history_queryset.filter(history_date__lt=end).annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("id")],
            order_by=[F("history_date").desc(), F("history_id").desc()],
        )
    )
    return [record for record in ranked.filter(rank=1) if record.history_type != "-"]


def _past_ledger(inspection: Inspection, day: datetime.date) -> list[ItemState]:
    with paused_gc():
        return _past_states(inspection, day)


def _past_states(inspection: Inspection, day: datetime.date) -> list[ItemState]:
    end = end_of_day(day)
    records = _latest(
        RectificationItem.history.filter(inspection_id=inspection.pk).prefetch_related(
            "historicalrectificationitem_leaders_set", "historicalrectificationitem_co_departments_set"
        ),
        end,
    )
    records.sort(key=lambda record: record.number)
    # The inspection's items as a subquery, not a list of ids: SQLite builds limit the number of
    # query parameters (32,766 by default). An empty list when there were none: no queries then.
    item_ids = RectificationItem.history.filter(inspection_id=inspection.pk).values("id") if records else []
    problems = {
        record.id: record for record in _latest(FeedbackProblem.history.filter(inspection_id=inspection.pk), end)
    }
    # Rows made without history (raw SQL, say) are read as they are now.
    problems.update(
        {p.id: p for p in FeedbackProblem.objects.filter(inspection=inspection).exclude(pk__in=list(problems))}
    )
    measures: dict[int, list] = {}
    for record in sorted(_latest(Measure.history.filter(item_id__in=item_ids), end), key=lambda m: m.sequence):
        measures.setdefault(record.item_id, []).append(record)
    progress: dict[int, list] = {}
    for update in ProgressUpdate.objects.filter(item_id__in=item_ids, created_at__lt=end).order_by("reported_on", "pk"):
        progress.setdefault(update.item_id, []).append(update)
    departments = dict(Department.objects.values_list("pk", "name"))
    leaders = dict(Leader.objects.values_list("pk", "name"))
    states = []
    for record in records:
        leader_ids = sorted(row.leader_id for row in record.historicalrectificationitem_leaders_set.all())
        co_ids = sorted(row.department_id for row in record.historicalrectificationitem_co_departments_set.all())
        states.append(
            _state(
                record,
                problem=problems.get(record.problem_id),
                lead_department=departments.get(record.lead_department_id, ""),
                co_departments=[departments[pk] for pk in co_ids if pk in departments],
                leaders=[leaders[pk] for pk in leader_ids if pk in leaders],
                measures=measures.get(record.id, []),
                progress=progress.get(record.id, []),
                day=day,
            )
        )
    return states


def _state(item, *, problem, lead_department, co_departments, leaders, measures, progress, day) -> ItemState:
    return ItemState(
        pk=item.id,
        number=item.number,
        title=item.title,
        problem=ProblemState(pk=problem.id, sequence=problem.sequence, title=problem.title)
        if problem
        else ProblemState(pk=item.problem_id, sequence=0, title=""),
        kind=item.kind,
        status=item.status,
        deadline=item.deadline,
        original_deadline=item.original_deadline,
        completed_on=item.completed_on,
        summary=item.summary,
        note=item.note,
        contact_person=item.contact_person,
        lead_department=lead_department,
        co_departments=co_departments,
        leaders=leaders,
        return_count=item.return_count,
        as_of=day,
        measures=[MeasureState(m.sequence, m.text, m.is_done, m.done_on) for m in measures],
        progress=[ProgressState(p.reported_on, p.text) for p in progress if p.reported_on <= day],
    )
