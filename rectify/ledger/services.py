"""Writes to the ledger. Every function is atomic, locks the item it changes
(``select_for_update``), checks the state it starts from, and leaves a history record
naming the user and, where there is one, the reason.
"""

import contextlib
import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from rectify.accounts.models import Department, Leader, User
from rectify.chinese import chinese_date

from .models import Decision, Evidence, Extension, Measure, ProgressUpdate, RectificationItem, SignOff
from .uploads import CheckedFile, check_evidence_file

Status = RectificationItem.Status


class WorkflowError(ValidationError):
    """A request the item's state does not allow; the message says why, in Chinese."""


class ConflictError(WorkflowError):
    """Someone else saved the item since the user opened it."""


def _locked_item(item_id: int) -> RectificationItem:
    return RectificationItem.objects.select_for_update().get(pk=item_id)


def _save_item(item: RectificationItem, *, user: User, reason: str = "", fields: Iterable[str] = ()) -> None:
    """Save with a bumped version, so that concurrent editors notice (the row is locked)."""
    item.version += 1
    item._history_user = user
    if reason:
        item._change_reason = reason
    item.save(update_fields=[*fields, "version", "updated_at"] if fields else None)


def _check_version(item: RectificationItem, expected_version: int | None) -> None:
    if expected_version is None or item.version == expected_version:
        return
    latest = item.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    who = str(latest.history_user) if latest and latest.history_user else "其他用户"
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else ""
    raise ConflictError(f"该整改事项已于 {when} 被 {who} 修改，您的修改未保存。请刷新页面，查看最新内容后重新填写。")


@transaction.atomic
def update_item(
    *,
    item_id: int,
    user: User,
    expected_version: int | None,
    changes: dict,
    leaders: Sequence[Leader] | None = None,
    co_departments: Sequence[Department] | None = None,
) -> RectificationItem:
    """The discipline office edits an item's fields; refused if someone saved it in between."""
    item = _locked_item(item_id)
    _check_version(item, expected_version)
    for name, value in changes.items():
        setattr(item, name, value)
    if item.status == Status.COMPLETED and item.completed_on is None:
        item.completed_on = timezone.localdate()
    if item.status != Status.COMPLETED:
        item.completed_on = None
    item.full_clean(exclude=["version"])
    if leaders is not None:
        item.leaders.set(leaders)
    if co_departments is not None:
        item.co_departments.set(co_departments)
    _save_item(item, user=user)
    return item


def add_progress(
    *,
    item_id: int,
    user: User,
    text: str,
    reported_on: datetime.date | None = None,
    files: Sequence[UploadedFile] = (),
) -> ProgressUpdate:
    """A progress report, with any evidence files attached to it. Moves a not-started item to 整改中."""
    checked = [(upload, check_evidence_file(upload)) for upload in files]
    with _files_removed_on_error() as stored, transaction.atomic():
        item = _locked_item(item_id)
        if item.status == Status.COMPLETED:
            raise WorkflowError("该事项已销号，不能再报告进展；如需继续整改，请纪工委先重新打开。")
        if not text.strip():
            raise WorkflowError("请填写进展情况。")
        if reported_on and reported_on > timezone.localdate():
            raise WorkflowError("报告日期不能晚于今天。")
        update = ProgressUpdate(
            item=item, text=text.strip(), reported_on=reported_on or timezone.localdate(), author=user
        )
        update._history_user = user
        update.save()
        for upload, facts in checked:
            _store_evidence(item=item, user=user, upload=upload, facts=facts, stored=stored, progress_update=update)
        if item.status == Status.NOT_STARTED:
            item.status = Status.IN_PROGRESS
            _save_item(item, user=user, reason="报告进展", fields=["status"])
        return update


def add_evidence(*, item_id: int, user: User, upload: UploadedFile, title: str = "") -> Evidence:
    facts = check_evidence_file(upload)
    with _files_removed_on_error() as stored, transaction.atomic():
        item = _locked_item(item_id)
        if item.status == Status.COMPLETED:
            raise WorkflowError("该事项已销号，不能再上传佐证材料。")
        return _store_evidence(item=item, user=user, upload=upload, facts=facts, stored=stored, title=title)


@contextlib.contextmanager
def _files_removed_on_error():
    """Files stored inside the block are deleted again if the block fails: never half a write."""
    stored: list[Evidence] = []
    try:
        yield stored
    except BaseException:
        for evidence in stored:
            evidence.file.storage.delete(evidence.file.name)
        raise


def _store_evidence(
    *,
    item: RectificationItem,
    user: User,
    upload: UploadedFile,
    facts: CheckedFile,
    stored: list[Evidence],
    title: str = "",
    progress_update: ProgressUpdate | None = None,
) -> Evidence:
    evidence = Evidence(
        item=item,
        progress_update=progress_update,
        title=title.strip() or facts.original_name,
        original_name=facts.original_name,
        content_type=facts.content_type,
        size=facts.size,
        sha256=facts.sha256,
        uploaded_by=user,
    )
    evidence.file.save(facts.original_name, upload, save=False)
    stored.append(evidence)
    evidence._history_user = user
    evidence.save()
    return evidence


@transaction.atomic
def set_measure_done(*, measure_id: int, user: User, done: bool, done_on: datetime.date | None = None) -> Measure:
    measure = Measure.objects.select_for_update().select_related("item").get(pk=measure_id)
    if measure.item.status == Status.COMPLETED:
        raise WorkflowError("该事项已销号，措施状态不能再修改。")
    measure.is_done = done
    measure.done_on = (done_on or timezone.localdate()) if done else None
    measure._history_user = user
    measure.save(update_fields=["is_done", "done_on"])
    return measure


# --- 销号 (sign-off) -------------------------------------------------------------------------

SUBMITTABLE = {Status.NOT_STARTED, Status.IN_PROGRESS, Status.ONGOING}


@transaction.atomic
def submit_signoff(*, item_id: int, user: User, note: str) -> SignOff:
    """The department says the item is done: it goes to 待销号 for the discipline office to check."""
    item = _locked_item(item_id)
    if item.status not in SUBMITTABLE:
        raise WorkflowError(f"该事项当前状态为「{item.get_status_display()}」，不能申请销号。")
    if not note.strip():
        raise WorkflowError("申请销号须填写销号说明。")
    if not item.evidence.exists():
        raise WorkflowError("申请销号前须至少上传一份佐证材料。")
    signoff = SignOff(item=item, note=note.strip(), submitted_by=user)
    signoff._history_user = user
    signoff.save()
    item.status = Status.PENDING_SIGNOFF
    _save_item(item, user=user, reason="申请销号", fields=["status"])
    return signoff


def _locked_pending(model, pk: int, item_id: int):
    request = model.objects.select_for_update().filter(item_id=item_id).get(pk=pk)
    if request.decision != Decision.PENDING:
        raise WorkflowError("该申请已经审核过了。")
    return request


@transaction.atomic
def approve_signoff(*, item_id: int, signoff_id: int, user: User) -> SignOff:
    """The discipline office accepts: the item is completed (已销号) today."""
    item = _locked_item(item_id)
    signoff = _locked_pending(SignOff, signoff_id, item_id)
    signoff.decision = Decision.APPROVED
    signoff.reviewed_by = user
    signoff.reviewed_at = timezone.now()
    signoff._history_user = user
    signoff.save()
    item.status = Status.COMPLETED
    item.completed_on = timezone.localdate()
    _save_item(item, user=user, reason="销号审核通过", fields=["status", "completed_on"])
    return signoff


@transaction.atomic
def return_signoff(*, item_id: int, signoff_id: int, user: User, reason: str) -> SignOff:
    """The discipline office sends it back with a reason: the item is 整改中 again."""
    if not reason.strip():
        raise WorkflowError("退回销号申请须填写退回理由。")
    item = _locked_item(item_id)
    signoff = _locked_pending(SignOff, signoff_id, item_id)
    signoff.decision = Decision.REJECTED
    signoff.reviewed_by = user
    signoff.reviewed_at = timezone.now()
    signoff.review_reason = reason.strip()
    signoff._history_user = user
    signoff.save()
    item.status = Status.IN_PROGRESS
    item.return_count += 1
    _save_item(item, user=user, reason=f"销号申请被退回：{reason.strip()}", fields=["status", "return_count"])
    return signoff


@transaction.atomic
def reopen_item(*, item_id: int, user: User, reason: str) -> RectificationItem:
    """回头看: a completed item is found not really fixed and goes back to 整改中."""
    if not reason.strip():
        raise WorkflowError("重新打开已销号事项须填写理由。")
    item = _locked_item(item_id)
    if item.status != Status.COMPLETED:
        raise WorkflowError("只有已销号的事项才能重新打开。")
    item.status = Status.IN_PROGRESS
    item.completed_on = None
    _save_item(item, user=user, reason=f"回头看，重新打开：{reason.strip()}", fields=["status", "completed_on"])
    return item


# --- 延期 (extension) ------------------------------------------------------------------------


@transaction.atomic
def request_extension(*, item_id: int, user: User, new_deadline: datetime.date, reason: str) -> Extension:
    item = _locked_item(item_id)
    if item.status == Status.COMPLETED:
        raise WorkflowError("该事项已销号，不能申请延期。")
    if not reason.strip():
        raise WorkflowError("申请延期须填写延期理由。")
    if item.deadline and new_deadline <= item.deadline:
        raise WorkflowError(f"申请延至的日期须晚于现在的完成时限（{chinese_date(item.deadline)}）。")
    if new_deadline <= timezone.localdate():
        raise WorkflowError("申请延至的日期须晚于今天。")
    if item.extensions.filter(decision=Decision.PENDING).exists():
        raise WorkflowError("该事项已有一份待审核的延期申请。")
    extension = Extension(
        item=item,
        previous_deadline=item.deadline,
        requested_deadline=new_deadline,
        reason=reason.strip(),
        requested_by=user,
    )
    extension._history_user = user
    extension.save()
    return extension


@transaction.atomic
def decide_extension(*, item_id: int, extension_id: int, user: User, approve: bool, note: str = "") -> Extension:
    """Approving moves the deadline and keeps the first original one; refusing needs a reason."""
    if not approve and not note.strip():
        raise WorkflowError("不予批准延期须填写理由。")
    item = _locked_item(item_id)
    extension = _locked_pending(Extension, extension_id, item_id)
    extension.decision = Decision.APPROVED if approve else Decision.REJECTED
    extension.reviewed_by = user
    extension.reviewed_at = timezone.now()
    extension.review_note = note.strip()
    extension._history_user = user
    extension.save()
    if approve:
        if item.original_deadline is None:
            item.original_deadline = item.deadline
        item.deadline = extension.requested_deadline
        _save_item(
            item,
            user=user,
            reason=f"批准延期至{chinese_date(extension.requested_deadline)}",
            fields=["deadline", "original_deadline"],
        )
    return extension


# --- Bulk actions -------------------------------------------------------------------------------


@transaction.atomic
def bulk_update_items(
    *,
    item_ids: Sequence[int],
    user: User,
    status: str | None = None,
    lead_department: Department | None = None,
    leader: Leader | None = None,
    deadline: datetime.date | None = None,
) -> int:
    """Set one field on many items at once: all of them or, on any error, none."""
    if not item_ids:
        raise WorkflowError("请至少选择一个整改事项。")
    items = list(RectificationItem.objects.select_for_update().filter(pk__in=item_ids).order_by("pk"))
    if len(items) != len(set(item_ids)):
        raise WorkflowError("所选整改事项中有的已不存在，请刷新页面后重试。")
    for item in items:
        fields = []
        if status is not None:
            item.status = status
            item.completed_on = (item.completed_on or timezone.localdate()) if status == Status.COMPLETED else None
            fields += ["status", "completed_on"]
        if lead_department is not None:
            item.lead_department = lead_department
            fields.append("lead_department")
        if deadline is not None:
            item.deadline = deadline
            fields.append("deadline")
        if leader is not None:
            item.leaders.set([leader])
        _save_item(item, user=user, reason="批量修改", fields=fields)
    return len(items)
