"""Writes to the ledger. Every function is atomic, locks the item it changes
(``select_for_update``), checks the state it starts from, and leaves a history record
naming the user and, where there is one, the reason. Status changes only through
``_fire`` (the transition table of ``status.py``), and every decision is an audit event.
"""

import contextlib
import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent, Department, Leader, User
from rectify.chinese import chinese_date

from . import escalation, events
from .models import (
    Decision,
    Evidence,
    Extension,
    Inspection,
    Measure,
    Origin,
    ProgressUpdate,
    RectificationItem,
    SignOff,
)
from .status import Status
from .status import transition as table
from .uploads import CheckedFile, check_evidence_file

Kind = AuditEvent.Kind


class WorkflowError(ValidationError):
    """A request the item's state does not allow; the message says why, in Chinese."""


class ConflictError(WorkflowError):
    """Someone else saved the item since the user opened it."""


def _locked_item(item_id: int) -> RectificationItem:
    return RectificationItem.objects.select_for_update().get(pk=item_id)


def _check_same_unit(item: RectificationItem, *, departments: Iterable[Department], leaders: Iterable[Leader]) -> None:
    """An item names only departments and leaders of its round's unit."""
    unit_id = item.inspection.unit_id
    strangers = [str(row) for row in [*departments, *leaders] if row is not None and row.unit_id != unit_id]
    if strangers:
        raise WorkflowError(f"{'、'.join(strangers)}不属于本事项所在单位，不能指定。")


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
    refused = {"status", "completed_on", "original_deadline", "return_count", "next_review_on"} & set(changes)
    if refused:
        raise WorkflowError("完成状态只能通过销号、退回、认定长期坚持或回头看等操作改变，不能直接修改。")
    item = _locked_item(item_id)
    _check_version(item, expected_version)
    deadline = changes.pop("deadline", item.deadline)
    before = _describe(item)
    old_department_id = item.lead_department_id
    old_leader_ids = set(item.leaders.values_list("pk", flat=True))
    for name, value in changes.items():
        setattr(item, name, value)
    item.full_clean(exclude=["version"])
    _check_same_unit(
        item,
        departments=[item.lead_department, *(co_departments or ())]
        if item.lead_department_id
        else co_departments or (),
        leaders=leaders or (),
    )
    if leaders is not None:
        item.leaders.set(leaders)
    if co_departments is not None:
        item.co_departments.set(co_departments)
    _save_item(item, user=user)
    if deadline != item.deadline:
        _move_deadline(item, user=user, deadline=deadline, reason="纪工委修改整改事项")
    after = _describe(item)
    changed = {label: [before[label], after[label]] for label in before if before[label] != after[label]}
    if changed:
        audit.record(Kind.LEDGER_EDITED, user=user, obj=item, changes=changed)
    new_leaders = [leader for leader in (leaders or ()) if leader.pk not in old_leader_ids]
    department_changed = item.lead_department_id != old_department_id
    if department_changed or new_leaders:
        events.item_assigned(item, actor=user, department_changed=department_changed, new_leaders=new_leaders)
    return item


def _describe(item: RectificationItem) -> dict[str, str]:
    """The item's editable fields as a reader sees them, for the audit trail's old → new."""
    return {
        str(RectificationItem._meta.get_field(name).verbose_name): _text(getattr(item, name))
        for name in (
            "title",
            "detail",
            "goal",
            "kind",
            "lead_department",
            "contact_person",
            "deadline",
            "summary",
            "note",
        )
    }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return chinese_date(value)
    return str(value)


def _fire(item: RectificationItem, name: str, *, user: User | None, **kwargs) -> None:
    """Fire one transition of the table, or refuse in Chinese: wrong state, or not the user's to fire.
    ``user=None`` is a management command run on the server (imports): no role to check."""
    row = table(name)
    method = getattr(item, name)
    if not can_proceed(method):
        raise WorkflowError(f"该事项当前状态为「{item.get_status_display()}」，不能{row.label}。")
    if user is not None and not has_transition_perm(method, user):
        raise WorkflowError(f"您没有权限对该事项执行「{row.label}」。")
    method(**kwargs)


def _decide(request, *, user: User, decision: str, note: str = "") -> None:
    """Record the decision on a pending request; four eyes unless RECTIFY_FOUR_EYES=0."""
    if request.decision != Decision.PENDING:
        raise WorkflowError("该申请已经审核过了。")
    own = request.requested_by_id is not None and request.requested_by_id == user.pk
    if own and settings.RECTIFY_FOUR_EYES:
        raise WorkflowError("不能审核本人提交的申请（四眼原则），请由纪工委其他工作人员审核。")
    request.decision = decision
    request.reviewed_by = user
    request.reviewed_at = timezone.now()
    request.review_note = note.strip()
    request.self_reviewed = own
    request._history_user = user
    request.save()


def _self_note(request) -> str:
    return "（本人审核）" if request.self_reviewed else ""


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
            _fire(item, "start", user=user)
            _save_item(item, user=user, reason="报告进展，开始整改", fields=["status"])
            audit.record(Kind.ITEM_STARTED, user=user, obj=item, changes=_status_change(Status.NOT_STARTED, item))
        return update


def _status_change(old: str, item: RectificationItem) -> dict:
    return {"完成状态": [str(Status(old).label), item.get_status_display()]}


@transaction.atomic
def start_item(*, item_id: int, user: User) -> RectificationItem:
    """The office starts an item that nobody has reported on yet."""
    item = _locked_item(item_id)
    _fire(item, "start", user=user)
    _save_item(item, user=user, reason="开始整改", fields=["status"])
    audit.record(Kind.ITEM_STARTED, user=user, obj=item, changes=_status_change(Status.NOT_STARTED, item))
    return item


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


@transaction.atomic
def submit_signoff(*, item_id: int, user: User, note: str) -> SignOff:
    """The department says the item is done: it goes to 待销号 for the discipline office to check."""
    item = _locked_item(item_id)
    old = item.status
    if item.status == Status.COMPLETED:
        raise WorkflowError("该事项已销号，不能再申请销号。")
    if not note.strip():
        raise WorkflowError("申请销号须填写销号说明。")
    if not item.evidence.exists():
        raise WorkflowError("申请销号前须至少上传一份佐证材料。")
    if item.status == Status.NOT_STARTED:
        # The request, with its note and evidence, is the item's first report: it starts it.
        _fire(item, "start", user=user)
        audit.record(Kind.ITEM_STARTED, user=user, obj=item, changes=_status_change(old, item))
    _fire(item, "submit", user=user)
    signoff = SignOff(item=item, note=note.strip(), requested_by=user)
    signoff._history_user = user
    signoff.save()
    _save_item(item, user=user, reason="申请销号", fields=["status"])
    audit.record(Kind.SIGNOFF_SUBMITTED, user=user, obj=item, detail=note.strip(), changes=_status_change(old, item))
    events.signoff_submitted(item, signoff, actor=user)
    return signoff


def _locked_pending(model, pk: int, item_id: int):
    request = model.objects.select_for_update().filter(item_id=item_id, pk=pk).first()
    if request is None:
        raise WorkflowError(f"该事项没有这份{model._meta.verbose_name}。")
    if request.decision != Decision.PENDING:
        raise WorkflowError("该申请已经审核过了。")
    return request


@transaction.atomic
def approve_signoff(
    *, item_id: int, signoff_id: int, user: User, completed_on: datetime.date | None = None, note: str = ""
) -> SignOff:
    """The discipline office accepts: the item is completed (已销号) on the approval day, or on an
    earlier day the reviewer gives (never a future one, never before the round's feedback)."""
    today = timezone.localdate()
    completed_on = completed_on or today
    item = _locked_item(item_id)
    if completed_on > today:
        raise WorkflowError("完成日期不能晚于今天。")
    feedback = item.inspection.feedback_date
    if feedback and completed_on < feedback:
        raise WorkflowError(f"完成日期不能早于巡视反馈日期（{chinese_date(feedback)}）。")
    signoff = _locked_pending(SignOff, signoff_id, item_id)
    _fire(item, "approve", user=user, completed_on=completed_on)
    _decide(signoff, user=user, decision=Decision.APPROVED, note=note)
    _save_item(item, user=user, reason="销号审核通过", fields=["status", "completed_on", "next_review_on"])
    audit.record(
        Kind.SIGNOFF_APPROVED,
        user=user,
        obj=item,
        detail=f"完成日期 {chinese_date(completed_on)}{_self_note(signoff)}",
        changes=_status_change(Status.PENDING_SIGNOFF, item),
    )
    escalation.close_open(item, reason="已销号", today=today)
    events.signoff_decided(item, signoff, actor=user, approved=True)
    return signoff


@transaction.atomic
def return_signoff(*, item_id: int, signoff_id: int, user: User, reason: str) -> SignOff:
    """The discipline office sends it back with a reason: the item is 整改中 again."""
    if not reason.strip():
        raise WorkflowError("退回销号申请须填写退回理由。")
    item = _locked_item(item_id)
    signoff = _locked_pending(SignOff, signoff_id, item_id)
    _fire(item, "send_back", user=user)
    _decide(signoff, user=user, decision=Decision.REJECTED, note=reason)
    _save_item(item, user=user, reason=f"销号申请被退回：{reason.strip()}", fields=["status", "return_count"])
    audit.record(
        Kind.SIGNOFF_RETURNED,
        user=user,
        obj=item,
        detail=f"{reason.strip()}{_self_note(signoff)}",
        changes={
            **_status_change(Status.PENDING_SIGNOFF, item),
            "退回次数": [str(item.return_count - 1), str(item.return_count)],
        },
    )
    events.signoff_decided(item, signoff, actor=user, approved=False)
    return signoff


@transaction.atomic
def designate_long_term(*, item_id: int, user: User, reason: str, next_review_on: datetime.date) -> RectificationItem:
    """The office finds an item basically done and to be kept up long term (长期坚持)."""
    if not reason.strip():
        raise WorkflowError("认定长期坚持须填写理由。")
    if next_review_on is None or next_review_on <= timezone.localdate():
        raise WorkflowError("认定长期坚持须确定晚于今天的下次复查日期。")
    item = _locked_item(item_id)
    old = item.status
    _fire(item, "designate_long_term", user=user, next_review_on=next_review_on)
    _save_item(item, user=user, reason=f"认定长期坚持：{reason.strip()}", fields=["status", "next_review_on"])
    audit.record(
        Kind.LONG_TERM_DESIGNATED,
        user=user,
        obj=item,
        detail=f"{reason.strip()}；下次复查 {chinese_date(next_review_on)}",
        changes=_status_change(old, item),
    )
    escalation.close_open(item, reason="认定长期坚持", today=timezone.localdate())
    return item


@transaction.atomic
def reopen_item(*, item_id: int, user: User, reason: str, deadline: datetime.date) -> RectificationItem:
    """回头看: a completed (or long-term) item is found not really fixed and goes back to 整改中,
    with a new deadline so that it is not red the moment it reopens."""
    if not reason.strip():
        raise WorkflowError("重新打开须填写理由。")
    if deadline is None or deadline <= timezone.localdate():
        raise WorkflowError("重新打开须确定晚于今天的新完成时限。")
    item = _locked_item(item_id)
    old, old_deadline = item.status, item.deadline
    _fire(item, "reopen", user=user, deadline=deadline)
    _save_item(
        item,
        user=user,
        reason=f"回头看，重新打开：{reason.strip()}",
        fields=["status", "completed_on", "next_review_on", "deadline"],
    )
    audit.record(
        Kind.ITEM_REOPENED,
        user=user,
        obj=item,
        detail=reason.strip(),
        changes={**_status_change(old, item), "完成时限": [_text(old_deadline), _text(deadline)]},
    )
    events.item_reopened(item, actor=user, reason=reason.strip())
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
    audit.record(
        Kind.EXTENSION_REQUESTED,
        user=user,
        obj=item,
        detail=reason.strip(),
        changes={"完成时限": [_text(item.deadline), _text(new_deadline)]},
    )
    events.extension_requested(item, extension, actor=user)
    return extension


@transaction.atomic
def decide_extension(*, item_id: int, extension_id: int, user: User, approve: bool, note: str = "") -> Extension:
    """Approving moves the deadline and keeps the first original one; refusing needs a reason."""
    if not approve and not note.strip():
        raise WorkflowError("不予批准延期须填写理由。")
    item = _locked_item(item_id)
    extension = _locked_pending(Extension, extension_id, item_id)
    _decide(extension, user=user, decision=Decision.APPROVED if approve else Decision.REJECTED, note=note)
    old_deadline = item.deadline
    if approve:
        _apply_deadline(item, user=user, deadline=extension.requested_deadline)
    audit.record(
        Kind.EXTENSION_DECIDED,
        user=user,
        obj=item,
        detail=("批准" if approve else "不予批准")
        + (f"：{note.strip()}" if note.strip() else "")
        + _self_note(extension),
        changes={"完成时限": [_text(old_deadline), _text(item.deadline)]} if approve else {},
    )
    events.extension_decided(item, extension, actor=user, approved=approve)
    return extension


def _apply_deadline(item: RectificationItem, *, user: User, deadline: datetime.date) -> None:
    if item.original_deadline is None:
        item.original_deadline = item.deadline
    item.deadline = deadline
    _save_item(item, user=user, reason=f"延期至{chinese_date(deadline)}", fields=["deadline", "original_deadline"])
    escalation.close_open(item, reason=f"完成时限延至{chinese_date(deadline)}", today=timezone.localdate())


def _move_deadline(item: RectificationItem, *, user: User, deadline: datetime.date | None, reason: str) -> None:
    """The office moves a deadline itself: recorded as an approved extension of origin 纪工委决定
    (the original deadline kept). Setting a first deadline is not an extension."""
    if deadline is None:
        raise WorkflowError("已确定的完成时限不能清空；如需调整，请填写新的完成时限。")
    if item.deadline is None:
        item.deadline = deadline
        _save_item(item, user=user, reason=reason, fields=["deadline"])
        return
    if item.extensions.filter(decision=Decision.PENDING).exists():
        raise WorkflowError(f"第{item.number}项有待审核的延期申请，请先审核该申请。")
    now = timezone.now()
    extension = Extension(
        item=item,
        origin=Origin.OFFICE,
        previous_deadline=item.deadline,
        requested_deadline=deadline,
        reason=reason,
        requested_by=user,
        requested_at=now,
        decision=Decision.APPROVED,
        reviewed_by=user,
        reviewed_at=now,
    )
    extension._history_user = user
    extension.save()
    _apply_deadline(item, user=user, deadline=deadline)


# --- Bulk transitions ---------------------------------------------------------------------------


class BulkAction:
    APPROVE = "approve"
    RETURN = "return"
    DEADLINE = "deadline"
    DEPARTMENT = "lead_department"
    LEADERS = "leaders"


def _locked_items(item_ids: Sequence[int]) -> list[RectificationItem]:
    if not item_ids:
        raise WorkflowError("请至少选择一个整改事项。")
    items = list(
        RectificationItem.objects.select_for_update(of=("self", "inspection"))
        .filter(pk__in=item_ids)
        .select_related("inspection__unit")
        .order_by("pk")
    )
    if len(items) != len(set(item_ids)):
        raise WorkflowError("所选整改事项中有的已不存在，请刷新页面后重试。")
    return items


def _pending_signoff(item: RectificationItem) -> SignOff:
    signoff = item.signoffs.select_for_update().filter(decision=Decision.PENDING).first()
    if signoff is None:
        raise WorkflowError(f"第{item.number}项没有待审核的销号申请。")
    return signoff


@transaction.atomic
def bulk_apply(
    *,
    item_ids: Sequence[int],
    user: User,
    action: str,
    reason: str = "",
    deadline: datetime.date | None = None,
    lead_department: Department | None = None,
    leaders: Sequence[Leader] = (),
    append: bool = False,
) -> int:
    """One decision on many items: all of them or, on any refusal, none (the message names the item).
    Each item's change is the same service step a single item takes, so the same checks hold."""
    items = _locked_items(item_ids)
    numbers = "、".join(str(item.number) for item in items)
    try:
        for item in items:
            if not user.has_perm("ledger.edit_item", item):
                raise WorkflowError(f"该事项属于{item.inspection.unit}，由该单位纪工委处理")
            _check_same_unit(item, departments=[lead_department] if lead_department else [], leaders=leaders)
            if action == BulkAction.APPROVE:
                approve_signoff(item_id=item.pk, signoff_id=_pending_signoff(item).pk, user=user)
            elif action == BulkAction.RETURN:
                return_signoff(item_id=item.pk, signoff_id=_pending_signoff(item).pk, user=user, reason=reason)
            elif action == BulkAction.DEADLINE:
                if not reason.strip():
                    raise WorkflowError("批量调整完成时限须填写理由。")
                _move_deadline(
                    _locked_item(item.pk), user=user, deadline=deadline, reason=f"批量调整完成时限：{reason.strip()}"
                )
            elif action == BulkAction.DEPARTMENT:
                if lead_department is None:
                    raise WorkflowError("请选择责任部门。")
                changed = item.lead_department_id != lead_department.pk
                item.lead_department = lead_department
                _save_item(item, user=user, reason="批量设置责任部门", fields=["lead_department"])
                if changed:
                    events.item_assigned(item, actor=user, department_changed=True)
            elif action == BulkAction.LEADERS:
                if not leaders:
                    raise WorkflowError("请至少选择一位责任领导。")
                before = set(item.leaders.values_list("pk", flat=True))
                if append:
                    item.leaders.add(*leaders)
                else:
                    item.leaders.set(leaders)
                _save_item(item, user=user, reason="批量追加责任领导" if append else "批量替换责任领导", fields=[])
                added = [leader for leader in leaders if leader.pk not in before]
                if added:
                    events.item_assigned(item, actor=user, department_changed=False, new_leaders=added)
            else:
                raise WorkflowError("未知的批量操作。")
    except WorkflowError as error:
        raise WorkflowError(f"第{item.number}项：{'；'.join(error.messages)}（全部未修改）") from None
    audit.record(
        Kind.BULK_ACTION,
        user=user,
        detail=f"{describe_bulk(action, reason=reason, deadline=deadline, lead_department=lead_department, leaders=leaders, append=append)}；事项 {numbers}",
    )
    return len(items)


def describe_bulk(
    action: str,
    *,
    reason: str = "",
    deadline: datetime.date | None = None,
    lead_department: Department | None = None,
    leaders: Sequence[Leader] = (),
    append: bool = False,
) -> str:
    """What a bulk action will do, in words: the confirmation page and the audit trail say the same."""
    if action == BulkAction.APPROVE:
        return "批准所选事项的待审核销号申请（完成日期为今天）"
    if action == BulkAction.RETURN:
        return f"退回所选事项的待审核销号申请，理由：{reason.strip()}"
    if action == BulkAction.DEADLINE:
        return f"将完成时限调整为{_text(deadline)}（记为纪工委批准的延期，保留原完成时限），理由：{reason.strip()}"
    if action == BulkAction.DEPARTMENT:
        return f"将责任部门设为「{lead_department}」"
    names = "、".join(str(leader) for leader in leaders)
    return f"{'追加' if append else '替换为'}责任领导「{names}」" + (
        "（保留原有责任领导）" if append else "（原有责任领导将被移除）"
    )


# --- Rounds ---------------------------------------------------------------------------------------


@transaction.atomic
def delete_inspection(*, inspection_id: int, user: User, typed_name: str) -> Inspection:
    """Soft delete: the round leaves every list and page but stays in the database, listed as
    deleted, with its items and history. The office confirms by typing the round's name."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection_id)
    if inspection.deleted_at is not None:
        raise WorkflowError("该巡视轮次已经删除。")
    if typed_name.strip() != inspection.name:
        raise WorkflowError("输入的名称与巡视轮次名称不一致，未删除。请完整输入巡视轮次名称以确认删除。")
    inspection.deleted_at = timezone.now()
    inspection.deleted_by = user
    inspection._history_user = user
    inspection._change_reason = "删除巡视轮次"
    inspection.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    audit.record(
        Kind.INSPECTION_DELETED,
        user=user,
        obj=inspection,
        detail=f"含整改事项 {inspection.items.count()} 项（软删除，数据保留）",
    )
    return inspection
