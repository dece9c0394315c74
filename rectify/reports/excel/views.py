"""Excel downloads (the monthly ledger, the filtered item list) and the ledger import pages."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.accounts.units import units_visible_to
from rectify.chinese import chinese_date
from rectify.ledger import selectors
from rectify.ledger.asof import live_states
from rectify.ledger.filters import ItemFilter
from rectify.ledger.models import Inspection
from rectify.ledger.tables import listed_order

from . import uploads
from .errors import listed_errors
from .export import Heading, inspection_heading, item_list_ledger, monthly_ledger, rounds_ledger, workbook_bytes
from .forms import LedgerExportForm, LedgerImportForm, UnitExportForm
from .importer import LedgerImportError, import_ledger
from .options import ExportOptionError, resolve_as_of, resolve_inspection, resolve_unit
from .planning import CREATE, UNCHANGED, UPDATE
from .selectors import round_named_by, rounds_of_units
from .workbook import ACCEPTED_SUFFIXES

PREVIEW_ROWS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(workbook, filename: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _require_whole_ledger(user) -> None:
    """The whole-inspection ledger is for the discipline office and leaders; a liaison exports
    the items they may see from the item list instead."""
    if not selectors.sees_whole_ledger(user):
        raise PermissionDenied("您只能导出本部门可见的整改事项：请在“整改事项”列表中筛选后点击“导出Excel”。")


@require_GET
@permission_required("ledger.view_ledger", raise_exception=True)
def ledger_export(request):
    """A form to pick the inspection and the as-of day; it downloads from ``ledger_xlsx``. A user
    with several units may also download a unit's ledger (one installation of one unit: no choice)."""
    _require_whole_ledger(request.user)
    today = timezone.localdate()
    form = LedgerExportForm(initial={"as_of": today}, rounds=selectors.inspections_in_scope(request.user))
    units = units_visible_to(request.user)
    unit_form = UnitExportForm(initial={"as_of": today}, units=units) if units[1:2].exists() else None
    return render(request, "reports/excel/export_form.html", {"form": form, "unit_form": unit_form})


@require_GET
@permission_required("ledger.view_ledger", raise_exception=True)
def ledger_xlsx(request):
    """/reports/ledger.xlsx?inspection=<id>&as_of=YYYY-MM-DD (or month=YYYY-MM); ?unit=<id> (or
    unit=all) for a unit's ledger, the units below it included (several: one workbook)."""
    _require_whole_ledger(request.user)
    try:
        as_of = resolve_as_of(
            as_of=request.GET.get("as_of"), month=request.GET.get("month"), today=timezone.localdate()
        )
        if request.GET.get("unit"):
            return _units_xlsx(request, as_of)
        inspection = resolve_inspection(
            request.GET.get("inspection"), rounds=selectors.inspections_in_scope(request.user)
        )
    except ExportOptionError as error:
        context = {"error": str(error), "inspections": error.inspections, "as_of": request.GET.get("as_of", "")}
        return render(request, "reports/excel/export_error.html", context, status=400)
    filename = f"{inspection.inspected_unit}整改台账_截至{as_of:%Y%m%d}.xlsx"
    response = _xlsx_response(monthly_ledger(inspection, as_of), filename)
    audit.record(AuditEvent.Kind.EXPORT, request=request, detail=f"月度台账：{inspection}，截至{chinese_date(as_of)}")
    return response


def _units_xlsx(request, as_of):
    """The ledger of the unit ``?unit=`` names (404 outside the user's units) and the units below it."""
    scope = resolve_unit(request.GET["unit"], units=units_visible_to(request.user))
    rounds = rounds_of_units(selectors.inspections_in_scope(request.user), scope)
    if not rounds:
        raise ExportOptionError(f"{scope.name if scope else '所选单位'}没有巡视轮次，无法导出台账。")
    name = scope.label if scope is not None else "各单位"
    response = _xlsx_response(rounds_ledger(rounds, as_of, scope=scope), f"{name}整改台账_截至{as_of:%Y%m%d}.xlsx")
    audit.record(
        AuditEvent.Kind.EXPORT,
        request=request,
        detail=f"月度台账：{name}（{len(rounds)} 个巡视轮次），截至{chinese_date(as_of)}",
    )
    return response


@require_GET
@permission_required("ledger.view_ledger", raise_exception=True)
def items_xlsx(request):
    """Exactly the rows the item list shows for this user and these filters (/items/?…), in the
    list's order (its ``sort``), every page."""
    item_filter = ItemFilter(request.GET, queryset=selectors.item_list_queryset(request.user), request=request)
    items = listed_order(request, item_filter.qs)
    today = timezone.localdate()
    heading = _list_heading(item_filter, items, today)
    states = live_states(items, today)
    response = _xlsx_response(item_list_ledger(heading, states), f"整改事项_{today:%Y%m%d}.xlsx")
    audit.record(AuditEvent.Kind.EXPORT, request=request, detail=f"整改事项清单：{len(states)} 项")
    return response


def _list_heading(item_filter: ItemFilter, items, today) -> Heading:
    """The inspection's heading when the rows come from one inspection (two queries at most)."""
    filtered = any(value for key, value in item_filter.data.items() if key not in ("page", "sort"))
    inspection_ids = list(items.order_by().values_list("inspection_id", flat=True).distinct()[:2])
    if len(inspection_ids) == 1:
        heading = inspection_heading(Inspection.objects.get(pk=inspection_ids[0]), today)
    else:
        heading = Heading(title="巡视整改事项台账", reporting_unit="", as_of=today)
    if filtered:
        heading = Heading(title=f"{heading.title}（筛选结果）", reporting_unit=heading.reporting_unit, as_of=today)
    return heading


# --- import ---------------------------------------------------------------------------------


def _rounds_to_import_into(user):
    """The rounds of the user's units (an import updates a round for its unit, the supervising
    office included)."""
    return selectors.inspections_in_scope(user).select_related("unit")


def _import_form(request, *args) -> LedgerImportForm:
    return LedgerImportForm(
        *args,
        rounds=_rounds_to_import_into(request.user),
        units=units_visible_to(request.user),
        unit_required=bool(request.user.scope_path),
    )


@permission_required("ledger.manage_ledger", raise_exception=True)
def ledger_import(request):
    """Step 1: upload the workbook and say where it goes (and, where the user has several units,
    into which unit)."""
    if request.method == "POST":
        form = _import_form(request, request.POST, request.FILES)
        if form.is_valid():
            _forget_pending(request)
            inspection = form.cleaned_data["inspection"]
            suffix = _stored_suffix(form.cleaned_data["file"].name)
            request.session[uploads.SESSION_KEY] = {
                "key": uploads.store(form.cleaned_data["file"], suffix=suffix),
                "suffix": suffix,
                "inspection": inspection.pk if inspection else None,
                "title": form.cleaned_data["title"].strip() if not inspection else "",
                "unit": unit.pk if (unit := form.cleaned_data.get("unit")) else None,
                "filename": form.cleaned_data["file"].name,
            }
            return redirect("reports:ledger-import-preview")
    else:
        form = _import_form(request)
    return render(request, "reports/excel/import_form.html", {"form": form})


@require_GET
@permission_required("ledger.manage_ledger", raise_exception=True)
def ledger_import_preview(request):
    """Step 2: every row as it will be saved, with its errors (a dry run)."""
    pending = _pending(request)
    if pending is None:
        return redirect("reports:ledger-import")
    if "failed" in pending:
        return _failed_preview(request, pending)
    plan, errors = _run(request, pending, dry_run=True)
    if errors:
        _fail(request, pending, errors)
    elif plan is not None:
        # What the preview showed: the import refuses if any of these items is saved before it.
        pending["versions"] = {str(row.number): row.existing.item.version for row in plan.rows if row.existing}
        request.session[uploads.SESSION_KEY] = pending
    return _preview(request, pending, plan, errors)


@require_POST
@permission_required("ledger.manage_ledger", raise_exception=True)
def ledger_import_confirm(request):
    """Step 3: import for real (all or nothing), then show the imported items."""
    pending = _pending(request)
    if pending is None or request.POST.get("key") != pending["key"]:
        messages.error(request, "该预览已失效（可能已在其他窗口导入或取消），请重新上传。")
        return redirect("reports:ledger-import")
    if "failed" in pending:
        return _failed_preview(request, pending)
    plan, errors = _run(request, pending, dry_run=False)
    if errors:
        _fail(request, pending, errors)
        return _preview(request, pending, plan, errors)
    _forget_pending(request)
    outcome = (
        f"已导入到「{plan.inspection.name}」：新增 {plan.count(CREATE)} 项，更新 {plan.count(UPDATE)} 项，"
        f"无变化 {plan.count(UNCHANGED)} 项。"
    )
    audit.record(
        AuditEvent.Kind.IMPORT, request=request, obj=plan.record, detail=f"台账 {pending['filename']}：{outcome}"
    )
    messages.success(request, f"{outcome}如导入有误，可在“导入记录”中撤销本次导入。")
    return redirect(f"{reverse('ledger:item-list')}?inspection={plan.inspection.pk}")


@require_POST
@permission_required("ledger.manage_ledger", raise_exception=True)
def ledger_import_target(request):
    """From the preview of a new round: import the same upload into the existing round the file's
    title names instead (offered first on the preview), then preview again."""
    pending = _pending(request)
    if pending is None or request.POST.get("key") != pending["key"] or "failed" in pending:
        messages.error(request, "该预览已失效（可能已在其他窗口导入或取消），请重新上传。")
        return redirect("reports:ledger-import")
    rounds = _rounds_to_import_into(request.user)
    inspection = rounds.filter(pk=_int_or_none(request.POST.get("inspection"))).first()
    if inspection is None:
        messages.error(request, "所选巡视轮次不存在或已删除，仍按原选择预览。")
        return redirect("reports:ledger-import-preview")
    pending.update(inspection=inspection.pk, title="", unit=None)  # the round's unit, then
    pending.pop("versions", None)
    request.session[uploads.SESSION_KEY] = pending
    messages.info(request, f"已改为导入到已有巡视轮次「{inspection.name}」：序号相同的整改事项将被更新，其余新增。")
    return redirect("reports:ledger-import-preview")


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@permission_required("ledger.manage_ledger", raise_exception=True)
def ledger_import_cancel(request):
    _forget_pending(request)
    messages.info(request, "已取消导入，上传的文件已删除。")
    return redirect("reports:ledger-import")


def _pending(request) -> dict | None:
    """The upload waiting for confirmation; a failed one has no file any more, only its errors."""
    pending = request.session.get(uploads.SESSION_KEY)
    if isinstance(pending, dict) and "failed" in pending:
        return pending
    if not isinstance(pending, dict) or uploads.path_for(pending.get("key"), suffix=_suffix(pending)) is None:
        if pending is not None:
            request.session.pop(uploads.SESSION_KEY, None)
            messages.error(request, "上传的文件已不存在（可能已过期），请重新上传。")
        return None
    return pending


def _stored_suffix(filename: str) -> str:
    """The suffix the upload is kept with: its own when it is a ledger type (the reader goes by
    the content, not the name), else .xlsx."""
    suffix = PurePath(filename).suffix.lower()
    return suffix if suffix in ACCEPTED_SUFFIXES else ".xlsx"


def _suffix(pending: dict) -> str:
    suffix = pending.get("suffix", ".xlsx")
    return suffix if suffix in ACCEPTED_SUFFIXES else ".xlsx"


def _fail(request, pending: dict, errors: list[str]) -> None:
    """An import that failed loses its file: the same upload is never read again (a file that
    took the worker down would take it down again); the errors stay to be shown."""
    uploads.discard(pending["key"], suffix=_suffix(pending))
    pending["failed"] = {"count": len(errors), "listed": listed_errors(errors)}
    request.session[uploads.SESSION_KEY] = pending


def _failed_preview(request, pending: dict):
    failed = pending["failed"]
    context = {"pending": pending, "plan": None, "error_count": failed["count"], "listed_errors": failed["listed"]}
    return render(request, "reports/excel/import_preview.html", context)


def _forget_pending(request) -> None:
    pending = request.session.pop(uploads.SESSION_KEY, None)
    if isinstance(pending, dict):
        uploads.discard(pending.get("key"), suffix=_suffix(pending))


def _run(request, pending: dict, *, dry_run: bool):
    """(plan, errors): the plan is None when the file could not be read at all."""
    inspection = None
    if pending["inspection"]:
        inspection = _rounds_to_import_into(request.user).filter(pk=pending["inspection"]).first()
        if inspection is None:
            return None, ["所选巡视轮次已不存在，请重新上传。"]
    units = list(units_visible_to(request.user)[:2]) if not pending.get("unit") else []
    unit = units[0] if len(units) == 1 else None  # a unit's own office: its unit
    if pending.get("unit"):
        unit = units_visible_to(request.user).filter(pk=pending["unit"]).first()
        if unit is None:
            return None, ["所选单位已不存在，请重新上传。"]
    try:
        plan = import_ledger(
            source=uploads.path_for(pending["key"], suffix=_suffix(pending)),
            inspection=inspection,
            title=pending["title"] or None,
            unit=unit,
            dry_run=dry_run,
            user=request.user,
            expected_versions=None if dry_run else pending.get("versions"),
            file_name=pending["filename"],
        )
    except LedgerImportError as error:
        return error.result, error.messages
    return plan, []


def _preview(request, pending: dict, plan, errors: list[str]):
    """The counts of every row, and one page of ``PREVIEW_ROWS`` rows (``?page=N``)."""
    context = {
        "pending": pending,
        "plan": plan,
        "error_count": len(errors),
        "listed_errors": listed_errors(errors),
    }
    if plan is not None:
        context["counts"] = {
            "created": plan.count(CREATE),
            "updated": plan.count(UPDATE),
            "unchanged": plan.count(UNCHANGED),
        }
        context["page"] = Paginator(plan.rows, PREVIEW_ROWS).get_page(request.GET.get("page"))
        context["show_unit"] = units_visible_to(request.user)[1:2].exists()
        if plan.inspection is None and not errors:
            # The file is a ledger of a round already here (e.g. the app's own export): offered first.
            rounds = _rounds_to_import_into(request.user)
            if pending.get("unit"):  # the unit chosen: only its rounds
                rounds = rounds.filter(unit_id=pending["unit"])
            context["named_round"] = round_named_by(plan.parsed, rounds=rounds)
    return render(request, "reports/excel/import_preview.html", context)
