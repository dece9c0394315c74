"""Reading a ledger workbook someone else made into rows, before anything touches the database.

Finds the header row in the first rows of a sheet, maps the columns by name (any order),
fills merged cells down, skips section-heading rows and parses every cell, collecting every
error with its row (as Excel numbers it) and its column header.
"""

import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from rectify.ledger.models import FeedbackProblem, Inspection, RectificationItem
from rectify.reports.measures import split_measures

from .parsing import (
    FIELD_HEADERS,
    CellError,
    Deadline,
    cell_text,
    field_for_header,
    normalise_header,
    parse_deadline,
    parse_number,
    parse_status,
    split_names,
    split_problem_label,
)
from .sheet_xml import SheetScan, SheetTooLarge, WorkbookLayout, scan_sheet

HEADER_SEARCH_ROWS = 15
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
NO_PROBLEM_TITLE = "未注明反馈问题"
NOT_FILLED = "未填写"

_TITLE_MAX = RectificationItem._meta.get_field("title").max_length
_PROBLEM_MAX = FeedbackProblem._meta.get_field("title").max_length
_NAME_MAX = 50  # Leader.name, RectificationItem.contact_person
_DEPARTMENT_MAX = 100


# A file with thousands of errors (say, the wrong sheet) is summed up after this many.
LISTED_ERRORS = 200


def listed_errors(messages: list[str]) -> list[str]:
    """The first ``LISTED_ERRORS`` messages, and a line saying how many more there are."""
    if len(messages) <= LISTED_ERRORS:
        return messages
    return [*messages[:LISTED_ERRORS], f"……另有 {len(messages) - LISTED_ERRORS} 处错误未列出。"]


class LedgerImportError(Exception):
    """Nothing was imported; ``messages`` say why, in Chinese (each naming its row and column
    where there is one). ``result`` is the preview of the rows when the file could be read."""

    def __init__(self, messages: list[str], result=None):
        super().__init__("\n".join(listed_errors(messages)))
        self.messages = messages
        self.result = result


@dataclass
class ImportRow:
    """One item as the file gives it."""

    excel_row: int
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
    status: str = RectificationItem.Status.NOT_STARTED
    progress: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)

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


# --- the file ---------------------------------------------------------------------------

Source = str | Path | BinaryIO


def open_workbook(source: Source) -> CalamineWorkbook:
    """The workbook, or ``LedgerImportError`` saying in Chinese why this is not an .xlsx we can read.

    Read with calamine (Rust): about seven times faster than openpyxl's streaming reader on the
    inline strings openpyxl itself writes, which was half the time of an import."""
    check_workbook(source)
    try:
        if isinstance(source, str | Path):
            return CalamineWorkbook.from_path(str(source))
        return CalamineWorkbook.from_filelike(_rewound(source))
    except Exception:  # damaged files raise many kinds of errors; none of them helps the user
        raise LedgerImportError(
            ["无法读取该 Excel 文件：文件已损坏或格式不受支持。请用 Excel 打开并另存为 .xlsx 后再试。"]
        ) from None


def check_workbook(source: Source) -> None:
    """Refuse, cheaply, what is not an .xlsx: empty, old .xls, HTML, Word, a zip bomb, …"""
    head, size = _peek(source)
    if size == 0:
        raise LedgerImportError(["文件为空，请选择填写好的台账（.xlsx）。"])
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerImportError(
            ["这是旧版 Excel（.xls）文件或加密的工作簿，无法读取。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入。"]
        )
    if not _is_zip(source):
        raise LedgerImportError([f"不是 Excel 工作簿（.xlsx）：{_what_it_looks_like(head)}"])
    try:
        with _zip(source) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise LedgerImportError(["无法读取该 Excel 文件：文件已损坏。"]) from None
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise LedgerImportError(["这是 Word 文档（.docx），不是 Excel 工作簿（.xlsx）。"])
        if "ppt/presentation.xml" in names:
            raise LedgerImportError(["这是 PowerPoint 演示文稿，不是 Excel 工作簿（.xlsx）。"])
        raise LedgerImportError(["不是 Excel 工作簿（.xlsx）：压缩包中没有工作簿内容。"])
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise LedgerImportError(["文件解压后超过 300 MB，无法导入。请拆分后分批导入。"])
    _rewound(source)


def _peek(source: Source) -> tuple[bytes, int]:
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return handle.read(8), os.path.getsize(source)
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    return head, size


def _rewound(source: Source) -> Source:
    if not isinstance(source, str | Path):
        source.seek(0)
    return source


def _is_zip(source: Source) -> bool:
    return zipfile.is_zipfile(_rewound(source))


def _zip(source: Source) -> zipfile.ZipFile:
    return zipfile.ZipFile(_rewound(source))


def _what_it_looks_like(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return "看起来是网页（HTML/XML）文件。请在 Excel 中打开后“另存为”Excel 工作簿（.xlsx）。"
    if text.startswith(b"%pdf"):
        return "这是 PDF 文件。"
    return "文件内容无法识别。请选择 Excel 保存的 .xlsx 文件。"


# --- the sheet --------------------------------------------------------------------------


def read_ledger(source: Source) -> ParsedLedger:
    """Every row of the first worksheet that has a header row: the sheet Excel opens on first,
    then the other visible ones, then hidden ones, each in the workbook's order."""
    workbook = open_workbook(source)
    try:
        with _zip(source) as archive:
            layout = WorkbookLayout.read(archive)
            for name in _reading_order(workbook, layout):
                grid = _grid(workbook, name, _scan(archive, layout, name))
                header = _find_header(grid)
                if header is not None:
                    return _SheetReader(name, grid, *header).read()
    finally:
        workbook.close()
    accepted = "、".join(FIELD_HEADERS["item"])
    raise LedgerImportError(
        [f"没有找到表头行：前{HEADER_SEARCH_ROWS}行中没有「具体问题」列（可用的列名：{accepted}）。"]
    )


def _scan(archive: zipfile.ZipFile, layout: WorkbookLayout, name: str) -> SheetScan:
    try:
        return scan_sheet(archive, layout.paths.get(name))
    except SheetTooLarge as error:
        raise LedgerImportError(
            [
                f"工作表「{name}」的已用区域过大（最远的单元格在 {error.farthest}，约 {error.cells:,} 个单元格），"
                "无法导入。请删除表格右侧和下方多余的单元格（或只保留台账工作表）后再试。"
            ]
        ) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise LedgerImportError(["无法读取该 Excel 文件：文件已损坏。"]) from None


def _reading_order(workbook: CalamineWorkbook, layout: WorkbookLayout) -> list[str]:
    """Worksheets (not chart or macro sheets): the active one, then visible, then hidden ones."""
    sheets = [sheet for sheet in workbook.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
    return [
        sheet.name
        for sheet in sorted(
            sheets, key=lambda sheet: (sheet.name != layout.active, sheet.visible != SheetVisibleEnum.Visible)
        )
    ]


@dataclass
class _Grid:
    values: list[list]
    merges: list[tuple[int, int, int, int]]  # 0-based min_row, min_col, max_row, max_col


def _grid(workbook: CalamineWorkbook, name: str, scan: SheetScan) -> _Grid:
    """The sheet's cell values from A1 (rows as Excel numbers them, less one), with every merged
    range filled with its top-left value. Values as openpyxl gives them: ``None`` for an empty
    cell, whole numbers as ``int``, an error cell as its code (#N/A), which no field accepts."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        merges = [(top, left, bottom, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or []]
    except Exception:
        raise LedgerImportError([f"无法读取工作表「{name}」：文件已损坏或格式不受支持。"]) from None
    values = [[_plain(value) for value in row] for row in rows]
    for (row, column), code in scan.errors.items():
        if row < len(values) and column < len(values[row]):
            values[row][column] = code
    for top, left, bottom, right in merges:
        if top >= len(values):
            continue
        value = values[top][left] if left < len(values[top]) else None
        for row in values[top : bottom + 1]:
            if len(row) <= right:
                row.extend([None] * (right + 1 - len(row)))
            row[left : right + 1] = [value] * (right + 1 - left)
    return _Grid(values, merges)


def _plain(value):
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _find_header(grid: _Grid) -> tuple[int, dict[str, tuple[int, str]]] | None:
    """(row index, field → (column index, header text)) of the best header row, or None."""
    best = None
    for index, row in enumerate(grid.values[:HEADER_SEARCH_ROWS]):
        columns: dict[str, tuple[int, str]] = {}
        for column, value in enumerate(row):
            name = field_for_header(value)
            if name and name not in columns:
                columns[name] = (column, normalise_header(value))
        # ">=": of two equally good rows the lower one is the header (a two-row header, filled down).
        if "item" in columns and (best is None or len(columns) >= len(best[1])):
            best = (index, columns)
    return best


class _SheetReader:
    def __init__(self, sheet: str, grid: _Grid, header_index: int, columns: dict[str, tuple[int, str]]):
        self.sheet = sheet
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
        last_problem = ""
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
        for row in self.grid.values[: self.header_index]:
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
        row.errors.append(f"第{row.excel_row}行「{self.columns[name][1]}」{message}")

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
        row = ImportRow(excel_row=index + 1)
        if "number" not in self.columns:
            row.number = sequence
        elif not self._text(values, "number"):
            self._error(row, "number", "为空：每个整改事项都要有序号。")
        else:
            row.number = self._parsed(row, values, "number", parse_number, None)
        row.deadline = self._parsed(row, values, "deadline", parse_deadline, Deadline())
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
        seen: dict[int, int] = {}
        for row in rows:
            if row.number is None:
                continue
            if row.number in seen:
                self._error(row, "number", f"与第{seen[row.number]}行重复：{row.number}")
            else:
                seen[row.number] = row.excel_row

    def _note_skipped(self, skipped: list[int]) -> None:
        if skipped:
            shown = "、".join(str(number) for number in skipped[:10]) + ("等" if len(skipped) > 10 else "")
            count = f"（共{len(skipped)}行）" if len(skipped) > 10 else ""
            self.notes.append(f"第{shown}行没有填写「{self.columns['item'][1]}」，已跳过{count}。")

    def _note_missing_columns(self) -> None:
        missing = [headers[0] for name, headers in FIELD_HEADERS.items() if name not in self.columns]
        if missing:
            self.notes.append(
                "文件中没有这些列："
                + "、".join(missing)
                + "。新建的事项这些内容留空（序号按行顺序编排），已有事项保持原值。"
            )


def _shorten(text: str, limit: int) -> tuple[str, str]:
    """A text that does not fit a title: its first sentence as the title, the whole as the detail."""
    if len(text) <= limit:
        return text, ""
    first = re.split(r"(?<=[。；;！？!?])", text, maxsplit=1)[0]
    return first, text


# --- the inspection a new import creates ------------------------------------------------

_KINDS = [
    ("延伸巡视", Inspection.Kind.EXTENDED),
    ("专项巡视", Inspection.Kind.SPECIAL),
    ("巡察", Inspection.Kind.PATROL),
    ("审计", Inspection.Kind.AUDIT),
    ("巡视", Inspection.Kind.INSPECTION),
]
_EXPORTED_TITLE = re.compile(r"(?P<unit>.+?)落实(?P<body>.+?)(?:延伸巡视|专项巡视|巡视|巡察|审计)?反馈问题整改台账")
_BODY = re.compile(
    r"((?:中央|省委|市委|县委|区委|州委|盟委|旗委|[^\s，,。]{0,8}?(?:审计厅|审计局|审计署))[^\s，,。]*?(?:组|厅|局|署))"
)


def inspection_fields(parsed: ParsedLedger) -> dict:
    """inspecting_body, inspected_unit and kind guessed from the title row; 未填写 when unknown."""
    title = parsed.title
    fields = {"inspecting_body": NOT_FILLED, "inspected_unit": parsed.reporting_unit or NOT_FILLED}
    if match := _EXPORTED_TITLE.search(title):
        fields.update(inspecting_body=match["body"], inspected_unit=match["unit"])
    else:
        if match := _BODY.search(title):
            fields["inspecting_body"] = match[1]
        if unit := re.split(r"关于|落实|贯彻|对照", title, maxsplit=1)[0].strip():
            if unit != title:
                fields["inspected_unit"] = unit
    fields["inspecting_body"] = fields["inspecting_body"][:100]
    fields["inspected_unit"] = fields["inspected_unit"][:100]
    fields["kind"] = next((kind for word, kind in _KINDS if word in title), Inspection.Kind.INSPECTION)
    if parsed.reporting_unit:
        fields["responsible_unit"] = parsed.reporting_unit[:100]
    return fields
