"""The leaders' dashboard at ``/``."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone

from rectify.ledger import selectors

from .figures import figure_links

SESSION_KEY = "dashboard_inspection"


@permission_required("ledger.view_ledger", raise_exception=True)
def index(request):
    inspections = list(selectors.inspections_visible_to(request.user))
    inspection = _chosen_inspection(request, inspections)
    items = selectors.items_visible_to(request.user)
    if inspection is not None:
        items = items.filter(inspection=inspection)
    today = timezone.localdate()
    figures = selectors.status_figures(items, today=today)
    context = {
        "inspections": inspections,
        "inspection": inspection,
        "figures": figures,
        "links": figure_links(inspection),
        "today": today,
    }
    if inspection is not None and inspection.planned_item_count is not None:
        context["unlisted"] = inspection.planned_item_count - figures.total
        context["unlisted_excess"] = -context["unlisted"]
    return render(request, "dashboard/index.html", context)


def _chosen_inspection(request, inspections):
    """The inspection picked with ``?inspection=`` (remembered in the session); ``all`` for every one."""
    by_pk = {str(inspection.pk): inspection for inspection in inspections}
    choice = request.GET.get("inspection")
    if choice is not None:
        if choice in by_pk or choice == "all":
            request.session[SESSION_KEY] = choice
    else:
        choice = request.session.get(SESSION_KEY)
    if choice == "all":
        return None
    if choice in by_pk:
        return by_pk[choice]
    return inspections[0] if len(inspections) == 1 else None
