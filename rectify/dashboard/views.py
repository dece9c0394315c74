"""The leaders' dashboard at ``/``: where rectification stands and who is behind, in ten seconds."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from rectify.accounts.roles import Role
from rectify.accounts.units import units_visible_to
from rectify.ledger import selectors as ledger_selectors
from rectify.ledger.scores import STALE_CAP_MONTHS, Tally, Weights, formula

from . import charts, ledger_cache, selectors
from .figures import ItemLinks, UnitLinks

SESSION_KEY = "dashboard_inspection"


def index(request):
    user = request.user
    if not user.has_perm("ledger.view_ledger"):
        return _elsewhere(request)
    inspections = list(ledger_selectors.inspections_visible_to(user).select_related("unit"))
    units, unit = _chosen_unit(request)
    if len(units) < 2:
        unit = None  # the scope's only unit: its cockpit is the home itself
    today = timezone.localdate()
    if unit is not None:
        inspections = [i for i in inspections if i.unit.path.startswith(unit.path)]
    elif ledger_selectors.sees_whole_ledger(user) and len({i.unit_id for i in inspections}) > 1:
        return _supervising_home(request, inspections, today)
    inspection = _chosen_inspection(request, inspections)
    items = ledger_selectors.items_visible_to(user)
    if inspection is not None:
        items = items.filter(inspection=inspection)
    elif unit is not None:
        items = items.filter(inspection__in=[i.pk for i in inspections])
    context = {
        "inspections": inspections,
        "inspection": inspection,
        "today": today,
        "warning_days": settings.RECTIFY_WARNING_DAYS,
        "ledger": _ledger_fragments(request, user, items, inspection, today, unit),
    }
    if unit is not None:
        context.update(unit=unit, units=units)
    context.update(_personal(user, items, today))
    return render(request, "dashboard/index.html", context)


def _chosen_unit(request):
    """The units in the user's scope and the one picked with ``?unit=`` (None without it): a unit
    outside the scope, or a value that is no unit's number, is 404."""
    choice = request.GET.get("unit")
    if not choice:
        return [], None
    units = list(units_visible_to(request.user))
    unit = next((unit for unit in units if str(unit.pk) == choice), None)
    if unit is None:
        raise Http404("没有找到该单位，或您无权查看。")
    return units, unit


def _supervising_home(request, inspections, today):
    """The supervising office's home: the units in its scope ranked by 综合评分, each figure a link
    to the items behind it, and a selector into each unit's cockpit."""
    user = request.user
    units = list(units_visible_to(user))
    items = ledger_selectors.items_visible_to(user)
    weights = Weights.from_settings()
    round_units = {inspection.pk: inspection.unit_id for inspection in inspections}
    ranking = selectors.unit_ranking(units, items, round_units=round_units, today=today, weights=weights)
    # The top rows of the scope's tree partition its items (a unit's row holds its subtree's).
    in_scope = {unit.pk for unit in units}
    totals = sum((row.tally for row in ranking if row.unit.parent_id not in in_scope), start=Tally())
    context = {
        "today": today,
        "units": units,
        "ranking": [(row, UnitLinks(row.unit)) for row in ranking],
        "totals": totals,
        "formula": formula(weights),
        "stale_cap": STALE_CAP_MONTHS,
        "warning_days": settings.RECTIFY_WARNING_DAYS,
    }
    context.update(_personal(user, items, today))
    return render(request, "dashboard/supervising.html", context)


def _scope(user, inspection, today, unit) -> str:
    """Who sees which part of the ledger, of which inspection, on which day: the ledger-wide
    fragments are shared by all users with the same scope."""
    if ledger_selectors.sees_whole_ledger(user):
        # All of the user's units: the scope's path tells one unit's office from another's.
        seen = f"all-{user.scope_path or '*'}"
    elif user.has_role(Role.LIAISON) and user.department_id:
        seen = f"department-{user.department_id}"
    else:
        seen = "none"
    within = f"unit-{unit.pk}:" if unit is not None else ""
    return f"{seen}:{within}{inspection.pk if inspection else 'all'}:{today.isoformat()}"


def _ledger_fragments(request, user, items, inspection, today, unit) -> dict:
    def render():
        whole_round = ledger_selectors.sees_whole_ledger(user)
        context = {
            "inspection": inspection,
            "today": today,
            "unit": unit,
            **_ledger_context(items, inspection, today, whole_round, unit),
        }
        return {
            part: render_to_string(f"dashboard/_ledger_{part}.html", context, request=request)
            for part in ("figures", "charts")
        }

    fragments = ledger_cache.cached_fragments(_scope(user, inspection, today, unit), render)
    return {part: mark_safe(html) for part, html in fragments.items()}


def _ledger_context(items, inspection, today, whole_round: bool, unit) -> dict:
    links = ItemLinks(inspection, unit)
    departments = selectors.by_department(items, today=today)
    figures = selectors.figures_from_groups(departments)
    leaders = selectors.by_leader(items, today=today)
    problems = selectors.by_problem(items, today=today) if inspection is not None else []
    context = {
        "figures": figures,
        "links": links.figures(),
        "escalations": [
            (label, count, links(escalation=level)) for level, label, count in selectors.escalation_figures(departments)
        ],
        "departments": departments,
        "ranking": [(row, links.department(row.pk) if row.pk else None) for row in departments],
        "overdue_items": selectors.overdue_items(items, today=today),
        "due_soon_items": selectors.due_soon_items(items, today=today, days=settings.RECTIFY_WARNING_DAYS),
        "charts": {
            "status": charts.status_donut(figures, links),
            "departments": charts.stacked_bars(departments, links, "lead_department"),
            "leaders": charts.stacked_bars(leaders, links, "leader"),
            "problems": charts.stacked_bars(problems, links, "problem"),
            "trend": charts.completion_trend(selectors.completions_by_month(items), links),
            "deadlines": charts.deadline_weeks(selectors.deadlines_ahead(items, today=today), today, links),
        },
    }
    if unit is not None:
        weights = Weights.from_settings()
        context["department_scores"] = selectors.department_scores(items, today=today, weights=weights)
        context["formula"] = formula(weights)
    # The plan's reconciliation counts the whole round: only for those who see all of its items.
    if whole_round and inspection is not None and inspection.planned_item_count is not None:
        context["reconciliation"] = True
        context["unlisted"] = inspection.planned_item_count - figures.total
        context["unlisted_excess"] = -context["unlisted"]
    return context


def _elsewhere(request):
    """Those who do not read the ledger start where their work is."""
    if request.user.has_perm("accounts.view_auditevent"):
        return redirect("accounts:audit-log")
    if request.user.is_staff:
        return redirect("admin:index")
    raise PermissionDenied("您的账户没有查看整改台账的权限。")


def _personal(user, items, today) -> dict:
    """What needs this user's attention, by role."""
    personal = {}
    if user.has_role(Role.LEADER):
        personal["my_items"] = selectors.leader_items(items, user)
    if user.has_role(Role.LIAISON) and user.department_id:
        personal["stale_items"] = selectors.stale_department_items(items, user, today=today)
        personal["returned_items"] = selectors.returned_department_items(items, user)
        personal["escalated_items"] = selectors.escalated_department_items(items, user)
        personal["due_this_week"] = selectors.due_this_week_items(items, user, today=today)
        department_items = items.filter(lead_department_id=user.department_id)
        personal["my_signoffs"] = selectors.pending_signoffs(department_items)
        personal["my_extensions"] = selectors.pending_extensions(department_items)
    if user.has_role(Role.DISCIPLINE_OFFICE):
        mine_to_decide = ledger_selectors.decided_by(user, items)
        personal["review_signoffs"] = selectors.pending_signoffs(mine_to_decide)
        personal["review_extensions"] = selectors.pending_extensions(mine_to_decide)
        personal["review_limit"] = selectors.REVIEW_LIMIT
    return personal


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


def notification_list(request):
    notifications = request.user.notifications.all()[:100]
    return render(request, "dashboard/notifications.html", {"notifications": notifications})


def notification_open(request, pk: int):
    """Show one reminder and mark it read."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return render(request, "dashboard/notification.html", {"notification": notification})


@require_POST
def notifications_mark_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("dashboard:notifications")
