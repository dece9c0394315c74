"""The item list's filters (django-filter). The export uses the same FilterSet, so that
"导出Excel" gives exactly the rows on screen."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.accounts.selectors import choosable_departments, choosable_leaders
from rectify.accounts.units import units_visible_to
from rectify.forms import CompactFilterForm

from .asof import ItemState
from .models import Escalation, FeedbackProblem, Inspection, Measure, ProgressUpdate, RectificationItem
from .warning import Light


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_keyword")
    inspection = django_filters.ModelChoiceFilter(label=_("巡视轮次"), queryset=Inspection.objects.active())
    problem = django_filters.ModelChoiceFilter(label=_("反馈问题"), queryset=FeedbackProblem.objects.all())
    status = django_filters.MultipleChoiceFilter(
        label=_("完成状态"), choices=RectificationItem.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    lead_department = django_filters.ModelChoiceFilter(label=_("责任部门"), queryset=choosable_departments())
    leader = django_filters.ModelChoiceFilter(label=_("责任领导"), queryset=choosable_leaders(), method="filter_leader")
    kind = django_filters.ChoiceFilter(label=_("整改类型"), choices=RectificationItem.Kind.choices)
    deadline = django_filters.DateFromToRangeFilter(
        label=_("完成时限"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    completed = django_filters.DateFromToRangeFilter(
        label=_("完成日期"),
        field_name="completed_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    overdue = django_filters.ChoiceFilter(
        label=_("是否逾期"),
        choices=[("true", _("是")), ("false", _("否"))],
        empty_label=_("全部"),
        method="filter_overdue",
    )
    light = django_filters.ChoiceFilter(label=_("预警"), choices=Light.choices, method="filter_light")
    escalation = django_filters.TypedChoiceFilter(
        label=_("督办等级"), choices=Escalation.Level.choices, coerce=int, method="filter_escalation"
    )
    escalated = django_filters.ChoiceFilter(
        label=_("督办中"),
        choices=[("true", _("是")), ("false", _("否"))],
        empty_label=_("全部"),
        method="filter_escalated",
    )
    returned = django_filters.ChoiceFilter(
        label=_("销号被退回过"),
        choices=[("true", _("是")), ("false", _("否"))],
        empty_label=_("全部"),
        method="filter_returned",
    )
    # Offered only when the user's scope holds more than one unit (``__init__``).
    unit = django_filters.TypedChoiceFilter(label=_("单位"), coerce=int, method="filter_unit")

    class Meta:
        model = RectificationItem
        fields = ["inspection", "problem", "status", "lead_department", "kind", "deadline"]
        form = CompactFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        self._offer_units(user)
        if user is not None and user.scope_path:
            # Only what belongs to the user's units is offered (accounts/units.py).
            units = units_visible_to(user)
            filters = self.filters
            filters["inspection"].queryset = filters["inspection"].queryset.filter(unit__in=units)
            filters["lead_department"].queryset = choosable_departments(units=units)
            filters["leader"].queryset = choosable_leaders(units=units)
        self._limit_problem_choices()

    def _offer_units(self, user) -> None:
        """The unit filter, with the units of the user's scope (one query) indented by depth, when
        the scope holds more than one unit; otherwise no unit filter."""
        units = list(units_visible_to(user)) if user is not None and user.is_authenticated else []
        if len(units) < 2:
            del self.filters["unit"]
            return
        top = min(unit.depth for unit in units)
        self._unit_paths = {unit.pk: unit.path for unit in units}
        self.filters["unit"].extra["choices"] = [
            (unit.pk, "\u3000" * (unit.depth - top) + unit.label) for unit in units
        ]

    def filter_unit(self, queryset, name, value):
        """The items of the unit's whole subtree (its rounds and those of the units below it)."""
        return queryset.filter(inspection__unit__path__startswith=self._unit_paths[value])

    def filter_escalated(self, queryset, name, value):
        """Items with an open escalation step (催办, 督办 or 约谈提醒)."""
        open_steps = Escalation.objects.filter(closed_on__isnull=True).values("item_id")
        return queryset.filter(pk__in=open_steps) if value == "true" else queryset.exclude(pk__in=open_steps)

    def filter_returned(self, queryset, name, value):
        """Items whose 销号 request was returned at least once."""
        return queryset.filter(return_count__gt=0) if value == "true" else queryset.filter(return_count=0)

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        in_measures = Measure.objects.filter(text__icontains=value).values("item_id")
        in_progress = ProgressUpdate.objects.filter(text__icontains=value).values("item_id")
        return queryset.filter(
            Q(title__icontains=value)
            | Q(detail__icontains=value)
            | Q(summary__icontains=value)
            | Q(pk__in=in_measures)
            | Q(pk__in=in_progress)
        )

    def filter_leader(self, queryset, name, value):
        led = RectificationItem.leaders.through.objects.filter(leader_id=value.pk).values("rectificationitem_id")
        return queryset.filter(pk__in=led)

    def filter_overdue(self, queryset, name, value):
        overdue = RectificationItem.objects.overdue_q(timezone.localdate())
        return queryset.filter(overdue if value == "true" else ~overdue)

    def filter_light(self, queryset, name, value):
        return queryset.filter(RectificationItem.objects.light_q(value, timezone.localdate()))

    def filter_escalation(self, queryset, name, value):
        """Items whose highest open step is this level (the dashboard's figures link here)."""
        open_steps = Escalation.objects.filter(closed_on__isnull=True)
        higher = open_steps.filter(level__gt=value).values("item_id")
        return queryset.filter(pk__in=open_steps.filter(level=value).values("item_id")).exclude(pk__in=higher)

    def _limit_problem_choices(self):
        """Offer the problems of the chosen inspection only: a provincial office has thousands."""
        field = self.form.fields["problem"]
        inspection, problem = self.data.get("inspection"), self.data.get("problem")
        # Only of the rounds offered (those of the user's units).
        problems = FeedbackProblem.objects.filter(inspection__in=self.filters["inspection"].queryset)
        if inspection and str(inspection).isdigit():
            field.queryset = problems.filter(inspection_id=inspection)
        elif problem and str(problem).isdigit():
            field.queryset = problems.filter(pk=problem)
        else:
            field.queryset = FeedbackProblem.objects.none()
            field.empty_label = _("（请先选择巡视轮次）")


# The filters that mean the same on a past day's ledger (asof.ItemState); the others (leader,
# escalation) read today's tables and are not offered there.
PAST_FILTERS = (
    "q",
    "inspection",
    "problem",
    "status",
    "lead_department",
    "kind",
    "deadline",
    "completed",
    "overdue",
    "light",
)


def past_filter_form(item_filter: ItemFilter):
    """The list's filter form with only the fields that apply to a past day."""
    form = item_filter.form
    for name in list(form.fields):
        if name not in PAST_FILTERS:
            del form.fields[name]
    return form


def filter_states(states: list[ItemState], data: dict) -> list[ItemState]:
    """``states`` (a past day's ledger) narrowed by the cleaned data of ``past_filter_form``,
    judged as of that day (overdue and the light by the day's own date)."""
    keyword = (data.get("q") or "").strip()
    statuses = set(data.get("status") or ())
    department, problem, kind = data.get("lead_department"), data.get("problem"), data.get("kind")
    deadline, completed = data.get("deadline"), data.get("completed")
    overdue, light = data.get("overdue"), data.get("light")

    def keep(state: ItemState) -> bool:
        if statuses and state.status not in statuses:
            return False
        if department is not None and state.lead_department_id != department.pk:
            return False
        if problem is not None and state.problem.pk != problem.pk:
            return False
        if kind and state.kind != kind:
            return False
        if overdue and state.is_overdue != (overdue == "true"):
            return False
        if light and state.light != light:
            return False
        if deadline and not _within(state.deadline, deadline.start, deadline.stop):
            return False
        if completed and not _within(state.completed_on, completed.start, completed.stop):
            return False
        return not keyword or _mentions(state, keyword)

    return [state for state in states if keep(state)]


def _within(day, start, stop) -> bool:
    """The range filter's bounds come as datetimes (start and end of their days)."""
    start, stop = (bound.date() if bound is not None else None for bound in (start, stop))
    if day is None:
        return start is None and stop is None
    return (start is None or day >= start) and (stop is None or day <= stop)


def _mentions(state: ItemState, keyword: str) -> bool:
    keyword = keyword.lower()
    texts = [state.title, state.summary, *(m.text for m in state.measures), *(p.text for p in state.progress)]
    return any(keyword in text.lower() for text in texts)
