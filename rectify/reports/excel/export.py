"""The monthly ledger workbook: sheets 整改台账, 统计 and 本月变化 (domain.md).

The workbook is write-only (streamed): a 100,000-item ledger stays far below 500 MB. Merges,
frozen panes, print titles and page setup are all supported in that mode; column widths and
frozen panes must be set before the first row is appended.
"""

import datetime
import io
from collections import Counter
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from rectify.accounts.models import Unit
from rectify.chinese import chinese_date
from rectify.ledger.asof import ItemState, ledger_as_of, outline_as_of
from rectify.ledger.models import Inspection, RectificationItem
from rectify.ledger.warning import Light

from . import styles
from .changes import write_changes_sheet
from .columns import (
    NAME_SEPARATOR,
    PROBLEM_HEADER,
    deadline_value,
    ledger_columns,
    measures_text,
    problem_text,
    progress_text,
)
from .periods import previous_month_end
from .statistics import write_statistics_sheet
from .unit_ranking import write_unit_ranking_sheet

Status = RectificationItem.Status
LEDGER_SHEET = "整改台账"
HEADER_ROW = 3
SUBTITLE_SPLIT = 6  # 填报单位 over columns A:F, 截至 from G to the last column
TITLE_SUFFIX = "反馈问题整改台账"


@dataclass(frozen=True)
class Heading:
    """The two rows above the header: the title, and who reports as of which day."""

    title: str
    reporting_unit: str
    as_of: datetime.date


def inspection_heading(inspection: Inspection, as_of: datetime.date) -> Heading:
    """怀化高新区落实省委第十二巡视组延伸巡视反馈问题整改台账."""
    kind = "" if inspection.kind == Inspection.Kind.OTHER else str(inspection.get_kind_display())
    title = f"{inspection.inspected_unit}落实{inspection.inspecting_body}{kind}{TITLE_SUFFIX}"
    return Heading(title=title, reporting_unit=inspection.responsible_unit or inspection.inspected_unit, as_of=as_of)


def monthly_ledger(inspection: Inspection, as_of: datetime.date) -> Workbook:
    """The ledger of ``inspection`` as it stood at the end of ``as_of``, with its statistics and
    the changes since the end of the previous month. A fixed number of queries."""
    states = ledger_as_of(inspection, as_of)
    since = previous_month_end(as_of)
    previous = outline_as_of(inspection, since)  # only compared: one query
    workbook = new_workbook()
    write_ledger_sheet(workbook, inspection_heading(inspection, as_of), states)
    write_statistics_sheet(workbook, states, as_of)
    write_changes_sheet(workbook, previous, states, since=since, as_of=as_of)
    return workbook


def item_list_ledger(heading: Heading, states: list[ItemState]) -> Workbook:
    """The rows of a filtered item list, in the same 整改台账 layout, with their statistics."""
    workbook = new_workbook()
    write_ledger_sheet(workbook, heading, states)
    write_statistics_sheet(workbook, states, heading.as_of)
    return workbook


def scope_heading(unit: Unit | None, as_of: datetime.date) -> Heading:
    """The heading of one workbook for several units: ``unit`` and the units below it (None: all)."""
    name = unit.name if unit is not None else "各单位"
    return Heading(title=f"{name}巡视巡察{TITLE_SUFFIX}", reporting_unit=unit.name if unit else "", as_of=as_of)


def rounds_ledger(rounds: list[Inspection], as_of: datetime.date, *, scope: Unit | None) -> Workbook:
    """The ledger of ``rounds`` (``rounds_of_units``): one round's monthly ledger as it always was;
    several rounds in one workbook, a 单位 column naming each row's unit (its round as well where
    that unit has several) and 统计 ranking the units. A fixed number of queries per round."""
    if len(rounds) == 1:
        return monthly_ledger(rounds[0], as_of)
    per_unit = Counter(inspection.unit_id for inspection in rounds)
    ledgers, by_unit = [], {}
    for inspection in rounds:
        states = ledger_as_of(inspection, as_of)
        label = inspection.unit.label
        if per_unit[inspection.unit_id] > 1:
            label = f"{label}（{inspection.name}）"
        ledgers.append((label, states))
        by_unit.setdefault(inspection.unit.label, []).extend(states)
    return units_ledger(scope_heading(scope, as_of), ledgers, ranked=list(by_unit.items()))


def units_ledger(
    heading: Heading,
    groups: list[tuple[str, list[ItemState]]],
    *,
    ranked: list[tuple[str, list[ItemState]]] | None = None,
) -> Workbook:
    """One workbook for several units (``groups``: each one's name and rows): sheet 整改台账 with a
    单位 column, the groups one after another, and sheet 统计 ranking ``ranked`` (default the groups)."""
    workbook = new_workbook()
    states = [state for _name, unit_states in groups for state in unit_states]
    units = [name for name, unit_states in groups for _state in unit_states]
    write_ledger_sheet(workbook, heading, states, units=units)
    write_unit_ranking_sheet(workbook, groups if ranked is None else ranked, heading.as_of)
    return workbook


def new_workbook() -> Workbook:
    workbook = Workbook(write_only=True)
    styles.register_styles(workbook)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_ledger_sheet(
    workbook: Workbook, heading: Heading, states: list[ItemState], *, units: list[str] | None = None
) -> None:
    """The 整改台账 sheet; ``units`` (one name per state) adds a 单位 column first, for one workbook
    of several units."""
    columns = ledger_columns(with_units=units is not None)
    sheet = workbook.create_sheet(LEDGER_SHEET)
    last = len(columns)
    last_letter = get_column_letter(last)
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    styles.print_setup(sheet, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    writer = styles.RowWriter(sheet)
    sheet.row_dimensions[1].height = 36
    writer.append([(styles.TITLE, heading.title)] + [(None, None)] * (last - 1))
    sheet.merged_cells.add(f"A1:{last_letter}1")
    half = SUBTITLE_SPLIT
    writer.append(
        [(styles.SUBTITLE, f"填报单位：{heading.reporting_unit}")]
        + [(None, None)] * (half - 1)
        + [(styles.SUBTITLE_RIGHT, f"截至{chinese_date(heading.as_of)}")]
        + [(None, None)] * (last - half - 1)
    )
    sheet.merged_cells.add(f"A2:{get_column_letter(half)}2")
    sheet.merged_cells.add(f"{get_column_letter(half + 1)}2:{last_letter}2")
    writer.append([(styles.HEADER, header) for header, _width in columns])

    labels = _Labels()
    wrapping = _wrapping(columns)
    problem_column = get_column_letter([header for header, _width in columns].index(PROBLEM_HEADER) + 1)
    run_start, run_problem = None, None
    for index, state in enumerate(states):
        first_of_problem = state.problem.pk != run_problem
        cells = _item_cells(state, first_of_problem, labels)
        if units is not None:
            cells.insert(0, (styles.CENTRED, units[index]))
        # Excel does not size wrapped rows by itself everywhere (WPS, printing): estimate a height.
        row = writer.append(cells, height=_row_height(cells, wrapping))
        if first_of_problem:
            _merge_run(sheet, problem_column, run_start, row - 1)
            run_start, run_problem = row, state.problem.pk
    if run_start is not None:
        _merge_run(sheet, problem_column, run_start, writer.row)
    # The lines a printed ledger is signed on.
    writer.append([])
    writer.append([(styles.SUBTITLE, sign_line())] + [(None, None)] * (last - 1))
    sheet.merged_cells.add(f"A{writer.row}:{last_letter}{writer.row}")


SIGN_LINE_START = "填表人："


def sign_line() -> str:
    """Under the printed ledger, filled in by hand when it is signed: who filled it in, who
    checked it, a phone number, the date (an import reads it as a row without an item, skipped)."""
    blank = "\u3000" * 6
    return f"{SIGN_LINE_START}{blank}审核人：{blank}联系电话：{blank}填报日期：{blank}"


class _Labels:
    """(style, label) of each status and light, translated once per export, not once per row."""

    def __init__(self):
        self.status = {status.value: (styles.status_style(status), str(status.label)) for status in Status}
        self.light = {light.value: (styles.light_style(light), str(light.label)) for light in Light}


def _item_cells(state: ItemState, first_of_problem: bool, labels: _Labels) -> list:
    deadline = deadline_value(state)
    return [
        (styles.CENTRED, state.number),
        (styles.TEXT, problem_text(state) if first_of_problem else None),
        (styles.TEXT, state.title),
        (styles.TEXT, measures_text(state)),
        (styles.CENTRED, NAME_SEPARATOR.join(state.leaders)),
        (styles.CENTRED, state.lead_department),
        (styles.CENTRED, NAME_SEPARATOR.join(state.co_departments)),
        (styles.DATE if isinstance(deadline, datetime.date) else styles.CENTRED, deadline),
        (styles.TEXT, progress_text(state)),
        labels.status[state.status],
        labels.light[state.light],
        (styles.CENTRED, state.contact_person),
        _date_cell(state.completed_on),
        _date_cell(state.original_deadline),
        (styles.TEXT, state.note),
    ]


def _date_cell(day: datetime.date | None) -> tuple[str, datetime.date | None]:
    return (styles.DATE, day) if day is not None else (styles.CENTRED, None)


def _merge_run(sheet, column: str, start: int | None, end: int) -> None:
    if start is not None and end > start:
        sheet.merged_cells.add(f"{column}{start}:{column}{end}")


_LINE_HEIGHT = 13.5  # points per line of 10-point 宋体


def _wrapping(columns: list[tuple[str, int]]) -> list[tuple[int, int]]:
    """The columns texts wrap in (all but 序号 and 预警), and how many CJK characters (two widths
    each) fit on a line."""
    return [(index, max(1, (width - 1) // 2)) for index, (_header, width) in enumerate(columns) if width >= 6]


def _row_height(cells, wrapping: list[tuple[int, int]]) -> float:
    lines = 1
    for index, per_line in wrapping:
        value = cells[index][1]
        if value and isinstance(value, str):
            count = sum(-(-len(line) // per_line) or 1 for line in value.split("\n"))
            lines = max(lines, count)
    return min(409, _LINE_HEIGHT * lines + 4)
