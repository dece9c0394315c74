"""The notice pages: the draft's preview and .docx download, and the outcome records it reports."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.ledger.models import Inspection
from rectify.ledger.selectors import inspections_in_scope

from . import selectors
from .docx import render_docx
from .draft import build_notice_draft
from .forms import RECORD_KINDS, AsOfForm, RecordKind

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _get_inspection_for_user(user, inspection_id: int, *, manage: bool = False) -> Inspection:
    """The inspection, if the user may read its notice (or, with ``manage``, edit its records); else 403/404."""
    if not user.has_perm("ledger.manage_ledger" if manage else "ledger.read_notice_drafts"):
        raise PermissionDenied("您无权查看或修改整改通报。")
    inspection = get_object_or_404(inspections_in_scope(user).select_related("unit"), pk=inspection_id)
    if manage and not user.has_perm("ledger.manage_round", inspection):
        raise PermissionDenied("该轮次的成效记录由其所属单位的纪工委维护。")
    return inspection


def _record_kind(slug: str) -> RecordKind:
    try:
        return RECORD_KINDS[slug]
    except KeyError:
        raise Http404("没有这种成效记录。") from None


def _notice_url(inspection: Inspection, anchor: str = "") -> str:
    url = reverse("reports:notice-detail", args=[inspection.pk])
    return f"{url}#{anchor}" if anchor else url


def notice_index(request):
    if not request.user.has_perm("ledger.read_notice_drafts"):
        raise PermissionDenied("您无权查看整改通报。")
    context = {
        "inspections": selectors.inspections_for_notices(request.user),
        "can_import": request.user.has_perm("ledger.manage_ledger"),
    }
    return render(request, "reports/notice/index.html", context)


def notice_detail(request, inspection_id: int):
    inspection = _get_inspection_for_user(request.user, inspection_id)
    as_of_form = AsOfForm(request.GET or None)
    as_of = timezone.localdate()
    if as_of_form.is_valid() and as_of_form.cleaned_data["as_of"]:
        as_of = as_of_form.cleaned_data["as_of"]
    context = {
        "inspection": inspection,
        "as_of_form": as_of_form,
        "draft": build_notice_draft(inspection=inspection, as_of=as_of),
        "records": selectors.outcome_records(inspection),
        "record_kinds": RECORD_KINDS,
        "can_manage": request.user.has_perm("ledger.manage_ledger"),
    }
    return render(request, "reports/notice/detail.html", context)


def notice_docx(request, inspection_id: int):
    inspection = _get_inspection_for_user(request.user, inspection_id)
    as_of_form = AsOfForm(request.GET)
    if not as_of_form.is_valid():
        return HttpResponseBadRequest(
            "截至日期格式不正确，应为 YYYY-MM-DD。".encode(), content_type="text/plain; charset=utf-8"
        )
    draft = build_notice_draft(inspection=inspection, as_of=as_of_form.cleaned_data["as_of"] or timezone.localdate())
    audit.record(
        AuditEvent.Kind.EXPORT, request=request, detail=f"整改通报：{inspection}（{draft.filename_stem}.docx）"
    )
    return FileResponse(
        io.BytesIO(render_docx(draft)),
        as_attachment=True,
        filename=f"{draft.filename_stem}.docx",
        content_type=DOCX_CONTENT_TYPE,
    )


def record_create(request, inspection_id: int, kind: str):
    inspection = _get_inspection_for_user(request.user, inspection_id, manage=True)
    record_kind = _record_kind(kind)
    form = record_kind.form_class(request.POST or None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        messages.success(request, f"已添加{record_kind.label}：{record}。")
        return redirect(_notice_url(inspection, f"records-{kind}"))
    return render(request, "reports/notice/record_form.html", _form_context(inspection, record_kind, form))


def record_update(request, inspection_id: int, kind: str, pk: int):
    inspection = _get_inspection_for_user(request.user, inspection_id, manage=True)
    record_kind = _record_kind(kind)
    record = get_object_or_404(record_kind.model, pk=pk, inspection=inspection)
    form = record_kind.form_class(request.POST or None, instance=record, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        messages.success(request, f"已保存{record_kind.label}：{record}。")
        return redirect(_notice_url(inspection, f"records-{kind}"))
    return render(request, "reports/notice/record_form.html", _form_context(inspection, record_kind, form))


def record_delete(request, inspection_id: int, kind: str, pk: int):
    inspection = _get_inspection_for_user(request.user, inspection_id, manage=True)
    record_kind = _record_kind(kind)
    record = get_object_or_404(record_kind.model, pk=pk, inspection=inspection)
    if request.method == "POST":
        record.delete()
        messages.success(request, f"已删除{record_kind.label}：{record}。")
        return redirect(_notice_url(inspection, f"records-{kind}"))
    context = {"inspection": inspection, "record_kind": record_kind, "record": record}
    return render(request, "reports/notice/record_confirm_delete.html", context)


def _form_context(inspection: Inspection, record_kind: RecordKind, form) -> dict:
    return {"inspection": inspection, "record_kind": record_kind, "form": form}
