"""The past on screen: the item list as it stood on a day (``/items/?as_of=YYYY-MM-DD``) and what
changed between two days (``/items/changes/``). Both read-only, both of one round, both showing
the items the user may see today."""

import datetime

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django_tables2 import RequestConfig

from . import selectors
from .changes import KINDS
from .filters import ItemFilter, filter_states, past_filter_form
from .forms import AsOfForm, ChangesForm, month_before
from .models import RectificationItem
from .tables import PastItemTable, past_item_url


def opened_from(request) -> datetime.date | None:
    """The day of the past ledger an item's page was opened from (``?as_of=``), for its note."""
    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None


def past_item_list(request):
    """Called by ``views.item_list`` when the query string has ``as_of``."""
    user, today = request.user, timezone.localdate()
    data = request.GET.copy()
    filter_form = past_filter_form(ItemFilter(data, queryset=RectificationItem.objects.none(), request=request))
    filter_form.is_valid()  # as on today's list: a field in error is shown with its message, not applied
    inspection = selectors.default_inspection(user, filter_form.cleaned_data.get("inspection"))
    if inspection is not None and not data.get("inspection"):
        # The round shown is the one the form names (and whose problems it offers).
        data["inspection"] = str(inspection.pk)
        filter_form = past_filter_form(ItemFilter(data, queryset=RectificationItem.objects.none(), request=request))
        filter_form.is_valid()
    context = {"filter_form": filter_form, "inspection": inspection, "today": today}
    if inspection is None:
        context["error"] = "您还没有可查看的巡视轮次，无法查看历史台账。"
        return render(request, "ledger/item_list_past.html", context, status=400)
    as_of_form = AsOfForm(request.GET, inspection=inspection, today=today)
    context.update({"as_of_form": as_of_form, "suggested_days": suggested_days(inspection, today)})
    if not request.GET["as_of"].strip():
        return render(request, "ledger/item_list_past.html", context)  # the list's 历史台账 link: pick a day
    if not as_of_form.is_valid():
        context["error"] = "；".join(as_of_form.errors["as_of"])
        return render(request, "ledger/item_list_past.html", context, status=400)
    day = as_of_form.cleaned_data["as_of"]
    states = filter_states(selectors.past_ledger(user, inspection, day), filter_form.cleaned_data)
    table = PastItemTable(states)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    context.update({"day": day, "table": table, "whole_ledger": selectors.sees_whole_ledger(user)})
    return render(request, "ledger/item_list_past.html", context)


def suggested_days(inspection, today) -> list[tuple[str, datetime.date]]:
    """Days worth a look in a round's history, oldest first, each at most yesterday."""
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    candidates = [
        ("反馈日期", inspection.feedback_date),
        ("集中整改期截止", inspection.concentrated_period_end),
        ("上月末", month_end),
        ("一个月前", month_before(today)),
        ("昨天", today - datetime.timedelta(days=1)),
    ]
    earliest = inspection.feedback_date
    days = {}
    for label, day in candidates:
        if day is not None and day < today and (earliest is None or day >= earliest) and day not in days:
            days[day] = label
    return sorted(((label, day) for day, label in days.items()), key=lambda pair: pair[1])


@permission_required("ledger.view_ledger", raise_exception=True)
def ledger_changes(request):
    """``/items/changes/?inspection=<id>&from=YYYY-MM-DD&to=YYYY-MM-DD``."""
    user, today = request.user, timezone.localdate()
    inspections = list(selectors.inspections_visible_to(user))
    chosen = request.GET.get("inspection", "").strip()
    context = {"inspections": inspections, "today": today}
    if chosen:
        inspection = next((i for i in inspections if str(i.pk) == chosen), None)
        if inspection is None:
            context["error"] = f"没有编号为 {chosen} 的巡视轮次，或您无权查看：请在下面重新选择。"
            return render(request, "ledger/changes.html", context, status=400)
    else:
        inspection = selectors.default_inspection(user, None)
    context["inspection"] = inspection
    if inspection is None:
        context["error"] = "您还没有可查看的巡视轮次，无法查看变化情况。"
        return render(request, "ledger/changes.html", context, status=400)
    form = ChangesForm(request.GET, inspection=inspection, today=today)
    context["form"] = form
    if not form.is_valid():
        context["error"] = "；".join(message for messages_ in form.errors.values() for message in messages_)
        return render(request, "ledger/changes.html", context, status=400)
    found = selectors.ledger_changes_between(
        user, inspection, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
    )
    context.update(
        {
            "changes": found,
            "sections": [
                (
                    kind,
                    [
                        (change, past_item_url(change.state), found.returns.get(change.state.pk))
                        for change in found.by_kind[kind]
                    ],
                )
                for kind in KINDS
            ],
        }
    )
    return render(request, "ledger/changes.html", context)
