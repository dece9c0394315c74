"""What the imports share: the record of what one import created, the imported file kept as the
evidence of the 销号 requests it files, and withdrawing an import (撤销本次导入)."""

import contextlib
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent, Department, Leader, User
from rectify.ledger.models import (
    Evidence,
    Extension,
    FeedbackProblem,
    Inspection,
    Measure,
    ProgressUpdate,
    RectificationItem,
    SignOff,
)
from rectify.ledger.services import WorkflowError

from .models import ImportRecord

# Deleted children first, so that nothing an undo removes is still referred to.
_UNDO_ORDER = [
    Evidence,
    SignOff,
    Extension,
    ProgressUpdate,
    Measure,
    RectificationItem,
    FeedbackProblem,
    Inspection,
    Leader,
    Department,
]
_CHILDREN_OF_ITEMS = [Measure, ProgressUpdate, Evidence, SignOff, Extension]


class CreatedObjects:
    """Primary keys of what an import writes, by model, for its ImportRecord."""

    def __init__(self):
        self.pks: dict[str, list[int]] = {}

    def add_pks(self, model: type[Model], pks: Iterable[int]) -> None:
        self.pks.setdefault(model._meta.label_lower, []).extend(pks)

    def add(self, obj: Model) -> None:
        self.add_pks(type(obj), [obj.pk])

    def add_all(self, objs: Iterable[Model]) -> None:
        for obj in objs:
            self.add(obj)

    def record(self, *, kind, file_name, inspection, summary, updated_count, user) -> ImportRecord:
        """Written last: any history record after its time is a change since the import."""
        return ImportRecord.objects.create(
            kind=kind,
            file_name=file_name[:255],
            inspection=inspection,
            inspection_name=inspection.name,
            summary=summary[:500],
            created_objects=self.pks,
            updated_count=updated_count,
            imported_by=user,
            imported_at=timezone.now(),
        )


@dataclass
class ImportedFile:
    """The imported file's bytes and name; stored once, as evidence, when a request needs it."""

    name: str
    content: bytes
    stored_name: str | None = None

    @classmethod
    def of(cls, source, name: str) -> "ImportedFile":
        if isinstance(source, str | Path):
            content = Path(source).read_bytes()
        else:
            source.seek(0)
            content = source.read()
        return cls(name=PurePath(name).name[:255], content=content)

    @contextlib.contextmanager
    def stored(self):
        """Yields self; a file stored inside the block is deleted again if the block fails."""
        try:
            yield self
        except BaseException:
            if self.stored_name:
                default_storage.delete(self.stored_name)
            raise

    def attach(self, item_ids: list[int], *, user: User | None, at) -> list[Evidence]:
        """One evidence row per item, all pointing at the one stored copy of the file."""
        if self.stored_name is None:
            suffix = PurePath(self.name).suffix.lower()
            path = f"evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"
            self.stored_name = default_storage.save(path, ContentFile(self.content))
        digest = hashlib.sha256(self.content).hexdigest()
        rows = [
            Evidence(
                item_id=item_id,
                title=f"导入的台账文件：{self.name}",
                file=self.stored_name,
                original_name=self.name,
                content_type=_content_type(self.name),
                size=len(self.content),
                sha256=digest,
                uploaded_by=user,
                uploaded_at=at,
            )
            for item_id in item_ids
        ]
        return bulk_create_with_history(rows, Evidence, default_user=user, default_date=at)


def _content_type(name: str) -> str:
    from rectify.ledger.uploads import ALLOWED

    return ALLOWED.get(PurePath(name).suffix.lower(), ("", "application/octet-stream"))[1]


def _created(record: ImportRecord, model: type[Model]) -> list[int]:
    return record.created_objects.get(model._meta.label_lower, [])


def why_not_undoable(record: ImportRecord) -> str | None:
    """None when the import can be withdrawn; else the reason, in Chinese."""
    if record.undone_at is not None:
        return "该次导入已经撤销。"
    if record.updated_count:
        return (
            f"该次导入更新了 {record.updated_count} 个已有事项，撤销只能删除新增内容，不能还原更新，因此不能整体撤销。"
        )
    for model in _UNDO_ORDER:
        pks = _created(record, model)
        if pks and model.history.filter(id__in=pks, history_date__gt=record.imported_at).exists():
            return f"导入后已有人修改了其中的{model._meta.verbose_name}，不能撤销。"
    items = _created(record, RectificationItem)
    for model in _CHILDREN_OF_ITEMS:
        if model.objects.filter(item_id__in=items).exclude(pk__in=_created(record, model)).exists():
            return f"导入后已有人为其中的事项添加了{model._meta.verbose_name}，不能撤销。"
    inspections = _created(record, Inspection)
    if RectificationItem.objects.filter(inspection_id__in=inspections).exclude(pk__in=items).exists():
        return "导入后已有人在该巡视轮次中新增了事项，不能撤销。"
    for model, relation in ((Department, "led_items"), (Leader, "items")):
        used = model.objects.filter(pk__in=_created(record, model), **{f"{relation}__isnull": False})
        if used.exclude(**{f"{relation}__in": items}).exists():
            return f"导入时新建的{model._meta.verbose_name}已被其他事项使用，不能撤销。"
    return None


@transaction.atomic
def undo_import(*, record_id: int, user: User) -> ImportRecord:
    """Remove exactly what the import created, while nothing of it has changed since."""
    record = ImportRecord.objects.select_for_update().get(pk=record_id)
    # Lock the items it created, so that no edit slips in between the check and the delete.
    list(RectificationItem.objects.select_for_update().filter(pk__in=_created(record, RectificationItem)))
    reason = why_not_undoable(record)
    if reason:
        raise WorkflowError(reason)
    files = set(Evidence.objects.filter(pk__in=_created(record, Evidence)).values_list("file", flat=True))
    for model in _UNDO_ORDER:
        pks = _created(record, model)
        if pks:
            model.objects.filter(pk__in=pks).delete()
    record.undone_at = timezone.now()
    record.undone_by = user
    record.save(update_fields=["undone_at", "undone_by"])
    audit.record(
        AuditEvent.Kind.IMPORT_UNDONE,
        user=user,
        obj=record,
        detail=f"{record.file_name}（{record.inspection_name}）：删除导入时新增的 {record.created_count} 条记录",
    )
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return record
