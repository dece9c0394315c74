"""The office's list of confirmed imports, and withdrawing one (撤销本次导入)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .imports import undo_import, why_not_undoable
from .models import ImportRecord


@permission_required("ledger.manage_ledger", raise_exception=True)
def import_records(request):
    records = ImportRecord.objects.select_related("imported_by", "undone_by")
    page = Paginator(records, 30).get_page(request.GET.get("page"))
    rows = [(record, why_not_undoable(record)) for record in page]
    return render(request, "reports/import_records.html", {"page": page, "rows": rows})


@require_POST
@permission_required("ledger.manage_ledger", raise_exception=True)
def import_undo(request, pk: int):
    record = get_object_or_404(ImportRecord, pk=pk)
    try:
        undo_import(record_id=record.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已撤销导入「{record.file_name}」：导入时新增的内容已全部删除。")
    return redirect("reports:import-records")
