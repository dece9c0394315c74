"""The office's list of confirmed imports, and withdrawing one (撤销本次导入)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rectify.accounts.units import units_visible_to

from .imports import undo_import, why_not_undoable
from .models import ImportRecord


def _records_of(user):
    """The imports into the user's units (an import whose round is gone stays with whoever sees all)."""
    records = ImportRecord.objects.select_related("imported_by", "undone_by")
    if user.scope_path:
        records = records.filter(inspection__unit__in=units_visible_to(user))
    return records


@permission_required("ledger.manage_ledger", raise_exception=True)
def import_records(request):
    records = _records_of(request.user)
    page = Paginator(records, 30).get_page(request.GET.get("page"))
    rows = [(record, why_not_undoable(record)) for record in page]
    return render(request, "reports/import_records.html", {"page": page, "rows": rows})


@require_POST
@permission_required("ledger.manage_ledger", raise_exception=True)
def import_undo(request, pk: int):
    record = get_object_or_404(_records_of(request.user).select_related("inspection__unit"), pk=pk)
    if record.inspection is not None and not request.user.has_perm("ledger.manage_round", record.inspection):
        messages.error(request, "该导入属于其他单位，由该单位纪工委撤销。")
        return redirect("reports:import-records")
    try:
        undo_import(record_id=record.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已撤销导入「{record.file_name}」：导入时新增的内容已全部删除。")
    return redirect("reports:import-records")
