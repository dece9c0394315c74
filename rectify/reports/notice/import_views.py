"""Importing a published notice in the browser: upload → preview of the outline as understood →
confirm (one transaction, audited, withdrawable on the import records page) or cancel.

The file waits between preview and confirmation under a random key (``excel/uploads.py``, as the
ledger import does); it is removed on confirmation, on cancel, when it no longer parses, and after a day.
"""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent, Unit
from rectify.accounts.units import units_visible_to
from rectify.ledger.status import Status
from rectify.reports.excel import uploads

from .errors import NoticeFormatError
from .forms import NoticeImportForm
from .importer import import_notice, parse_notice_file

SESSION_KEY = "notice_import"


@permission_required("ledger.manage_ledger", raise_exception=True)
def notice_import(request):
    """Step 1: upload the notice; a file that cannot be read as a notice is refused and not kept."""
    units = units_visible_to(request.user)
    if request.method == "POST":
        form = NoticeImportForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            _forget_pending(request)
            upload = form.cleaned_data["file"]
            suffix = PurePath(upload.name).suffix.lower()
            chosen = form.cleaned_data.get("unit")
            request.session[SESSION_KEY] = {
                "key": uploads.store(upload, suffix=suffix),
                "suffix": suffix,
                "filename": upload.name,
                "unit": chosen.pk if chosen else None,
            }
            return redirect("reports:notice-import-preview")
    else:
        form = NoticeImportForm(units=units)
    return render(request, "reports/notice/import_form.html", {"form": form})


def _unit_of(request, pending: dict):
    """The unit the new round goes into: the one chosen, else the user's own unit when they are
    tied to one (a unit's office imports for its unit), else the one the notice names."""
    units = units_visible_to(request.user)
    if pending.get("unit"):
        return units.get(pk=pending["unit"])  # Unit.DoesNotExist: gone since the upload
    if request.user.unit_id:
        return units.filter(pk=request.user.unit_id).first()
    return None


@require_GET
@permission_required("ledger.manage_ledger", raise_exception=True)
def notice_import_preview(request):
    """Step 2: the problems, items, measures and statuses as they will be saved, and the stated totals."""
    pending = _pending(request)
    if pending is None:
        return redirect("reports:notice-import")
    parsed = _parse(request, pending)
    if parsed is None:
        return redirect("reports:notice-import")
    groups = [(problem, parsed.items_of(problem)) for problem in parsed.problems]
    context = {
        "pending": pending,
        "parsed": parsed,
        "groups": groups,
        "completed": parsed.count(Status.COMPLETED),
        "in_progress": parsed.count(Status.IN_PROGRESS),
        "ongoing": parsed.count(Status.ONGOING),
    }
    return render(request, "reports/notice/import_preview.html", context)


@require_POST
@permission_required("ledger.manage_ledger", raise_exception=True)
def notice_import_confirm(request):
    """Step 3: import for real (all or nothing), then show the new inspection's notice page."""
    pending = _pending(request)
    if pending is None or request.POST.get("key") != pending["key"]:
        messages.error(request, "该预览已失效（可能已在其他窗口导入或取消），请重新上传。")
        return redirect("reports:notice-import")
    parsed = _parse(request, pending)
    if parsed is None:
        return redirect("reports:notice-import")
    try:
        unit = _unit_of(request, pending)
    except Unit.DoesNotExist:
        _forget_pending(request)
        messages.error(request, "所选单位已不存在，请重新上传。")
        return redirect("reports:notice-import")
    try:
        result = import_notice(parsed=parsed, unit=unit, user=request.user, file_name=pending["filename"])
    except NoticeFormatError as error:
        _forget_pending(request)
        messages.error(request, f"无法导入 {pending['filename']}：{error}")
        return redirect("reports:notice-import")
    _forget_pending(request)
    outcome = (
        f"已导入巡视轮次「{result.inspection}」：反馈问题 {result.problems} 个，整改事项 {result.items} 项"
        f"（已完成 {result.completed} 项），整改措施 {result.measures} 条。"
    )
    audit.record(
        AuditEvent.Kind.IMPORT, request=request, obj=result.record, detail=f"通报 {pending['filename']}：{outcome}"
    )
    messages.success(request, f"{outcome}如导入有误，可在“导入记录”中撤销本次导入。")
    return redirect(reverse("reports:notice-detail", args=[result.inspection.pk]))


@require_POST
@permission_required("ledger.manage_ledger", raise_exception=True)
def notice_import_cancel(request):
    _forget_pending(request)
    messages.info(request, "已取消导入，上传的文件已删除。")
    return redirect("reports:notice-import")


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or uploads.path_for(pending.get("key"), suffix=pending.get("suffix")) is None:
        if pending is not None:
            request.session.pop(SESSION_KEY, None)
            messages.error(request, "上传的文件已不存在（可能已过期），请重新上传。")
        return None
    return pending


def _parse(request, pending: dict):
    """The stored notice, parsed; None (the file discarded, the reason shown) if it no longer reads."""
    path = uploads.path_for(pending["key"], suffix=pending["suffix"])
    try:
        return parse_notice_file(data=path.read_bytes(), filename=pending["filename"])
    except NoticeFormatError as error:
        _forget_pending(request)
        messages.error(request, f"无法导入 {pending['filename']}：{error}")
        return None


def _forget_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        uploads.discard(pending.get("key"), suffix=pending.get("suffix"))
