"""The staff workspace: the item list, one item's page, and the actions on an item.

Views stay thin: they check access with ``_get_item_for_user``, validate a form, call one
service function, and redirect back with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent

from . import history, past_views, selectors, services, supervision_notice
from .filters import ItemFilter
from .forms import (
    ApproveForm,
    BulkActionForm,
    EvidenceForm,
    ExtensionDecisionForm,
    ExtensionForm,
    ItemEditForm,
    LongTermForm,
    ProgressForm,
    ReasonForm,
    ReopenForm,
    SignOffForm,
)
from .models import Measure, RectificationItem
from .tables import ItemTable

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _get_item_for_user(request, pk: int, permission: str | None = None) -> RectificationItem:
    """The item if the user may see it (else 404) and, if asked, act on it (else 403)."""
    item = selectors.get_item_for_user(request.user, pk)
    if permission and not request.user.has_perm(permission, item):
        raise PermissionDenied("您没有权限对该整改事项执行此操作。")
    return item


def _errors(error: ValidationError | dict) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return "；".join(str(message) for messages_ in error.values() for message in messages_)


@permission_required("ledger.view_ledger", raise_exception=True)
def item_list(request):
    if "as_of" in request.GET:
        return past_views.past_item_list(request)
    item_filter = ItemFilter(request.GET, queryset=selectors.item_list_queryset(request.user), request=request)
    table = ItemTable(item_filter.qs, selectable=request.user.has_perm("ledger.manage_ledger"))
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "ledger/item_list.html",
        {"filter": item_filter, "table": table, "bulk_form": BulkActionForm() if table.selectable else None},
    )


@permission_required("ledger.view_ledger", raise_exception=True)
def item_detail(request, pk: int):
    item = _get_item_for_user(request, pk)
    context = {
        "item": item,
        "today": timezone.localdate(),
        "opened_from": past_views.opened_from(request),
        "transitions": selectors.available_transitions(item, request.user),
        "measures": item.measures.all(),
        "progress_updates": item.progress_updates.select_related("author"),
        "evidence": item.evidence.select_related("uploaded_by"),
        "signoffs": item.signoffs.select_related("requested_by", "reviewed_by"),
        "extensions": item.extensions.select_related("requested_by", "reviewed_by"),
        "escalations": item.escalations.all(),
        "changes": history.item_changes(item),
        "progress_form": ProgressForm(),
        "evidence_form": EvidenceForm(),
        "signoff_form": SignOffForm(),
        "reason_form": ReasonForm(),
        "approve_form": ApproveForm(),
        "reopen_form": ReopenForm(),
        "long_term_form": LongTermForm(),
        "extension_form": ExtensionForm(),
        "extension_decision_form": ExtensionDecisionForm(),
    }
    return render(request, "ledger/item_detail.html", context)


@permission_required("ledger.view_ledger", raise_exception=True)
def item_edit(request, pk: int):
    item = _get_item_for_user(request, pk, "ledger.edit_item")
    form = ItemEditForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in {"version", "leaders", "co_departments"}
        }
        try:
            services.update_item(
                item_id=item.pk,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                changes=changes,
                leaders=form.cleaned_data["leaders"],
                co_departments=form.cleaned_data["co_departments"],
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, "整改事项已保存。")
            return redirect(item)
    return render(request, "ledger/item_edit.html", {"item": item, "form": form})


def _act(request, item: RectificationItem, action, success: str):
    """Run one service call; report its outcome on the item's page."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, success)
    return redirect(item)


def _form_action(request, pk: int, permission: str, form_class, action, success: str, *, owned=None):
    """The shape of every action on an item: access (404/403), the record it decides on if any
    (``owned(item)``: 404 unless it is this item's), the form, one service call
    ``action(item, cleaned_data)``, and back to the item's page with the outcome."""
    item = _get_item_for_user(request, pk, permission)
    if owned is not None:
        owned(item)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _errors(form.errors))
        return redirect(item)
    return _act(request, item, lambda: action(item, form.cleaned_data), success)


@require_POST
def add_progress(request, pk: int):
    return _form_action(
        request,
        pk,
        "ledger.work_on_item",
        ProgressForm,
        lambda item, data: services.add_progress(
            item_id=item.pk, user=request.user, text=data["text"], reported_on=data["reported_on"], files=data["files"]
        ),
        "进展已报告。",
    )


@require_POST
def add_evidence(request, pk: int):
    return _form_action(
        request,
        pk,
        "ledger.work_on_item",
        EvidenceForm,
        lambda item, data: services.add_evidence(
            item_id=item.pk, user=request.user, upload=data["file"], title=data["title"]
        ),
        "佐证材料已上传。",
    )


# Types a browser shows itself; the type was read from the content when the file was uploaded.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def download_evidence(request, pk: int, evidence_pk: int, inline: bool = False):
    """The file, behind the item's read permission: as a download, or (PDF and images) shown in
    the browser."""
    item = _get_item_for_user(request, pk)
    evidence = get_object_or_404(item.evidence, pk=evidence_pk)
    inline = inline and evidence.content_type in INLINE_TYPES
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    audit.record(
        AuditEvent.Kind.EVIDENCE_DOWNLOAD,
        request=request,
        obj=evidence,
        detail=f"{item.number}. {evidence.original_name}（{'在线查看' if inline else '下载'}）",
    )
    response = FileResponse(handle, as_attachment=not inline, filename=evidence.original_name)
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


def supervision_notice_docx(request, pk: int, escalation_pk: int):
    """The 督办通知单 of a 督办 step, rendered from its record."""
    item = _get_item_for_user(request, pk)
    step = get_object_or_404(
        item.escalations.select_related("item__inspection", "item__lead_department"), pk=escalation_pk
    )
    if not step.notice_number:
        raise Http404("该督办记录没有督办通知单。")
    response = HttpResponse(supervision_notice.render(step), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, supervision_notice.filename(step))
    return response


@require_POST
def toggle_measure(request, pk: int, measure_pk: int):
    item = _get_item_for_user(request, pk, "ledger.work_on_item")
    measure = get_object_or_404(Measure, pk=measure_pk, item=item)
    done = not measure.is_done
    return _act(
        request,
        item,
        lambda: services.set_measure_done(measure_id=measure.pk, user=request.user, done=done),
        f"已将{measure.label}措施标记为{'已完成' if done else '未完成'}。",
    )


@require_POST
def submit_signoff(request, pk: int):
    return _form_action(
        request,
        pk,
        "ledger.work_on_item",
        SignOffForm,
        lambda item, data: services.submit_signoff(item_id=item.pk, user=request.user, note=data["note"]),
        "已申请销号，等待纪工委审核。",
    )


@require_POST
def start_item(request, pk: int):
    item = _get_item_for_user(request, pk, "ledger.review_item")
    return _act(request, item, lambda: services.start_item(item_id=item.pk, user=request.user), "已开始整改。")


@require_POST
def approve_signoff(request, pk: int, signoff_pk: int):
    return _form_action(
        request,
        pk,
        "ledger.review_item",
        ApproveForm,
        lambda item, data: services.approve_signoff(
            item_id=item.pk,
            signoff_id=signoff_pk,
            user=request.user,
            completed_on=data["completed_on"],
            note=data["note"],
        ),
        "已批准销号，该事项已完成。",
        owned=lambda item: get_object_or_404(item.signoffs, pk=signoff_pk),
    )


@require_POST
def return_signoff(request, pk: int, signoff_pk: int):
    return _form_action(
        request,
        pk,
        "ledger.review_item",
        ReasonForm,
        lambda item, data: services.return_signoff(
            item_id=item.pk, signoff_id=signoff_pk, user=request.user, reason=data["reason"]
        ),
        "已退回销号申请。",
        owned=lambda item: get_object_or_404(item.signoffs, pk=signoff_pk),
    )


@require_POST
def reopen_item(request, pk: int):
    return _form_action(
        request,
        pk,
        "ledger.reopen_item",
        ReopenForm,
        lambda item, data: services.reopen_item(
            item_id=item.pk, user=request.user, reason=data["reason"], deadline=data["deadline"]
        ),
        "已重新打开该事项（回头看）。",
    )


@require_POST
def designate_long_term(request, pk: int):
    return _form_action(
        request,
        pk,
        "ledger.review_item",
        LongTermForm,
        lambda item, data: services.designate_long_term(
            item_id=item.pk, user=request.user, reason=data["reason"], next_review_on=data["next_review_on"]
        ),
        "已认定为长期坚持。",
    )


@require_POST
def request_extension(request, pk: int):
    return _form_action(
        request,
        pk,
        "ledger.work_on_item",
        ExtensionForm,
        lambda item, data: services.request_extension(
            item_id=item.pk, user=request.user, new_deadline=data["new_deadline"], reason=data["reason"]
        ),
        "已申请延期，等待纪工委审核。",
    )


@require_POST
def decide_extension(request, pk: int, extension_pk: int):
    approve = request.POST.get("decision") == "approve"
    return _form_action(
        request,
        pk,
        "ledger.review_item",
        ExtensionDecisionForm,
        lambda item, data: services.decide_extension(
            item_id=item.pk,
            extension_id=extension_pk,
            user=request.user,
            approve=data["decision"] == "approve",
            note=data["note"],
        ),
        "已批准延期。" if approve else "已不予批准延期。",
        owned=lambda item: get_object_or_404(item.extensions, pk=extension_pk),
    )


@permission_required("ledger.manage_ledger", raise_exception=True)
@require_POST
def bulk_action(request):
    """Two steps: the list posts the selection and the change; this page asks to confirm it."""
    form = BulkActionForm(request.POST)
    form.fields["items"].queryset = selectors.items_visible_to(request.user)  # never another unit's
    if not form.is_valid():
        messages.error(request, _errors(form.errors))
        return redirect("ledger:item-list")
    items = form.cleaned_data["items"].select_related("lead_department").order_by("inspection_id", "number")
    arguments = form.arguments()
    if request.POST.get("confirm") != "yes":
        hidden = [(name, value) for name, values in request.POST.lists() for value in values]
        hidden = [(name, value) for name, value in hidden if name not in {"csrfmiddlewaretoken", "confirm"}]
        context = {"items": items, "description": services.describe_bulk(**arguments), "hidden": hidden}
        return render(request, "ledger/bulk_confirm.html", context)
    try:
        count = services.bulk_apply(item_ids=[item.pk for item in items], user=request.user, **arguments)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, f"已对 {count} 个整改事项执行批量操作。")
    return redirect("ledger:item-list")


# --- Rounds ---------------------------------------------------------------------------------------


@permission_required("ledger.manage_ledger", raise_exception=True)
def inspection_list(request):
    return render(request, "ledger/inspection_list.html", {"inspections": selectors.inspection_rows(request.user)})


@permission_required("ledger.manage_ledger", raise_exception=True)
def inspection_delete(request, pk: int):
    """Deleting a round: the office types its name to confirm (soft delete, audited)."""
    inspection = get_object_or_404(selectors.inspections_in_scope(request.user).select_related("unit"), pk=pk)
    if not request.user.has_perm("ledger.manage_round", inspection):
        raise PermissionDenied("该轮次由其所属单位的纪工委管理，巡察办不能删除。")
    if request.method == "POST":
        try:
            services.delete_inspection(
                inspection_id=inspection.pk, user=request.user, typed_name=request.POST.get("name", "")
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, f"已删除巡视轮次「{inspection.name}」。其数据仍保留，并在轮次列表中标为已删除。")
            return redirect("ledger:inspection-list")
    context = {"inspection": inspection, "item_count": inspection.items.count()}
    return render(request, "ledger/inspection_confirm_delete.html", context)
