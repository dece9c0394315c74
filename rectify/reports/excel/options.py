"""What to export: the inspection and the as-of day, from a command line or a query string.

Both the command and the view ask here, so that they accept and refuse the same input with
the same Chinese messages.
"""

import datetime
import re

from django.db.models import QuerySet
from django.http import Http404

from rectify.accounts.models import Unit
from rectify.chinese import chinese_date
from rectify.ledger.models import Inspection

from .periods import month_end


class ExportOptionError(Exception):
    """Input the export cannot use; ``str(error)`` is the Chinese message for the user."""

    def __init__(self, message: str, inspections: list[Inspection] | None = None):
        super().__init__(message)
        self.inspections = inspections or []


def resolve_inspection(inspection_id: str | int | None, *, rounds: QuerySet | None = None) -> Inspection:
    """The inspection named by ``inspection_id`` among ``rounds`` (default: every active one); may
    be left out when only one exists. One query. A round outside ``rounds``: 404, as for any
    object the user may not see."""
    rounds = Inspection.objects.active() if rounds is None else rounds
    if inspection_id in (None, ""):
        inspections = list(rounds.order_by("pk"))
        if len(inspections) == 1:
            return inspections[0]
        if not inspections:
            raise ExportOptionError("还没有任何巡视轮次，无法导出台账。")
        raise ExportOptionError(
            "存在多个巡视轮次，请指定要导出哪一个：\n" + _listing(inspections), inspections=inspections
        )
    try:
        pk = int(str(inspection_id).strip())
    except ValueError:
        raise ExportOptionError(f"巡视轮次编号应为数字：{inspection_id}") from None
    try:
        return rounds.get(pk=pk)
    except Inspection.DoesNotExist:
        if Inspection.objects.active().filter(pk=pk).exists():
            raise Http404("没有找到该巡视轮次，或您无权查看。") from None
        inspections = list(rounds.order_by("pk"))
        raise ExportOptionError(
            f"没有编号为 {pk} 的巡视轮次。现有巡视轮次：\n" + (_listing(inspections) or "（无）"),
            inspections=inspections,
        ) from None


ALL_UNITS = "all"


def resolve_unit(unit_id: str | int | None, *, units: QuerySet[Unit]) -> Unit | None:
    """The unit named by ``unit_id`` among ``units`` (the user's); ``all``: every one of them
    (None). A unit outside ``units``: 404, as for any object the user may not see. One query."""
    if str(unit_id).strip() == ALL_UNITS:
        return None
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise ExportOptionError(f"单位编号应为数字或 {ALL_UNITS}：{unit_id}") from None
    found = units.filter(pk=pk).first()
    if found is not None:
        return found
    if Unit.objects.filter(pk=pk).exists():
        raise Http404("没有找到该单位，或您无权查看。")
    listed = "\n".join(f"  {unit.pk}：{unit.name}" for unit in units) or "（无）"
    raise ExportOptionError(f"没有编号为 {pk} 的单位。现有单位：\n{listed}")


def _listing(inspections: list[Inspection]) -> str:
    return "\n".join(f"  {inspection.pk}：{inspection.name}" for inspection in inspections)


_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def resolve_as_of(*, as_of: str | None, month: str | None, today: datetime.date) -> datetime.date:
    """``as_of`` (YYYY-MM-DD), or the last day of ``month`` (YYYY-MM; today for the running
    month), or today. A day after today is refused: the ledger of tomorrow is not known yet."""
    as_of = (as_of or "").strip()
    month = (month or "").strip()
    if as_of and month:
        raise ExportOptionError("截至日期和月份只能指定一个。")
    if month:
        match = _MONTH.fullmatch(month)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ExportOptionError(f"无法识别的月份：{month}（应为 YYYY-MM，如 2023-12）")
        year, number = int(match[1]), int(match[2])
        if datetime.date(year, number, 1) > today:
            raise ExportOptionError(f"月份 {month} 尚未开始，无法导出。")
        return min(month_end(year, number), today)
    if not as_of:
        return today
    match = _DAY.fullmatch(as_of)
    try:
        if not match:
            raise ValueError
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ExportOptionError(f"无法识别的日期：{as_of}（应为 YYYY-MM-DD，如 2023-12-18）") from None
    if day > today:
        raise ExportOptionError(f"截至日期 {chinese_date(day)} 晚于今天，无法导出。")
    return day
