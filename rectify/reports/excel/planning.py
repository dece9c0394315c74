"""What an import would do, row by row, without writing: the preview and the dry run.

Matching rules:
- problems by title within the inspection (the label （N） in the file settles two problems of the
  same title); a problem not found is created with the next sequence;
- items by number within the inspection: an existing item is updated, a new number creates one;
- departments by name, leaders by name (a leader cell holds names or positions; a name not
  found becomes ``Leader(name=text, position="")``);
- a column the file lacks leaves that field of an existing item alone.

Status goes through review (ledger/status.py): a new round's items take the file's status, and
its completed ones get a sign-off record of origin 导入; in an existing round the file never sets
a status: where it says 已完成 for an open item, the import files a 销号 request (待销号) with
the file as its evidence, for the office to approve.
"""

import datetime
import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from rectify.accounts.models import Department, Leader, Unit
from rectify.accounts.services import unit_for_round
from rectify.chinese import chinese_date
from rectify.ledger.models import Inspection, Measure, ProgressUpdate, RectificationItem
from rectify.ledger.status import Status

from .columns import safe_problem_label
from .guessed_inspection import inspection_fields
from .periods import add_months
from .rows import ImportRow, ParsedLedger

Kind = RectificationItem.Kind

CREATE, UPDATE, UNCHANGED = "新增", "更新", "无变化"
MEASURES, PROGRESS, SIGNOFF = "整改措施", "整改进展情况", "申请销号（待纪工委审核）"
_NOT_ON_THE_ITEM = {MEASURES, PROGRESS}


@dataclass
class ProblemTarget:
    sequence: int
    title: str
    description: str = ""
    pk: int | None = None  # None: to be created

    @property
    def label(self) -> str:
        return f"{safe_problem_label(self.sequence)}{self.title}"


@dataclass
class ExistingItem:
    """An item already in the inspection, with the names of its relations (read in bulk)."""

    item: RectificationItem
    lead_department: str = ""
    co_departments: list[tuple[int, str]] = field(default_factory=list)  # (pk, name)
    leaders: list[tuple[int, str]] = field(default_factory=list)
    measures: list[tuple[int, str]] = field(default_factory=list)  # (pk, text), by sequence
    latest_progress: str | None = None  # the latest progress report's text, if any

    @property
    def progress_shown(self) -> str:
        """What the ledger's 整改进展情况 shows: the latest progress report, else the summary."""
        return self.latest_progress if self.latest_progress is not None else self.item.summary

    def names(self, relation: str) -> list[str]:
        return [name for _pk, name in getattr(self, relation)]


@dataclass
class PlannedRow:
    """One row of the file as it will be saved."""

    source: ImportRow
    number: int
    problem: ProblemTarget
    title: str
    detail: str
    kind: str
    deadline: datetime.date | None
    original_deadline: datetime.date | None
    status: str
    completed_on: datetime.date | None
    summary: str
    note: str
    contact_person: str
    lead_department: str
    co_departments: list[str]
    leaders: list[str]
    measures: list[str]
    existing: ExistingItem | None = None
    requests_signoff: bool = False  # files a 销号 request: the file says 已完成, the item is open
    new_progress: str = ""  # an existing item's new progress report (the file's text differs)
    item_pk: int | None = None  # the item's, once it exists
    action: str = CREATE
    changes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return self.source.errors

    @property
    def progress(self) -> str:
        """整改进展情况 as the ledger will show it after the import."""
        if self.new_progress:
            return self.new_progress
        return self.existing.progress_shown if self.existing is not None else self.summary

    @property
    def item_changed(self) -> bool:
        """Whether the item row itself changes (not only its measures or a new progress report)."""
        return any(label not in _NOT_ON_THE_ITEM for label in self.changes)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass
class ImportPlan:
    parsed: ParsedLedger
    unit: Unit  # where the rows go: the round's unit; new departments and leaders are created there
    inspection: Inspection | None
    new_inspection: dict | None
    problems: list[ProblemTarget]
    rows: list[PlannedRow]
    departments: dict[str, int | None]  # name → pk (None: to be created)
    leaders: dict[str, int | None]
    notes: list[str]
    record: object | None = None  # the ImportRecord, once the import is saved

    @property
    def errors(self) -> list[str]:
        return self.parsed.all_errors

    @property
    def new_departments(self) -> list[str]:
        return [name for name, pk in self.departments.items() if pk is None]

    @property
    def new_leaders(self) -> list[str]:
        return [name for name, pk in self.leaders.items() if pk is None]

    @property
    def new_problems(self) -> list[ProblemTarget]:
        return [problem for problem in self.problems if problem.pk is None]

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)

    @property
    def inspection_label(self) -> str:
        if self.inspection is not None:
            return self.inspection.name
        return f"新建：{self.new_inspection['name']}"


class ChangedMeanwhileError(Exception):
    """An item the preview showed was saved by someone else before the import was confirmed."""


def plan_import(
    parsed: ParsedLedger,
    *,
    inspection: Inspection | None,
    title: str | None,
    today: datetime.date,
    unit: Unit | None = None,
    lock: bool = False,
    expected_versions: dict[int, int] | None = None,
) -> ImportPlan:
    """Read what exists (a fixed number of queries) and decide each row's fate. With ``lock`` (the
    real import, inside its transaction) the existing items are read ``select_for_update``, so no
    web edit can slip between this read and the write; ``expected_versions`` (item number → version,
    from the preview) refuses the import when one of them was saved since. A new round goes into
    ``unit`` (None: the unit the file names, or the only one: accounts.services.unit_for_round)."""
    notes = list(parsed.notes)
    new_inspection = None
    if inspection is None:
        fields = inspection_fields(parsed)
        unit = unit_for_round(chosen=unit, names=(fields.get("responsible_unit", ""), fields["inspected_unit"]))
        new_inspection = {"name": title, "unit": unit, **fields}
    else:
        unit = inspection.unit
    existing_items = _existing_items(inspection, today, lock=lock)
    if expected_versions:
        changed = [
            snapshot.item
            for number, snapshot in existing_items.items()
            if str(number) in expected_versions and expected_versions[str(number)] != snapshot.item.version
        ]
        if changed:
            names = "、".join(f"第{item.number}项" for item in changed[:20])
            raise ChangedMeanwhileError(
                f"{names}在预览之后已被他人修改，为免覆盖他人的修改，未保存任何内容。请重新预览后再确认导入。"
            )
    problems = _match_problems(parsed.rows, inspection)
    departments = _names_to_pks(Department, _all_names(parsed.rows, "departments"), unit)
    leaders = _names_to_pks(Leader, _all_names(parsed.rows, "leaders"), unit)
    notes += _only_elsewhere(Department, departments, unit, "部门")
    notes += _only_elsewhere(Leader, leaders, unit, "责任领导")
    feedback = inspection.feedback_date if inspection else None
    rows = []
    for row in parsed.rows:
        planned = _plan_row(
            row, parsed, existing_items.get(row.number), problems[row.problem_key], feedback, today, inspection
        )
        if row.deadline.immediate_default and planned.deadline is None and "deadline" in parsed.columns:
            notes.append(
                f"{row.place_label}「{parsed.columns['deadline']}」立行立改：巡视轮次没有反馈日期，完成时限留空。"
            )
        notes += _check_dates(row, planned, parsed.columns, feedback=feedback, today=today)
        if planned.existing is not None:
            planned.changes = _changes(planned, planned.existing, has_progress=parsed.has("progress"))
            planned.action = UPDATE if planned.changes else UNCHANGED
        rows.append(planned)
    return ImportPlan(
        parsed=parsed,
        unit=unit,
        inspection=inspection,
        new_inspection=new_inspection,
        problems=list(problems.values()),
        rows=rows,
        departments=departments,
        leaders=leaders,
        notes=notes,
    )


def _existing_items(inspection: Inspection | None, today: datetime.date, *, lock: bool) -> dict[int, ExistingItem]:
    """number → the item and its relations; six queries, whatever the number of items."""
    if inspection is None:
        return {}
    items = RectificationItem.objects.filter(inspection=inspection).order_by("pk")
    if lock:
        items = items.select_for_update()
    existing = {item.pk: ExistingItem(item) for item in items}
    departments = dict(Department.objects.values_list("pk", "name"))
    for snapshot in existing.values():
        snapshot.lead_department = departments.get(snapshot.item.lead_department_id, "")
    for relation, target in (("leaders", "leader"), ("co_departments", "department")):
        links = (
            getattr(RectificationItem, relation)
            .through.objects.filter(rectificationitem__inspection=inspection)
            .order_by(f"{target}__sort_order", f"{target}_id")
            .values_list("rectificationitem_id", f"{target}_id", f"{target}__name")
        )
        for item_id, pk, name in links:
            getattr(existing[item_id], relation).append((pk, name))
    measures = (
        Measure.objects.filter(item__inspection=inspection)
        .order_by("item_id", "sequence")
        .values_list("item_id", "pk", "text")
    )
    for item_id, pk, text in measures:
        existing[item_id].measures.append((pk, text))
    progress = ProgressUpdate.objects.filter(item__inspection=inspection, reported_on__lte=today)
    progress = progress.order_by("reported_on", "pk")
    for item_id, text in progress.values_list("item_id", "text"):
        existing[item_id].latest_progress = text
    return {snapshot.item.number: snapshot for snapshot in existing.values()}


def _match_problems(rows: list[ImportRow], inspection: Inspection | None) -> dict[tuple, ProblemTarget]:
    """A new problem keeps the label the file gives it (（三） → 3) when that sequence is free,
    else it gets the next one."""
    existing = list(inspection.problems.order_by("sequence")) if inspection else []
    claimed: set[int] = set()
    used = {problem.sequence for problem in existing}
    targets: dict[tuple, ProblemTarget] = {}
    for row in rows:
        key = row.problem_key
        if key in targets:
            continue
        sequence, title = key
        candidates = [p for p in existing if p.title == title and p.pk not in claimed]
        match = next((p for p in candidates if p.sequence == sequence), candidates[0] if candidates else None)
        if match is not None:
            claimed.add(match.pk)
            targets[key] = ProblemTarget(match.sequence, match.title, match.description, pk=match.pk)
        else:
            new = sequence if sequence and sequence not in used else max(used, default=0) + 1
            used.add(new)
            targets[key] = ProblemTarget(new, title, row.problem_description)
    return targets


def _all_names(rows: list[ImportRow], kind: str) -> list[str]:
    """Every leader (or department) the rows name, in an order that keeps each cell's order: the
    ones not found are created in this order, so that an item lists them as the file does."""
    if kind == "leaders":
        cells = [row.leaders for row in rows]
    else:
        cells = [[row.lead_department] if row.lead_department else [] for row in rows]
        cells += [row.co_departments for row in rows]
    return _keeping_order(cells)


def _keeping_order(cells: list[list[str]]) -> list[str]:
    """The names of all ``cells`` in one order in which every cell's names keep their order
    (a topological sort); ties, and cells that contradict each other, by first appearance."""
    first: dict[str, int] = {}
    followers: dict[str, set[str]] = defaultdict(set)
    waiting: dict[str, int] = defaultdict(int)  # how many names must come before
    for names in cells:
        for name in names:
            first.setdefault(name, len(first))
        for earlier, later in itertools.pairwise(names):
            if later not in followers[earlier]:
                followers[earlier].add(later)
                waiting[later] += 1
    ready = [(index, name) for name, index in first.items() if not waiting[name]]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        _index, name = heapq.heappop(ready)
        ordered.append(name)
        for later in followers[name]:
            waiting[later] -= 1
            if not waiting[later]:
                heapq.heappush(ready, (first[later], later))
    placed = set(ordered)
    return ordered + [name for name in first if name not in placed]


def _only_elsewhere(model, names: dict[str, int | None], unit: Unit, label: str) -> list[str]:
    """Notes on the names to be created in ``unit`` that exist only in other units (one query)."""
    new = [name for name, pk in names.items() if pk is None]
    if not new:
        return []
    elsewhere: dict[str, list[str]] = defaultdict(list)
    found = model.objects.filter(name__in=new).exclude(unit=unit).order_by("unit__path")
    for name, unit_name in found.values_list("name", "unit__name"):
        if unit_name not in elsewhere[name]:
            elsewhere[name].append(unit_name)
    return [
        f"{label}「{name}」只在其他单位（{'、'.join(elsewhere[name])}）中有，将在「{unit.name}」新建。"
        for name in new
        if elsewhere[name]
    ]


def _names_to_pks(model, names: list[str], unit: Unit) -> dict[str, int | None]:
    """name → pk of the first row of that name in ``unit`` (by sort order), None when there is none."""
    found: dict[str, int] = {}
    for pk, name in (
        model.objects.filter(unit=unit, name__in=names).order_by("sort_order", "pk").values_list("pk", "name")
    ):
        found.setdefault(name, pk)
    return {name: found.get(name) for name in names}


def _plan_row(
    row: ImportRow,
    parsed: ParsedLedger,
    snapshot: ExistingItem | None,
    problem: ProblemTarget,
    feedback: datetime.date | None,
    today: datetime.date,
    inspection: Inspection | None,
) -> PlannedRow:
    has = parsed.has
    existing = snapshot.item if snapshot is not None else None

    def kept(name: str, file_value, default):
        """The file's value when it has the column, else the existing item's, else ``default``."""
        if has(name):
            return file_value
        return getattr(existing, _FIELD_ATTRS[name]) if existing is not None else default

    # The deadline cell states a kind (立行立改, 长期坚持) or not; when not, an existing item keeps its kind.
    kind = (row.deadline.kind if has("deadline") else None) or (
        existing.kind if existing is not None else Kind.TIME_BOUND
    )
    deadline = row.deadline.day
    if row.deadline.immediate_default and feedback is not None:
        deadline = add_months(feedback, 1)
    deadline = kept("deadline", deadline, None)
    status = kept("status", row.status, Status.NOT_STARTED)
    # 原完成时限 is the deadline before an approved extension: a new item takes the file's (the
    # import records that extension); an existing item's changes only through an extension.
    original_deadline = existing.original_deadline if existing is not None else row.original_deadline
    completed_on = None
    requests_signoff = False
    if existing is not None:
        # The file never sets an existing item's status; 已完成 for an open item asks for 销号.
        requests_signoff = has("status") and status == Status.COMPLETED and existing.status in OPENABLE
        status, completed_on = existing.status, existing.completed_on
    elif status == Status.COMPLETED and inspection is not None:
        # A new item of an existing round that the file says is done: a 销号 request, not a completion.
        status, requests_signoff = Status.PENDING_SIGNOFF, True
    elif status == Status.COMPLETED:
        # A new round's past completion, recorded with a sign-off of origin 导入: on the file's
        # 完成日期, else on the deadline (today when that is still to come).
        completed_on = row.completed_on or (deadline if deadline and deadline <= today else today)
    elif status == Status.PENDING_SIGNOFF:
        # 待销号 needs its request: the import files one, with the file as evidence.
        requests_signoff = True
    return PlannedRow(
        source=row,
        number=row.number,
        problem=problem,
        title=row.title,
        detail=row.detail or (existing.detail if existing is not None else ""),
        kind=kind,
        deadline=deadline,
        original_deadline=original_deadline,
        status=status,
        completed_on=completed_on,
        # A new item's progress text is its summary; an existing item keeps its (published) summary
        # and gets a progress report when the file says something else (see _changes).
        summary=row.progress if snapshot is None else existing.summary,
        note=kept("notes", row.note, ""),
        contact_person=kept("person", row.contact_person, ""),
        lead_department=row.lead_department if has("department") or not snapshot else snapshot.lead_department,
        co_departments=row.co_departments
        if has("department") or has("co_departments") or not snapshot
        else snapshot.names("co_departments"),
        leaders=row.leaders if has("leader") or not snapshot else snapshot.names("leaders"),
        measures=row.measures if has("measures") or not snapshot else snapshot.names("measures"),
        existing=snapshot,
        requests_signoff=requests_signoff,
        item_pk=existing.pk if existing is not None else None,
    )


def _check_dates(
    row: ImportRow, planned: PlannedRow, headers: dict[str, str], *, feedback: datetime.date | None, today
) -> list[str]:
    """Errors (on the row) for a 完成日期 or 原完成时限 that cannot be; notes for the ones an import
    does not apply to an existing item (its completion and extensions go through review)."""
    notes = []

    def error(name: str, message: str) -> None:
        row.errors.append(f"{row.place_label}「{headers[name]}」{message}")

    done_on, original = row.completed_on, row.original_deadline
    if done_on is not None:
        if done_on > today:
            error("completed_on", f"晚于今天：{chinese_date(done_on)}（完成日期不能是将来的日期）。")
        elif feedback is not None and done_on < feedback:
            error("completed_on", f"早于巡视反馈日期（{chinese_date(feedback)}）：{chinese_date(done_on)}。")
        if row.status != Status.COMPLETED:
            error(
                "completed_on",
                f"已填写（{chinese_date(done_on)}），但完成状态不是已完成：只有已完成的事项才有完成日期。",
            )
        elif planned.existing is not None and planned.completed_on not in (None, done_on):
            notes.append(
                f"{row.place_label}「{headers['completed_on']}」与系统记录（{chinese_date(planned.completed_on)}）"
                "不同：已销号事项的完成日期不由导入更改。"
            )
    if original is not None:
        if planned.existing is not None:
            if original != planned.original_deadline:
                notes.append(
                    f"{row.place_label}「{headers['original_deadline']}」与系统记录不同：原完成时限只随批准的延期改变，"
                    "导入不更改。"
                )
        elif planned.deadline is None or original >= planned.deadline:
            error(
                "original_deadline",
                f"应早于完成时限（延期后的时限）：{chinese_date(original)}"
                + (f"，完成时限为{chinese_date(planned.deadline)}。" if planned.deadline else "，但完成时限为空。"),
            )
    return notes


# An existing item in one of these states may ask for 销号 through an import.
OPENABLE = {Status.NOT_STARTED, Status.IN_PROGRESS, Status.ONGOING}


_FIELD_ATTRS = {
    "deadline": "deadline",
    "status": "status",
    "notes": "note",
    "person": "contact_person",
}


_LABELS = {
    "problem": "反馈问题",
    "title": "整改事项",
    "detail": "问题详情",
    "kind": "整改类型",
    "deadline": "完成时限",
    "original_deadline": "原完成时限",
    "status": "完成状态",
    "completed_on": "完成日期",
    "summary": "整改情况",
    "note": "备注",
    "contact_person": "责任人",
}


def _changes(planned: PlannedRow, snapshot: ExistingItem, *, has_progress: bool) -> list[str]:
    """Labels of what the row would change on the existing item. A progress text other than the one
    the ledger shows becomes a new progress report (append-only) rather than a new summary."""
    item = snapshot.item
    changed = [
        label for name, label in _LABELS.items() if name != "problem" and getattr(planned, name) != getattr(item, name)
    ]
    if planned.problem.pk != item.problem_id:
        changed.insert(0, _LABELS["problem"])
    if planned.lead_department != snapshot.lead_department:
        changed.append("责任部门")
    if set(planned.co_departments) != set(snapshot.names("co_departments")):
        changed.append("配合部门")
    if set(planned.leaders) != set(snapshot.names("leaders")):
        changed.append("责任领导")
    if planned.measures != snapshot.names("measures"):
        changed.append(MEASURES)
    if planned.requests_signoff:
        changed.append(SIGNOFF)
    text = planned.source.progress
    if has_progress and text and text != snapshot.progress_shown:
        planned.new_progress = text
        changed.append(PROGRESS)
    return changed


def describe_deadline(row: PlannedRow) -> str:
    """完成时限 as the preview shows it."""
    if row.deadline:
        return chinese_date(row.deadline)
    return row.kind_label if row.kind == Kind.LONG_TERM else ""
