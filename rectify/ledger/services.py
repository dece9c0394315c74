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
from django.db.models import Max
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent, Department, Leader, Unit, User
from rectify.accounts.services import unit_for_round
from rectify.chinese import chinese_date

from . import escalation, events
from .models import (
    Decision,
    Evidence,
    Extension,
    FeedbackProblem,
    Inspection,
    Measure,
    Origin,
    ProgressUpdate,
    RectificationItem,
    SignOff,
)
from .numbering import item_numbers
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


# What the office writes on a round (its unit is chosen when it is created, and stays).
ROUND_FIELDS = (
    "name",
    "kind",
    "deploying_body",
    "inspecting_body",
    "inspected_unit",
    "responsible_unit",
    "onsite_start",
    "onsite_end",
    "feedback_date",
    "concentrated_period_end",
    "plan_title",
    "planned_problem_count",
    "planned_item_count",
    "planned_regulation_count",
)


@transaction.atomic
def create_inspection(*, user: User, fields: dict, unit: Unit | None = None) -> Inspection:
    """The office opens a new round (巡视轮次) of ``unit`` (None: the installation's only unit)
    with its plan's declared counts; its problems and items are added on the round's page."""
    refused = set(fields) - set(ROUND_FIELDS)
    if refused:
        raise WorkflowError("新建巡视轮次时只能填写其基本信息和方案数字。")
    unit = unit_for_round(chosen=unit, names=(fields.get("responsible_unit", ""), fields.get("inspected_unit", "")))
    fields = {**fields, "unit": unit}
    inspection = Inspection(**fields)
    _check_round(inspection)
    inspection._history_user = user
    inspection._change_reason = "新建巡视轮次"
    inspection.save()
    audit.record(
        Kind.INSPECTION_CREATED, user=user, obj=inspection, detail=f"{inspection.get_kind_display()}：{inspection.name}"
    )
    return inspection


@transaction.atomic
def update_inspection(*, inspection_id: int, user: User, changes: dict) -> Inspection:
    """The office corrects a round's particulars (the items' deadlines stay as they are)."""
    refused = set(changes) - set(ROUND_FIELDS)
    if refused:
        raise WorkflowError("只能修改巡视轮次的基本信息和方案数字。")
    inspection = _locked_round(inspection_id)
    before = _describe_round(inspection)
    for name, value in changes.items():
        setattr(inspection, name, value)
    _check_round(inspection)
    after = _describe_round(inspection)
    changed = {label: [before[label], after[label]] for label in before if before[label] != after[label]}
    if not changed:
        return inspection
    inspection._history_user = user
    inspection._change_reason = "修改巡视轮次"
    inspection.save()
    audit.record(Kind.LEDGER_EDITED, user=user, obj=inspection, detail=f"巡视轮次：{inspection.name}", changes=changed)
    return inspection


def _check_round(inspection: Inspection) -> None:
    """A round's name (unique among the rounds in use) and dates, or a refusal naming the field."""
    inspection.name = inspection.name.strip()
    if not inspection.name:
        raise WorkflowError("请填写巡视轮次的名称。")
    same_name = Inspection.objects.active().filter(unit=inspection.unit_id, name=inspection.name)
    if same_name.exclude(pk=inspection.pk).exists():
        raise WorkflowError(f"本单位已有名为「{inspection.name}」的巡视轮次，请换一个名称。")
    _check_round_dates(inspection)
    inspection.full_clean()


def _describe_round(inspection: Inspection) -> dict[str, str]:
    return {
        str(Inspection._meta.get_field(name).verbose_name): (
            inspection.get_kind_display() if name == "kind" else _text(getattr(inspection, name))
        )
        for name in ROUND_FIELDS
    }


def _check_round_dates(inspection: Inspection) -> None:
    """The round's dates in the order they happen: on site, then feedback, then the concentrated period."""
    start, end, feedback, period_end = (
        inspection.onsite_start,
        inspection.onsite_end,
        inspection.feedback_date,
        inspection.concentrated_period_end,
    )
    if start and end and end < start:
        raise WorkflowError("「结束日期」不能早于「进驻日期」。")
    if feedback and (end or start) and feedback < (end or start):
        raise WorkflowError(
            f"「反馈日期」不能早于巡视{'结束' if end else '进驻'}日期（{chinese_date(end or start)}）。"
        )
    if period_end and feedback and period_end < feedback:
        raise WorkflowError(f"「集中整改期截止日期」不能早于反馈日期（{chinese_date(feedback)}）。")


def _locked_round(inspection_id: int) -> Inspection:
    """The round, locked: every change to its numbering (problems, items) holds this lock, so two
    offices reordering at once queue rather than collide."""
    inspection = Inspection.objects.active().select_for_update().filter(pk=inspection_id).first()
    if inspection is None:
        raise WorkflowError("该巡视轮次不存在或已删除。")
    return inspection


def _place(model, targets: Sequence[tuple], field: str, save) -> list:
    """Give each row of ``targets`` ((row, value) pairs, every row of the scope) its value of
    ``field``. Rows that move go first to values above every current and wanted one (no history,
    no save), then to their place through ``save``: the unique constraint holds at every statement
    and the history shows only old → new. Returns the rows that moved."""
    moving = [(row, value) for row, value in targets if getattr(row, field) != value]
    if not moving:
        return []
    top = max(max(getattr(row, field), value) for row, value in targets)
    for offset, (row, _value) in enumerate(moving, start=1):
        model.objects.filter(pk=row.pk).update(**{field: top + offset})
    for row, value in moving:
        setattr(row, field, value)
        save(row)
    return [row for row, _value in moving]


def _save_plain(row, *, user: User, reason: str, fields: Sequence[str]) -> None:
    row._history_user = user
    row._change_reason = reason
    row.save(update_fields=list(fields))


def _round_layout(inspection: Inspection) -> list[tuple[FeedbackProblem, list[RectificationItem]]]:
    """The round's problems in order, each with its items in order (rows locked)."""
    problems = list(FeedbackProblem.objects.select_for_update().filter(inspection=inspection).order_by("sequence"))
    items = list(RectificationItem.objects.select_for_update().filter(inspection=inspection).order_by("number"))
    return [(problem, [item for item in items if item.problem_id == problem.pk]) for problem in problems]


def _apply_layout(layout, *, user: User, reason: str, reserve: tuple[FeedbackProblem, int] | None = None):
    """Number the round as ``layout`` orders it: problems （一）（二）…, items 1. 2. … straight
    through (numbering.py). ``reserve``: (problem, index) where a new item will stand; its number
    is left free and returned. Returns (moved problems, moved items, the reserved number)."""
    moved_problems = _place(
        FeedbackProblem,
        [(problem, sequence) for sequence, (problem, _items) in enumerate(layout, start=1)],
        "sequence",
        lambda problem: _save_plain(problem, user=user, reason=reason, fields=["sequence"]),
    )
    slot = object()
    groups = []
    for problem, items in layout:
        group = list(items)
        if reserve is not None and reserve[0].pk == problem.pk:
            group.insert(reserve[1], slot)
        groups.append(group)
    numbered = item_numbers(groups)
    reserved = next((number for row, number in numbered if row is slot), None)
    moved_items = _place(
        RectificationItem,
        [(item, number) for item, number in numbered if item is not slot],
        "number",
        lambda item: _save_item(item, user=user, reason=reason, fields=["number"]),
    )
    return moved_problems, moved_items, reserved


@transaction.atomic
def create_problem(*, inspection_id: int, user: User, title: str, description: str = "") -> FeedbackProblem:
    """A feedback problem added at the end of the round: the next （N）."""
    if not title.strip():
        raise WorkflowError("请填写反馈问题的「问题」（标题）。")
    inspection = _locked_round(inspection_id)
    sequence = (inspection.problems.aggregate(top=Max("sequence"))["top"] or 0) + 1
    problem = FeedbackProblem(
        inspection=inspection, sequence=sequence, title=title.strip(), description=description.strip()
    )
    problem.full_clean()
    problem._history_user = user
    problem._change_reason = "新建反馈问题"
    problem.save()
    audit.record(Kind.PROBLEM_CREATED, user=user, obj=problem, detail=f"{inspection}：{problem}")
    return problem


@transaction.atomic
def update_problem(*, problem_id: int, user: User, title: str, description: str = "") -> FeedbackProblem:
    if not title.strip():
        raise WorkflowError("请填写反馈问题的「问题」（标题）。")
    problem = FeedbackProblem.objects.select_for_update().get(pk=problem_id)
    before = {"问题": problem.title, "问题描述": problem.description}
    problem.title, problem.description = title.strip(), description.strip()
    problem.full_clean()
    after = {"问题": problem.title, "问题描述": problem.description}
    changed = {label: [before[label], after[label]] for label in before if before[label] != after[label]}
    if not changed:
        return problem
    _save_plain(problem, user=user, reason="修改反馈问题", fields=["title", "description"])
    audit.record(
        Kind.LEDGER_EDITED, user=user, obj=problem, detail=f"{problem.inspection}：{problem.label}", changes=changed
    )
    return problem


class Direction:
    UP = "up"
    DOWN = "down"


def _moved(rows: list, index: int, direction: str, *, first: str, last: str) -> list:
    """``rows`` with the one at ``index`` swapped with its neighbour, or a refusal at either end."""
    target = index - 1 if direction == Direction.UP else index + 1
    if direction not in (Direction.UP, Direction.DOWN):
        raise WorkflowError("未知的调整方向。")
    if target < 0:
        raise WorkflowError(first)
    if target >= len(rows):
        raise WorkflowError(last)
    rows = list(rows)
    rows[index], rows[target] = rows[target], rows[index]
    return rows


def _renumbered(moved_items: list[RectificationItem], before: dict[int, int]) -> str:
    if not moved_items:
        return ""
    moves = "、".join(f"{before[item.pk]}→{item.number}" for item in sorted(moved_items, key=lambda i: i.number))
    return f"；整改事项重新编号：{moves}"


@transaction.atomic
def move_problem(*, problem_id: int, user: User, direction: str) -> FeedbackProblem:
    """A problem one place up or down; the problems are renumbered （一）（二）… and the items
    1. 2. … follow the new order, all at once."""
    problem = FeedbackProblem.objects.get(pk=problem_id)
    inspection = _locked_round(problem.inspection_id)
    layout = _round_layout(inspection)
    index = next(i for i, (row, _items) in enumerate(layout) if row.pk == problem.pk)
    old_label = layout[index][0].label
    layout = _moved(
        layout,
        index,
        direction,
        first=f"{old_label}已是第一个反馈问题，不能上移。",
        last=f"{old_label}已是最后一个反馈问题，不能下移。",
    )
    before = {item.pk: item.number for _problem, items in layout for item in items}
    _moved_problems, moved_items, _ = _apply_layout(layout, user=user, reason="调整反馈问题顺序")
    problem = next(row for row, _items in layout if row.pk == problem.pk)
    audit.record(
        Kind.LEDGER_REORDERED,
        user=user,
        obj=problem,
        detail=f"{inspection}：反馈问题「{problem.title}」{old_label}→{problem.label}{_renumbered(moved_items, before)}",
        changes={"序号": [old_label, problem.label]},
    )
    return problem


@transaction.atomic
def move_item(*, item_id: int, user: User, direction: str) -> RectificationItem:
    """An item one place up or down within its problem; numbers stay 1. 2. … through the round."""
    item = RectificationItem.objects.get(pk=item_id)
    inspection = _locked_round(item.inspection_id)
    layout = _round_layout(inspection)
    position = next(i for i, (problem, _items) in enumerate(layout) if problem.pk == item.problem_id)
    problem, items = layout[position]
    index = next(i for i, row in enumerate(items) if row.pk == item.pk)
    old_number = items[index].number
    items = _moved(
        items,
        index,
        direction,
        first=f"第{old_number}项已是{problem.label}下的第一项，不能上移。",
        last=f"第{old_number}项已是{problem.label}下的最后一项，不能下移。",
    )
    layout[position] = (problem, items)
    before = {row.pk: row.number for _problem, rows in layout for row in rows}
    _moved_problems, moved_items, _ = _apply_layout(layout, user=user, reason="调整整改事项顺序")
    item = next(row for row in items if row.pk == item.pk)
    audit.record(
        Kind.LEDGER_REORDERED,
        user=user,
        obj=item,
        detail=f"{inspection}：{problem.label}下的整改事项「{item.title}」{_renumbered(moved_items, before).lstrip('；')}",
        changes={"序号": [str(old_number), str(item.number)]},
    )
    return item


def _check_choices(
    *, unit: Unit, leaders: Sequence[Leader], lead_department: Department | None, co_departments: Sequence[Department]
) -> None:
    """Only active leaders and departments of the round's unit take new items."""
    for leader in leaders:
        if not leader.is_active:
            raise WorkflowError(f"「责任领导」中的「{leader}」已停用，不能选择。")
        if leader.unit_id != unit.pk:
            raise WorkflowError(f"「责任领导」中的「{leader}」不属于本轮次的单位（{unit}），不能选择。")
    if lead_department is not None and not lead_department.is_active:
        raise WorkflowError(f"「责任部门」「{lead_department}」已停用，不能选择。")
    if lead_department is not None and lead_department.unit_id != unit.pk:
        raise WorkflowError(f"「责任部门」「{lead_department}」不属于本轮次的单位（{unit}），不能选择。")
    for department in co_departments:
        if not department.is_active:
            raise WorkflowError(f"「配合部门」中的「{department}」已停用，不能选择。")
        if department.unit_id != unit.pk:
            raise WorkflowError(f"「配合部门」中的「{department}」不属于本轮次的单位（{unit}），不能选择。")
    if lead_department is not None and any(d.pk == lead_department.pk for d in co_departments):
        raise WorkflowError("「责任部门」不能同时作为「配合部门」。")


def _clean_measures(texts: Sequence[str]) -> list[str]:
    """The measure texts as they will be stored, or a refusal naming the row (1. 2. … as the form numbers them)."""
    cleaned = [" ".join(text.split()) for text in texts]
    for row, text in enumerate(cleaned, start=1):
        if not text:
            raise WorkflowError(f"第{row}条整改措施没有填写内容；如不需要，请删除该行。")
    seen: dict[str, int] = {}
    for row, text in enumerate(cleaned, start=1):
        key = "".join(text.split())  # the same words, however spaced
        if key in seen:
            raise WorkflowError(f"第{row}条整改措施与第{seen[key]}条重复，请合并或删除其中一条。")
        seen[key] = row
    if not cleaned:
        raise WorkflowError("请至少填写一条整改措施。")
    return cleaned


ITEM_CREATION_FIELDS = {"title", "detail", "goal", "kind", "lead_department", "contact_person", "deadline", "note"}


@transaction.atomic
def create_item(
    *,
    problem_id: int,
    user: User,
    fields: dict,
    leaders: Sequence[Leader] = (),
    co_departments: Sequence[Department] = (),
    measures: Sequence[str],
) -> RectificationItem:
    """A new item at the end of its problem, 未启动, with its measures 一是、二是…; the items after
    it move down one number. Status and completion date are never set here: they follow the work."""
    refused = set(fields) - ITEM_CREATION_FIELDS
    if refused:
        raise WorkflowError("新建整改事项时不能填写完成状态、完成日期等由整改过程决定的内容。")
    title = (fields.get("title") or "").strip()
    if not title:
        raise WorkflowError("请填写「整改事项」（标题）。")
    texts = _clean_measures(measures)
    problem = FeedbackProblem.objects.get(pk=problem_id)
    inspection = _locked_round(problem.inspection_id)
    _check_choices(
        unit=inspection.unit,
        leaders=leaders,
        lead_department=fields.get("lead_department"),
        co_departments=co_departments,
    )
    deadline = fields.get("deadline")
    if deadline and inspection.feedback_date and deadline < inspection.feedback_date:
        raise WorkflowError(f"「完成时限」不能早于巡视反馈日期（{chinese_date(inspection.feedback_date)}）。")
    layout = _round_layout(inspection)
    problem = next(row for row, _items in layout if row.pk == problem.pk)
    size = len(next(items for row, items in layout if row.pk == problem.pk))
    _problems, _items, number = _apply_layout(
        layout, user=user, reason="新建整改事项，后续事项顺延", reserve=(problem, size)
    )
    item = RectificationItem(inspection=inspection, problem=problem, number=number, **{**fields, "title": title})
    item.full_clean(exclude=["version"])
    item._history_user = user
    item._change_reason = "新建整改事项"
    item.save()
    item.leaders.set(leaders)
    item.co_departments.set(co_departments)
    for sequence, text in enumerate(texts, start=1):
        measure = Measure(item=item, sequence=sequence, text=text)
        measure._history_user = user
        measure.save()
    audit.record(
        Kind.ITEM_CREATED,
        user=user,
        obj=item,
        detail=f"{inspection}：{problem.label}下新建第{item.number}项「{item.title}」，整改措施 {len(texts)} 条",
    )
    if item.lead_department_id or leaders:
        events.item_assigned(
            item, actor=user, department_changed=item.lead_department_id is not None, new_leaders=leaders
        )
    return item


@transaction.atomic
def set_measures(*, item_id: int, user: User, rows: Sequence[tuple[int | None, str]]) -> list[Measure]:
    """An item's measures as the office lists them, in order: (id of an existing measure or None
    for a new one, text). Measures left out are deleted; kept ones keep their done flag; all are
    renumbered 一是、二是…"""
    item = _locked_item(item_id)
    if item.status == Status.COMPLETED:
        raise WorkflowError("该事项已销号，整改措施不能再修改；如需继续整改，请先重新打开。")
    texts = _clean_measures([text for _pk, text in rows])
    existing = {measure.pk: measure for measure in item.measures.select_for_update().order_by("sequence")}
    ids = [pk for pk, _text in rows if pk is not None]
    if len(ids) != len(set(ids)) or not set(ids) <= set(existing):
        raise WorkflowError("整改措施已被他人修改，请刷新页面后重新填写。")
    before = [f"{measure.label}{measure.text}" for measure in existing.values()]
    for pk in set(existing) - set(ids):
        measure = existing.pop(pk)
        measure._history_user = user
        measure._change_reason = "删除整改措施"
        measure.delete()
    wanted = [
        (pk, sequence, text) for sequence, ((pk, _raw), text) in enumerate(zip(rows, texts, strict=True), start=1)
    ]
    # Kept measures that move wait above every number (saved below, with their text, in order).
    moved = _place(
        Measure,
        [(existing[pk], sequence) for pk, sequence, _text in wanted if pk is not None],
        "sequence",
        lambda measure: None,
    )
    result = []
    for pk, sequence, text in wanted:
        measure = existing[pk] if pk is not None else Measure(item=item, sequence=sequence)
        if pk is not None and measure.text == text and measure not in moved:
            result.append(measure)
            continue
        measure.text = text
        measure._history_user = user
        measure._change_reason = "修改整改措施"
        measure.save()
        result.append(measure)
    after = [f"{measure.label}{measure.text}" for measure in result]
    if before != after:
        audit.record(
            Kind.LEDGER_EDITED,
            user=user,
            obj=item,
            detail=f"{item.inspection}：第{item.number}项的整改措施",
            changes={"整改措施": ["\n".join(before), "\n".join(after)]},
        )
    return result
