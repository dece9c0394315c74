"""Turning a sheet's rows, under its header, into ``ImportRow``s: merged cells filled down,
section-heading rows skipped, every cell parsed, every error collected with its row (as Excel
numbers it) and its column header."""

import datetime
import re
from dataclasses import dataclass, field

from rectify.ledger.models import FeedbackProblem, RectificationItem
from rectify.reports.measures import split_measures

from .grid import Grid
from .header import Columns
from .parsing import (
    FIELD_HEADERS,
    CellError,
    Deadline,
    cell_text,
    parse_day,
    parse_deadline,
    parse_number,
    parse_status,
    split_names,
    split_problem_label,
)

NO_PROBLEM_TITLE = "未注明反馈问题"

_TITLE_MAX = RectificationItem._meta.get_field("title").max_length
_PROBLEM_MAX = FeedbackProblem._meta.get_field("title").max_length
_NAME_MAX = 50  # Leader.name, RectificationItem.contact_person
_DEPARTMENT_MAX = 100


@dataclass
class ImportRow:
    """One item as the file gives it."""

    excel_row: int  # the row as Excel numbers it; in a Word table, its row in the table (header included)
    number: int | None = None
    problem_sequence: int | None = None
    problem_title: str = ""
    problem_description: str = ""
    title: str = ""
    detail: str = ""
    measures: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    lead_department: str = ""
    co_departments: list[str] = field(default_factory=list)
    contact_person: str = ""
    deadline: Deadline = field(default_factory=Deadline)
    original_deadline: datetime.date | None = None
    completed_on: datetime.date | None = None
    status: str = RectificationItem.Status.NOT_STARTED
    progress: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)
    place: str = ""  # the Word table the row is in ("表格2"); empty in a workbook

    @property
    def place_label(self) -> str:
        """Where the row is, as the messages name it: 第5行, or 表格2第5行 in a Word document."""
        return f"{self.place}第{self.excel_row}行"

    @property
    def problem_key(self) -> tuple[int | None, str]:
        return self.problem_sequence, self.problem_title


@dataclass
class ParsedLedger:
    sheet: str
    header_row: int
    columns: dict[str, str]  # field → the header as the file writes it
    rows: list[ImportRow]
    title: str = ""
    reporting_unit: str = ""
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def has(self, field_name: str) -> bool:
        return field_name in self.columns

    @property
    def all_errors(self) -> list[str]:
        return self.errors + [error for row in self.rows for error in row.errors]


class SheetReader:
    def __init__(
        self,
        sheet: str,
        grid: Grid,
        header_index: int,
        columns: Columns,
        *,
        place: str = "",
        preamble=(),
        problem: str = "",
    ):
        """``place`` names a Word table in the row messages (表格N第M行); ``preamble`` is the text
        before it (read for the title and 填报单位 like the rows above the header); ``problem`` the
        problem the rows continue when their first problem cells are empty (the previous table's
        last, in a ledger split over several tables). ``last_problem`` is this sheet's, once read."""
        self.sheet = sheet
        self.place = place
        self.preamble = list(preamble)
        self.last_problem = problem
        self.grid = grid
        self.header_index = header_index
        self.columns = columns
        self.errors: list[str] = []
        self.notes: list[str] = []

    def read(self) -> ParsedLedger:
        headings = self._heading_rows()
        item_column = self.columns["item"][0]
        continued = self._continued_rows(item_column)
        measures_continued = self._continued_rows(self.columns["measures"][0]) if "measures" in self.columns else {}
        rows: list[ImportRow] = []
        by_index: dict[int, ImportRow] = {}
        skipped: list[int] = []
        last_problem = self.last_problem
        for index in range(self.header_index + 1, len(self.grid.values)):
            if index in headings:
                continue
            values = self.grid.values[index]
            problem = self._text(values, "problem") or last_problem
            last_problem = problem
            if not self._text(values, "item"):
                if any(self._text(values, name) for name in self.columns if name != "problem"):
                    skipped.append(index + 1)
                continue
            origin = continued.get(index)
            if origin is not None and origin in by_index and self._same_number(values, origin):
                # The item cell is merged over several rows: one item, its measures row by row.
                if measures_continued.get(index) is None and "measures" in self.columns:
                    item = by_index[origin]
                    item.measures += split_measures(self._text(values, "measures"), start=len(item.measures) + 1)
                by_index[index] = by_index[origin]
                continue
            row = self._row(index, values, problem, sequence=len(rows) + 1)
            rows.append(row)
            by_index[index] = row
        self.last_problem = last_problem
        self._check_numbers(rows)
        self._note_skipped(skipped)
        self._note_missing_columns()
        title, unit = self._heading_texts()
        return ParsedLedger(
            sheet=self.sheet,
            header_row=self.header_index + 1,
            columns={name: header for name, (_column, header) in self.columns.items()},
            rows=rows,
            title=title,
            reporting_unit=unit,
            errors=self.errors,
            notes=self.notes,
        )

    def _same_number(self, values: list, origin: int) -> bool:
        """A row under a merged item cell continues that item unless it has a number of its own."""
        number = self._text(values, "number")
        return not number or number == self._text(self.grid.values[origin], "number")

    # -- layout --

    def _heading_rows(self) -> set[int]:
        """Rows of a section heading merged across the table (e.g. 一、已完成的整改事项)."""
        mapped = {column for column, _header in self.columns.values()}
        item_column = self.columns["item"][0]
        rows = set()
        for top, left, bottom, right in self.grid.merges:
            spanned = sum(left <= column <= right for column in mapped)
            if (
                right > left
                and bottom > self.header_index
                and left <= item_column <= right
                and spanned >= min(3, len(mapped))
            ):
                rows.update(range(max(top, self.header_index + 1), bottom + 1))
        return rows

    def _continued_rows(self, column: int) -> dict[int, int]:
        """Row index → the first row of the vertical merge in ``column`` it continues."""
        continued = {}
        for top, left, bottom, right in self.grid.merges:
            if left == right == column and bottom > top and top > self.header_index:
                continued.update({index: top for index in range(top + 1, bottom + 1)})
        return continued

    def _heading_texts(self) -> tuple[str, str]:
        """The title (…整改台账) and the 填报单位 from the rows above the header."""
        title, unit = "", ""
        for row in [[line] for line in self.preamble] + self.grid.values[: self.header_index]:
            for value in row:
                text = cell_text(value)
                if not text:
                    continue
                if "填报单位" in text and not unit:
                    unit = re.split(r"[：:]", text, maxsplit=1)[-1].strip()
                    unit = re.split(r"\s{2,}|截至|日期", unit)[0].strip()
                elif not title and "台账" in text:
                    title = text
        return title, unit

    # -- cells --

    def _value(self, values: list, name: str):
        if name not in self.columns:
            return None
        column = self.columns[name][0]
        return values[column] if column < len(values) else None

    def _text(self, values: list, name: str) -> str:
        return cell_text(self._value(values, name))

    def _error(self, row: ImportRow, name: str, message: str) -> None:
        row.errors.append(f"{row.place_label}「{self.columns[name][1]}」{message}")

    def _parsed(self, row: ImportRow, values: list, name: str, parse, default):
        """The cell read by ``parse``; ``default`` when the column is missing or the cell is wrong
        (then the error is recorded)."""
        if name not in self.columns:
            return default
        try:
            return parse(self._value(values, name))
        except CellError as error:
            self._error(row, name, str(error))
            return default

    def _row(self, index: int, values: list, problem: str, *, sequence: int) -> ImportRow:
        row = ImportRow(excel_row=index + 1, place=self.place)
        if "number" not in self.columns:
            row.number = sequence
        elif not self._text(values, "number"):
            self._error(row, "number", "为空：每个整改事项都要有序号。")
        else:
            row.number = self._parsed(row, values, "number", parse_number, None)
        row.deadline = self._parsed(row, values, "deadline", parse_deadline, Deadline())
        row.original_deadline = self._parsed(row, values, "original_deadline", parse_day, None)
        row.completed_on = self._parsed(row, values, "completed_on", parse_day, None)
        row.status = self._parsed(row, values, "status", parse_status, RectificationItem.Status.NOT_STARTED)
        self._problem(row, problem)
        self._title(row, self._text(values, "item"))
        row.measures = split_measures(self._text(values, "measures"))
        row.leaders = self._names(row, values, "leader", _NAME_MAX)
        departments = self._names(row, values, "department", _DEPARTMENT_MAX)
        co_departments = self._names(row, values, "co_departments", _DEPARTMENT_MAX)
        row.lead_department = departments[0] if departments else ""
        row.co_departments = [name for name in departments[1:] + co_departments if name != row.lead_department]
        row.co_departments = list(dict.fromkeys(row.co_departments))
        row.contact_person = self._text(values, "person")
        if len(row.contact_person) > _NAME_MAX:
            self._error(row, "person", f"过长（最多{_NAME_MAX}字）：{row.contact_person[:20]}…")
        row.progress = self._text(values, "progress")
        row.note = self._text(values, "notes")
        return row

    def _problem(self, row: ImportRow, text: str) -> None:
        if not text:
            row.problem_title = NO_PROBLEM_TITLE
            return
        row.problem_sequence, title = split_problem_label(text)
        row.problem_title, row.problem_description = _shorten(title, _PROBLEM_MAX)
        if len(row.problem_title) > _PROBLEM_MAX:
            self._error(row, "problem", f"过长（最多{_PROBLEM_MAX}字）：{title[:20]}…")

    def _title(self, row: ImportRow, text: str) -> None:
        row.title, row.detail = _shorten(text, _TITLE_MAX)
        if len(row.title) > _TITLE_MAX:
            self._error(row, "item", f"第一句过长（最多{_TITLE_MAX}字）：{text[:20]}…")

    def _names(self, row: ImportRow, values: list, name: str, limit: int) -> list[str]:
        names = split_names(self._text(values, name))
        for too_long in (n for n in names if len(n) > limit):
            self._error(row, name, f"名称过长（最多{limit}字）：{too_long[:20]}…")
        return names

    def _check_numbers(self, rows: list[ImportRow]) -> None:
        seen: dict[int, ImportRow] = {}
        for row in rows:
            if row.number is None:
                continue
            if row.number in seen:
                self._error(row, "number", f"与{seen[row.number].place_label}重复：{row.number}")
            else:
                seen[row.number] = row

    def _note_skipped(self, skipped: list[int]) -> None:
        if skipped:
            shown = "、".join(str(number) for number in skipped[:10]) + ("等" if len(skipped) > 10 else "")
            count = f"（共{len(skipped)}行）" if len(skipped) > 10 else ""
            self.notes.append(f"{self.place}第{shown}行没有填写「{self.columns['item'][1]}」，已跳过{count}。")

    def _note_missing_columns(self) -> None:
        missing = [
            headers[0]
            for name, headers in FIELD_HEADERS.items()
            if name not in self.columns and name not in _DATES_OF_THE_EXPORT
        ]
        if missing:
            self.notes.append(
                "文件中没有这些列："
                + "、".join(missing)
                + "。新建的事项这些内容留空（序号按行顺序编排），已有事项保持原值。"
            )


# Columns the app's own export adds for a lossless round trip; other ledgers seldom have them, and
# without them nothing is left empty that would otherwise be filled (see planning.py).
_DATES_OF_THE_EXPORT = {"original_deadline", "completed_on"}


def _shorten(text: str, limit: int) -> tuple[str, str]:
    """A text that does not fit a title: its first sentence as the title, the whole as the detail."""
    if len(text) <= limit:
        return text, ""
    first = re.split(r"(?<=[。；;！？!?])", text, maxsplit=1)[0]
    return first, text
