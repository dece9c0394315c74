"""The item list's table (django-tables2)."""

from urllib.parse import urlencode

import django_tables2 as tables
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from .models import RectificationItem
from .numbering import problem_label
from .presentation import light_badge, status_badge


class ItemTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk", attrs={"input": {"name": "items", "form": "bulk-form"}, "th__input": {"aria-label": "全选"}}
    )
    # Every ordering ends on (inspection, number): rows that tie keep one order from page to page
    # and in the export.
    number = tables.Column(verbose_name=_("序号"), order_by=("inspection_id", "number"))
    problem = tables.Column(verbose_name=_("反馈问题"), order_by=("problem__sequence", "inspection_id", "number"))
    title = tables.Column(verbose_name=_("整改事项"), linkify=True, order_by=("title", "inspection_id", "number"))
    lead_department = tables.Column(
        verbose_name=_("责任部门"), order_by=("lead_department__name", "inspection_id", "number")
    )
    leaders = tables.Column(verbose_name=_("责任领导"), empty_values=(), orderable=False)
    deadline = tables.DateColumn(verbose_name=_("完成时限"), format="Y-m-d")
    status = tables.Column(verbose_name=_("完成状态"), order_by=("status", "inspection_id", "number"))
    light = tables.Column(verbose_name=_("预警"), empty_values=(), orderable=False)

    class Meta:
        model = RectificationItem
        fields = ["select", "number", "problem", "title", "lead_department", "leaders", "deadline", "status", "light"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("没有符合条件的整改事项。")
        per_page = 25

    def __init__(self, *args, selectable: bool = False, **kwargs):
        self.selectable = selectable
        super().__init__(*args, exclude=() if selectable else ("select",), **kwargs)

    def order_deadline(self, queryset, is_descending):
        """Items without a deadline (long-term) sort last in both directions, on every database."""
        deadline = F("deadline").desc(nulls_last=True) if is_descending else F("deadline").asc(nulls_last=True)
        return queryset.order_by(deadline, "inspection_id", "number"), True

    def render_problem(self, record):
        return format_html("{}{}", record.problem.label, record.problem.title)

    def render_leaders(self, record):
        return format_html_join("、", "{}", ((leader.name,) for leader in record.leaders.all())) or "—"

    def render_status(self, record):
        return status_badge(record.status, record.get_status_display())

    def render_light(self, record):
        return light_badge(record.light())


def listed_order(request, items: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    """``items`` in the order the item list shows them for this request (its ``sort`` parameter,
    through the table's own column orderings), unpaginated: what "导出Excel" writes."""
    table = ItemTable(items)
    RequestConfig(request, paginate=False).configure(table)
    return table.data.data


class PastItemTable(tables.Table):
    """A past day's ledger (``asof.ItemState`` rows), read-only, in number order. Each title opens
    the item's page as it is today, which says so (``?as_of=`` of that page)."""

    number = tables.Column(verbose_name=_("序号"), orderable=False)
    problem = tables.Column(verbose_name=_("反馈问题"), orderable=False)
    title = tables.Column(verbose_name=_("整改事项"), orderable=False)
    lead_department = tables.Column(verbose_name=_("责任部门"), orderable=False)
    leaders = tables.Column(verbose_name=_("责任领导"), empty_values=(), orderable=False)
    deadline = tables.DateColumn(verbose_name=_("完成时限"), format="Y-m-d", orderable=False)
    status = tables.Column(verbose_name=_("完成状态"), orderable=False)
    light = tables.Column(verbose_name=_("预警"), empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("那一天没有符合条件的整改事项。")
        per_page = 25

    def render_problem(self, record):
        return format_html("{}{}", problem_label(record.problem.sequence), record.problem.title)

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', past_item_url(record), record.title)

    def render_leaders(self, record):
        return "、".join(record.leaders) or "—"

    def render_status(self, record):
        return status_badge(record.status, record.status_label)

    def render_light(self, record):
        return light_badge(record.light)


def past_item_url(state) -> str:
    """An item's page, opened from the ledger of ``state.as_of``."""
    return f"{reverse('ledger:item-detail', args=[state.pk])}?{urlencode({'as_of': state.as_of.isoformat()})}"
