"""Importing a ledger workbook into an inspection: the one service that writes.

Everything happens in one transaction: any error in any row means nothing is saved. Writes
are bulk operations that keep the change history complete: rows and their historical records
(``bulk_create_with_history`` / ``bulk_update_with_history``), and for the items' leaders and
co-departments the historical m2m rows simple-history would have written on ``.set()``, all
stamped with one time and the importing user.
"""

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from rectify.accounts.models import Department, Leader, Unit, User
from rectify.chinese import chinese_date
from rectify.ledger import bulk, revision
from rectify.ledger.models import (
    Decision,
    Extension,
    FeedbackProblem,
    Inspection,
    Measure,
    Origin,
    ProgressUpdate,
    RectificationItem,
    SignOff,
)
from rectify.ledger.status import Status

from ..imports import CreatedObjects, ImportedFile
from .errors import LedgerImportError
from .planning import CREATE, MEASURES, UPDATE, ChangedMeanwhileError, ImportPlan, PlannedRow, plan_import
from .reader import read_ledger
from .workbook import Source

BATCH = 2000
CHANGE_REASON = "导入Excel台账"
_TITLE_MAX = Inspection._meta.get_field("name").max_length
_ITEM_FIELDS = [
    "problem",
    "title",
    "detail",
    "kind",
    "lead_department",
    "contact_person",
    "deadline",
    "original_deadline",
    "summary",
    "note",
]

__all__ = ["LedgerImportError", "import_ledger"]


def import_ledger(
    *,
    source: Source,
    inspection: Inspection | None = None,
    title: str | None = None,
    unit: Unit | None = None,
    dry_run: bool = False,
    user: User | None = None,
    today: datetime.date | None = None,
    expected_versions: dict[str, int] | None = None,
    file_name: str = "",
) -> ImportPlan:
    """Import the ledger in ``source`` into ``inspection``, or into a new inspection named ``title``.

    Returns the plan (every row as saved, or as it would be saved when ``dry_run``). Raises
    ``LedgerImportError`` with all the Chinese messages when anything is wrong; then nothing
    is saved. A real import records what it created (``plan.record``, an ``ImportRecord``) so
    that it can be withdrawn; ``expected_versions`` are the versions the preview showed.
    """
    title = (title or "").strip() or None
    if (inspection is None) == (title is None):
        raise LedgerImportError(["请选择要导入到的巡视轮次，或填写新巡视轮次的名称（二者选一）。"])
    if title and len(title) > _TITLE_MAX:
        raise LedgerImportError([f"巡视轮次名称过长（最多{_TITLE_MAX}字）。"])
    return _import(source, inspection, title, unit, dry_run, user, today, expected_versions, file_name)


def _import(source, inspection, title, unit, dry_run, user, today, expected_versions, file_name) -> ImportPlan:
    parsed = read_ledger(source)
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            try:
                plan = plan_import(
                    parsed,
                    inspection=inspection,
                    title=title,
                    unit=unit,
                    today=today,
                    lock=not dry_run,
                    expected_versions=expected_versions,
                )
            except ChangedMeanwhileError as error:
                raise LedgerImportError([str(error)]) from None
            except ValidationError as error:  # which unit a new round goes into
                raise LedgerImportError(error.messages) from None
            if plan.errors:
                raise LedgerImportError(plan.errors, result=plan)
            if not plan.rows:
                raise LedgerImportError(["文件中没有可导入的整改事项。"], result=plan)
            if not dry_run:
                file = ImportedFile.of(source, file_name or _source_name(source))
                with file.stored() as evidence_file:
                    _Writer(plan, user=user, file=evidence_file).write()
    except IntegrityError:
        # Someone changed the same inspection meanwhile (e.g. two imports at once): nothing was saved.
        raise LedgerImportError(
            ["导入期间该巡视轮次被他人修改（例如同时导入），未保存任何内容，请重新导入。"]
        ) from None
    return plan


def _source_name(source) -> str:
    return getattr(source, "name", None) or str(source)


class _Writer:
    def __init__(self, plan: ImportPlan, *, user: User | None, file):
        self.plan = plan
        self.user = user
        self.file = file
        self.now = timezone.now()
        self.created = CreatedObjects()
        self.history = {
            "default_user": user,
            "default_date": self.now,
            "default_change_reason": CHANGE_REASON,
            "batch_size": BATCH,
        }

    def write(self) -> None:
        revision.changed()  # the bulk writes below send no history signals
        self.inspection = self._inspection()
        self.departments = self._create_names(Department, self.plan.departments, {})
        self.leaders = self._create_names(Leader, self.plan.leaders, {"position": ""})
        self._create_problems()
        created = [row for row in self.plan.rows if row.action == CREATE]
        updated = [row for row in self.plan.rows if row.action == UPDATE]
        changed_items = [row for row in updated if row.item_changed]
        self._create_items(created)
        self._update_items(changed_items)
        self._write_relations(created + changed_items)
        self._write_measures(created, [row for row in updated if MEASURES in row.changes])
        self._write_progress([row for row in updated if row.new_progress])
        self._write_signoffs(created, [row for row in updated if row.requests_signoff])
        self._write_extensions([row for row in created if row.original_deadline is not None])
        self.plan.record = self.created.record(
            kind="ledger",
            file_name=self.file.name,
            inspection=self.inspection,
            summary=(
                f"新增 {len(created)} 项，更新 {len(updated)} 项，"
                f"申请销号 {sum(row.requests_signoff for row in self.plan.rows)} 项"
            ),
            updated_count=len(updated),
            user=self.user,
        )

    def _write_signoffs(self, created: list[PlannedRow], updated: list[PlannedRow]) -> None:
        """A new round's completed items: an approved sign-off of origin 导入. Items the file calls
        done otherwise: a pending 销号 request of origin 导入, the file as its evidence."""
        note = f"据导入的台账文件《{self.file.name}》"
        signoffs = []
        for row in created:
            if row.status == Status.COMPLETED:
                signoffs.append(
                    SignOff(
                        item_id=row.item_pk,
                        origin=Origin.IMPORT,
                        note=f"{note}，该事项已完成（导入历史台账）。",
                        requested_by=self.user,
                        requested_at=self.now,
                        decision=Decision.APPROVED,
                        reviewed_at=self.now,
                        source_name=self.file.name,
                    )
                )
        asking = [row for row in created if row.requests_signoff] + updated
        for row in asking:
            done_on = f"于{chinese_date(row.source.completed_on)}" if row.source.completed_on else ""
            signoffs.append(
                SignOff(
                    item_id=row.item_pk,
                    origin=Origin.IMPORT,
                    note=f"{note}，该事项已{done_on}完成，申请销号。",
                    requested_by=self.user,
                    requested_at=self.now,
                    source_name=self.file.name,
                )
            )
        if signoffs:
            self.created.add_all(bulk_create_with_history(signoffs, SignOff, **self.history))
        if asking:
            self.created.add_all(self.file.attach([row.item_pk for row in asking], user=self.user, at=self.now))

    def _write_extensions(self, rows: list[PlannedRow]) -> None:
        """A new item the file gives a 原完成时限: the extension it stands for, approved, of origin 导入."""
        if rows:
            extensions = [
                Extension(
                    item_id=row.item_pk,
                    origin=Origin.IMPORT,
                    previous_deadline=row.original_deadline,
                    requested_deadline=row.deadline,
                    reason=(
                        f"据导入的台账文件《{self.file.name}》，原完成时限{chinese_date(row.original_deadline)}，"
                        f"已延期至{chinese_date(row.deadline)}（导入历史台账）。"
                    ),
                    requested_by=self.user,
                    requested_at=self.now,
                    decision=Decision.APPROVED,
                    reviewed_at=self.now,
                    source_name=self.file.name,
                )
                for row in rows
            ]
            self.created.add_all(bulk_create_with_history(extensions, Extension, **self.history))

    def _inspection(self) -> Inspection:
        if self.plan.inspection is not None:
            return self.plan.inspection
        inspection = Inspection(**self.plan.new_inspection)
        inspection._history_user = self.user
        inspection._change_reason = CHANGE_REASON
        inspection.save()
        self.created.add(inspection)
        self.plan.inspection = inspection
        return inspection

    def _create_names(self, model, names: dict[str, int | None], extra: dict) -> dict[str, int]:
        unit = self.plan.unit
        missing = [model(unit=unit, name=name, **extra) for name, pk in names.items() if pk is None]
        if missing:
            bulk_create_with_history(missing, model, **self.history)
            created = model.objects.filter(unit=unit, name__in=[m.name for m in missing])
            found = dict(created.values_list("name", "pk"))
            self.created.add_pks(model, found.values())
            names = {**names, **found}
        return names

    def _create_problems(self) -> None:
        new = [problem for problem in self.plan.problems if problem.pk is None]
        if not new:
            return
        bulk_create_with_history(
            [
                FeedbackProblem(
                    inspection=self.inspection,
                    sequence=problem.sequence,
                    title=problem.title,
                    description=problem.description,
                )
                for problem in new
            ],
            FeedbackProblem,
            **self.history,
        )
        pks = dict(FeedbackProblem.objects.filter(inspection=self.inspection).values_list("sequence", "pk"))
        for problem in new:
            problem.pk = pks[problem.sequence]
        self.created.add_pks(FeedbackProblem, [problem.pk for problem in new])

    def _values(self, row: PlannedRow) -> dict:
        return {
            "problem_id": row.problem.pk,
            "title": row.title,
            "detail": row.detail,
            "kind": row.kind,
            "lead_department_id": self.departments[row.lead_department] if row.lead_department else None,
            "contact_person": row.contact_person,
            "deadline": row.deadline,
            "original_deadline": row.original_deadline,
            "status": row.status,
            "completed_on": row.completed_on,
            "summary": row.summary,
            "note": row.note,
        }

    def _create_items(self, rows: list[PlannedRow]) -> None:
        pks = bulk.create_with_history(
            RectificationItem,
            [
                {"inspection_id": self.inspection.pk, "number": row.number, "created_at": self.now, **self._values(row)}
                for row in rows
            ],
            user=self.user,
            date=self.now,
            reason=CHANGE_REASON,
        )
        for row, pk in zip(rows, pks, strict=True):
            row.item_pk = pk
        self.created.add_pks(RectificationItem, pks)

    def _update_items(self, rows: list[PlannedRow]) -> None:
        items = []
        for row in rows:
            item = row.existing.item  # read select_for_update by the plan
            for name, value in self._values(row).items():
                if name not in ("status", "completed_on"):
                    setattr(item, name, value)
            if row.requests_signoff:
                if item.status == Status.NOT_STARTED:
                    item.start()
                item.submit()
            item.version += 1
            item.updated_at = self.now
            items.append(item)
        if items:
            bulk_update_with_history(
                items, RectificationItem, fields=[*_ITEM_FIELDS, "status", "version", "updated_at"], **self.history
            )

    def _write_relations(self, rows: list[PlannedRow]) -> None:
        """Leaders and co-departments of created and updated items, with the historical m2m rows
        that tie them to the historical records just written (so that the ledger of any later
        day shows them)."""
        if not rows:
            return
        updated_ids = [row.item_pk for row in rows if row.existing is not None]
        records = dict(
            RectificationItem.history.filter(inspection_id=self.inspection.pk, history_date=self.now).values_list(
                "id", "history_id"
            )
        )
        for field_name, target, names_of, pks in (
            ("leaders", "leader_id", lambda row: row.leaders, self.leaders),
            ("co_departments", "department_id", lambda row: row.co_departments, self.departments),
        ):
            through = getattr(RectificationItem, field_name).through
            for chunk in _chunks(updated_ids):
                through.objects.filter(rectificationitem_id__in=chunk).delete()
            links = []
            for row in rows:
                own = {name: pk for pk, name in getattr(row.existing, field_name)} if row.existing else {}
                for name in names_of(row):
                    links.append({"rectificationitem_id": row.item_pk, target: own.get(name, pks[name])})
            link_pks = bulk.create_with_history(through, links, date=self.now)
            historical = apps.get_model("ledger", f"HistoricalRectificationItem_{field_name}")
            bulk.insert_rows(
                historical,
                [
                    {"id": pk, "history_id": records[link["rectificationitem_id"]], **link}
                    for pk, link in zip(link_pks, links, strict=True)
                ],
            )

    def _write_measures(self, created: list[PlannedRow], updated: list[PlannedRow]) -> None:
        """New items get their measures; updated items get the file's, matched by position: a
        changed text is updated, extra ones are added, surplus ones deleted (all with history)."""
        new, texts, removed = [], {}, []
        for row in created:
            new += [self._measure(row, sequence, text) for sequence, text in enumerate(row.measures, start=1)]
        for row in updated:
            current = row.existing.measures
            for sequence, text in enumerate(row.measures, start=1):
                if sequence > len(current):
                    new.append(self._measure(row, sequence, text))
                elif current[sequence - 1][1] != text:
                    texts[current[sequence - 1][0]] = text
            removed += [pk for pk, _text in current[len(row.measures) :]]
        if new:
            self.created.add_pks(
                Measure, bulk.create_with_history(Measure, new, user=self.user, date=self.now, reason=CHANGE_REASON)
            )
        changed = []
        for chunk in _chunks(list(texts)):
            for measure in Measure.objects.filter(pk__in=chunk):
                measure.text = texts[measure.pk]
                changed.append(measure)
        if changed:
            bulk_update_with_history(changed, Measure, fields=["text"], **self.history)
        for chunk in _chunks(removed):  # rare (a re-import with fewer measures): one by one, with history
            for measure in Measure.objects.filter(pk__in=chunk):
                measure._history_user = self.user
                measure._change_reason = CHANGE_REASON
                measure.delete()

    def _write_progress(self, rows: list[PlannedRow]) -> None:
        """A new progress report, dated today, for each existing item whose progress text changed."""
        if rows:
            reports = [
                ProgressUpdate(
                    item_id=row.item_pk,
                    reported_on=timezone.localdate(self.now),
                    text=row.new_progress,
                    author=self.user,
                )
                for row in rows
            ]
            self.created.add_all(bulk_create_with_history(reports, ProgressUpdate, **self.history))

    @staticmethod
    def _measure(row: PlannedRow, sequence: int, text: str) -> dict:
        done = row.status == Status.COMPLETED
        return {
            "item_id": row.item_pk,
            "sequence": sequence,
            "text": text,
            "is_done": done,
            "done_on": row.completed_on if done else None,
        }


def _chunks(values: list, size: int = 5000):
    """Slices small enough for any database's limit on query parameters."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
