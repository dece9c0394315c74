"""The office builds the ledger in the workspace: a new round, its problems, items with their
measures, and their order. Thin views: a form, one service call, back with the outcome."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rectify.accounts.models import Unit

from . import selectors, services
from .forms import InspectionForm, ItemFieldsForm, ProblemForm, measure_formset
from .models import FeedbackProblem, Inspection, RectificationItem
from .views import _errors, _get_item_for_user


def _round_url(inspection_id: int, anchor: str = "") -> str:
    url = reverse("ledger:inspection-detail", args=[inspection_id])
    return f"{url}#{anchor}" if anchor else url


def _managed_round(request, pk: int) -> Inspection:
    """The round if it is in the user's units (else 404) and theirs to keep (else 403)."""
    inspection = get_object_or_404(selectors.inspections_in_scope(request.user).select_related("unit"), pk=pk)
    _check_manages(request, inspection)
    return inspection


def _managed_problem(request, pk: int) -> FeedbackProblem:
    problem = get_object_or_404(
        FeedbackProblem.objects.select_related("inspection__unit"),
        pk=pk,
        inspection__in=selectors.inspections_in_scope(request.user),
    )
    _check_manages(request, problem.inspection)
    return problem


def _check_manages(request, inspection: Inspection) -> None:
    if not request.user.has_perm("ledger.manage_round", inspection):
        raise PermissionDenied(f"该轮次由{inspection.unit}的纪工委编制，您可以查看，但不能修改。")


@permission_required("ledger.manage_ledger", raise_exception=True)
def inspection_create(request):
    units = selectors.units_for_new_round(request.user)
    if not units and Unit.objects.exists():
        raise PermissionDenied("您所在单位已有自己的纪工委，巡视轮次由其新建。")
    form = InspectionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        unit = fields.pop("for_unit", None) or (units[0] if units else None)
        try:
            inspection = services.create_inspection(user=request.user, fields=fields, unit=unit)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, f"已新建巡视轮次「{inspection.name}」，请逐一添加反馈问题和整改事项。")
            return redirect(_round_url(inspection.pk))
    return render(request, "ledger/inspection_form.html", {"form": form})


@permission_required("ledger.manage_ledger", raise_exception=True)
def inspection_edit(request, pk: int):
    inspection = _managed_round(request, pk)
    form = InspectionForm(request.POST or None, instance=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_inspection(inspection_id=inspection.pk, user=request.user, changes=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "巡视轮次已保存。")
            return redirect(_round_url(inspection.pk))
    return render(request, "ledger/inspection_form.html", {"form": form, "inspection": inspection})


@permission_required("ledger.manage_ledger", raise_exception=True)
def inspection_detail(request, pk: int):
    """The round's problems with their items; the office adds a problem at the end here."""
    inspection = _managed_round(request, pk)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.create_problem(
                inspection_id=inspection.pk,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, f"已新增反馈问题{problem.label}{problem.title}。")
            return redirect(_round_url(inspection.pk, f"problem-{problem.pk}"))
    problems = list(selectors.round_problems(inspection))
    context = {
        "inspection": inspection,
        "problems": problems,
        "item_total": sum(len(problem.ordered_items) for problem in problems),
        "form": form,
    }
    return render(request, "ledger/inspection_detail.html", context)


@permission_required("ledger.manage_ledger", raise_exception=True)
def problem_edit(request, pk: int):
    problem = _managed_problem(request, pk)
    form = ProblemForm(request.POST or None, instance=problem)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_problem(
                problem_id=problem.pk,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, f"反馈问题{problem.label}已保存。")
            return redirect(_round_url(problem.inspection_id, f"problem-{problem.pk}"))
    return render(request, "ledger/problem_form.html", {"problem": problem, "form": form})


def _move(request, service, **ids):
    try:
        moved = service(user=request.user, direction=request.POST.get("direction", ""), **ids)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return None
    return moved


@permission_required("ledger.manage_ledger", raise_exception=True)
@require_POST
def problem_move(request, pk: int):
    problem = _managed_problem(request, pk)
    moved = _move(request, services.move_problem, problem_id=problem.pk)
    if moved is not None:
        messages.success(request, f"已调整顺序：「{moved.title}」现为{moved.label}，整改事项已随之重新编号。")
    return redirect(_round_url(problem.inspection_id, f"problem-{problem.pk}"))


@permission_required("ledger.manage_ledger", raise_exception=True)
def item_create(request, pk: int):
    """A new item at the end of a problem, with its measure rows."""
    problem = _managed_problem(request, pk)
    # Leaders and departments are offered from the round's unit.
    form = ItemFieldsForm(request.POST or None, instance=RectificationItem(inspection=problem.inspection))
    measures = measure_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and measures.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_item(
                problem_id=problem.pk,
                user=request.user,
                fields={name: value for name, value in data.items() if name not in {"leaders", "co_departments"}},
                leaders=list(data["leaders"]),
                co_departments=list(data["co_departments"]),
                measures=[text for _pk, text in measures.rows()],
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, f"已在{problem.label}下新建第{item.number}项「{item.title}」（未启动）。")
            return redirect(_round_url(problem.inspection_id, f"item-{item.pk}"))
    context = {"problem": problem, "inspection": problem.inspection, "form": form, "measures": measures}
    return render(request, "ledger/item_create.html", context)


@permission_required("ledger.view_ledger", raise_exception=True)
@require_POST
def item_move(request, pk: int):
    item = _get_item_for_user(request, pk, "ledger.edit_item")
    moved = _move(request, services.move_item, item_id=item.pk)
    if moved is not None:
        messages.success(request, f"已调整顺序：「{moved.title}」现为第{moved.number}项。")
    return redirect(_round_url(item.inspection_id, f"item-{item.pk}"))


@permission_required("ledger.view_ledger", raise_exception=True)
def measures_edit(request, pk: int):
    """The item's measures as rows: edit, add, remove; renumbered 一是、二是… on saving."""
    item = _get_item_for_user(request, pk, "ledger.edit_item")
    measures = measure_formset(request.POST or None, measures=item.measures.order_by("sequence"))
    error = ""
    if request.method == "POST" and measures.is_valid():
        try:
            services.set_measures(item_id=item.pk, user=request.user, rows=measures.rows())
        except ValidationError as refused:
            error = _errors(refused)
        else:
            messages.success(request, "整改措施已保存。")
            return redirect(item)
    return render(request, "ledger/measures_edit.html", {"item": item, "measures": measures, "error": error})
