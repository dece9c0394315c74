"""The ledger as it stood at the end of a given day, rebuilt from the change history.

"As of" a past date means the values of that day (status, deadline, measures, progress up to then),
not today's; items created later are left out. For today or a future day the live tables are read.
Either way the number of queries does not depend on the number of items.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
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
    """Today's state of the given items (e.g. a filtered list), in the queryset's order."""
    day = day or timezone.localdate()
    items = items.select_related("problem", "lead_department").prefetch_related(
        Prefetch("leaders", queryset=Leader.objects.order_by("sort_order", "pk")),
        Prefetch("co_departments", queryset=Department.objects.order_by("sort_order", "pk")),
        Prefetch("measures", queryset=Measure.objects.order_by("sequence")),
        Prefetch("progress_updates", queryset=ProgressUpdate.objects.order_by("reported_on", "pk")),
    )
    return [
        _state(
            item,
            problem=item.problem,
            lead_department=item.lead_department.name if item.lead_department else "",
            co_departments=[d.name for d in item.co_departments.all()],
            leaders=[leader.name for leader in item.leaders.all()],
            measures=list(item.measures.all()),
            progress=list(item.progress_updates.all()),
            day=day,
        )
        for item in items
    ]


def _latest(history_queryset, end: datetime.datetime) -> list:
    """The last record of each object before ``end``, dropping objects deleted by then.

    ``latest_of_each`` narrows the rows in the database; records with the very same timestamp
    (several saves in one instant) are then settled by ``history_id``.
    """
    latest = {}
    for record in history_queryset.filter(history_date__lt=end).latest_of_each():
        kept = latest.get(record.id)
        if kept is None or (record.history_date, record.history_id) > (kept.history_date, kept.history_id):
            latest[record.id] = record
    return [record for record in latest.values() if record.history_type != "-"]


def _past_ledger(inspection: Inspection, day: datetime.date) -> list[ItemState]:
    end = end_of_day(day)
    records = _latest(
        RectificationItem.history.filter(inspection_id=inspection.pk).prefetch_related(
            "historicalrectificationitem_leaders_set", "historicalrectificationitem_co_departments_set"
        ),
        end,
    )
    records.sort(key=lambda record: record.number)
    item_ids = [record.id for record in records]
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
