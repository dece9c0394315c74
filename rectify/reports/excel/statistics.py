"""Sheet 统计: totals by status, completion rates, counts by department and by leader, overdue list.

Everything is counted from the rows of the ledger itself (the as-of states), so that the
figures always agree with sheet 整改台账, for a past day as well as for today.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from rectify.chinese import chinese_date
from rectify.ledger.asof import ItemState
from rectify.ledger.status import Status, completion_rate

from . import styles
from .columns import NAME_SEPARATOR

STATISTICS_SHEET = "统计"
UNASSIGNED = "（未指定）"
_WIDTHS = [26, 40, 12, 12, 14, 12, 16]


@dataclass
class Tally:
    total: int = 0
    completed: int = 0
    ongoing: int = 0
    overdue: int = 0

    def count(self, state: ItemState, overdue: bool) -> None:
        self.total += 1
        self.completed += state.status == Status.COMPLETED
        self.ongoing += state.status == Status.ONGOING
        self.overdue += overdue

    @property
    def completion_rate(self) -> float | None:
        """Completed ÷ all, as a fraction rounded to one decimal of a percent."""
        rate = completion_rate(self.completed, self.total)
        return None if rate is None else round(rate, 3)

    @property
    def closed_rate(self) -> float | None:
        """(Completed + long-term) ÷ all, the other figure the notices quote."""
        rate = completion_rate(self.completed + self.ongoing, self.total)
        return None if rate is None else round(rate, 3)


@dataclass
class LedgerStatistics:
    overall: Tally = field(default_factory=Tally)
    by_status: Counter = field(default_factory=Counter)
    by_department: dict[str, Tally] = field(default_factory=dict)
    by_leader: dict[str, Tally] = field(default_factory=dict)
    overdue: list[ItemState] = field(default_factory=list)


def ledger_statistics(states: list[ItemState]) -> LedgerStatistics:
    """Departments and leaders in the order they first occur in the ledger."""
    result = LedgerStatistics()
    for state in states:
        overdue = state.is_overdue
        result.overall.count(state, overdue)
        result.by_status[state.status] += 1
        result.by_department.setdefault(state.lead_department or UNASSIGNED, Tally()).count(state, overdue)
        for leader in state.leaders or [UNASSIGNED]:
            result.by_leader.setdefault(leader, Tally()).count(state, overdue)
        if overdue:
            result.overdue.append(state)
    return result


def write_statistics_sheet(workbook: Workbook, states: list[ItemState], as_of: datetime.date) -> None:
    figures = ledger_statistics(states)
    sheet = workbook.create_sheet(STATISTICS_SHEET)
    styles.print_setup(sheet, landscape=False)
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    writer = styles.RowWriter(sheet, buffered=True)
    writer.append([(styles.TITLE, f"巡视整改统计（截至{chinese_date(as_of)}）")])
    sheet.merged_cells.add(f"A1:{get_column_letter(len(_WIDTHS))}1")
    writer.append([])

    overall = figures.overall
    writer.append([(styles.SECTION, "一、按完成状态")])
    _header(writer, ["完成状态", "事项数", "占比"])
    for status in Status:
        count = figures.by_status[status]
        share = round(count / overall.total, 3) if overall.total else None
        writer.append([(styles.TEXT, str(status.label)), (styles.CENTRED, count), (styles.PERCENT, share)])
    writer.append(
        [(styles.TEXT, "合计"), (styles.CENTRED, overall.total), (styles.PERCENT, 1 if overall.total else None)]
    )
    writer.append([(styles.TEXT, "逾期（已过完成时限未完成）"), (styles.CENTRED, overall.overdue)])
    writer.append([(styles.TEXT, "完成率（已完成÷全部）"), (styles.PERCENT, overall.completion_rate)])
    writer.append([(styles.TEXT, "完成率（已完成＋长期坚持）÷全部"), (styles.PERCENT, overall.closed_rate)])
    writer.append([])

    for heading, label, tallies in (
        ("二、按责任部门", "责任部门", figures.by_department),
        ("三、按责任领导", "责任领导", figures.by_leader),
    ):
        writer.append([(styles.SECTION, heading)])
        _header(writer, [label, "事项数", "已完成", "长期坚持", "逾期", "完成率"])
        for name, tally in tallies.items():
            writer.append(
                [
                    (styles.TEXT, name),
                    (styles.CENTRED, tally.total),
                    (styles.CENTRED, tally.completed),
                    (styles.CENTRED, tally.ongoing),
                    (styles.CENTRED, tally.overdue),
                    (styles.PERCENT, tally.completion_rate),
                ]
            )
        writer.append([])

    label = {status.value: str(status.label) for status in Status}
    writer.append([(styles.SECTION, "四、逾期事项清单")])
    _header(writer, ["序号", "具体问题（整改事项）", "责任部门", "责任领导", "完成时限", "逾期天数", "完成状态"])
    for state in figures.overdue:
        writer.append(
            [
                (styles.CENTRED, state.number),
                (styles.TEXT, state.title),
                (styles.CENTRED, state.lead_department),
                (styles.CENTRED, NAME_SEPARATOR.join(state.leaders)),
                (styles.DATE, state.deadline),
                (styles.CENTRED, (as_of - state.deadline).days),
                (styles.status_style(state.status), label[state.status]),
            ]
        )
    if not figures.overdue:
        writer.append([(styles.TEXT, "（无逾期事项）")])
    writer.close()


def _header(writer: styles.RowWriter, headers: list[str]) -> None:
    writer.append([(styles.HEADER, header) for header in headers])
