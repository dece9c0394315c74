"""The staff workspace pages: the item list and one item's page."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django_tables2 import RequestConfig

from . import history, selectors
from .filters import ItemFilter
from .tables import ItemTable


@permission_required("ledger.view_ledger", raise_exception=True)
def item_list(request):
    item_filter = ItemFilter(request.GET, queryset=selectors.item_list_queryset(request.user))
    table = ItemTable(item_filter.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "ledger/item_list.html", {"filter": item_filter, "table": table})


@permission_required("ledger.view_ledger", raise_exception=True)
def item_detail(request, pk: int):
    item = selectors.get_item_for_user(request.user, pk)
    context = {
        "item": item,
        "today": timezone.localdate(),
        "measures": item.measures.all(),
        "progress_updates": item.progress_updates.select_related("author"),
        "evidence": item.evidence.select_related("uploaded_by"),
        "signoffs": item.signoffs.select_related("submitted_by", "reviewed_by"),
        "extensions": item.extensions.select_related("requested_by", "reviewed_by"),
        "changes": history.item_changes(item),
    }
    return render(request, "ledger/item_detail.html", context)
