"""The look of the exported ledger: named styles created once per workbook, and a row writer
that reuses styled cells instead of building style objects for every cell."""

import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from rectify.ledger.models import RectificationItem
from rectify.ledger.warning import Light

Status = RectificationItem.Status

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0.0%"
FONT_NAME = "宋体"
# Excel refuses longer cell texts.
MAX_CELL_TEXT = 32767

# Light fills, dark enough to tell apart on a black-and-white printout.
STATUS_FILLS = {
    Status.NOT_STARTED: "E7E6E6",
    Status.IN_PROGRESS: "DDEBF7",
    Status.PENDING_SIGNOFF: "FCE4D6",
    Status.COMPLETED: "E2EFDA",
    Status.ONGOING: "D9F2F9",
}
LIGHT_FILLS = {
    Light.GREEN: "C6EFCE",
    Light.YELLOW: "FFEB9C",
    Light.RED: "FFC7CE",
    Light.BLUE: "BDD7EE",
    Light.GREY: "D9D9D9",
}

# Named-style names are shown in Excel's style gallery, hence Chinese.
TITLE = "台账标题"
SUBTITLE = "台账副标题"
SUBTITLE_RIGHT = "台账副标题（右）"
HEADER = "台账表头"
TEXT = "台账正文"
CENTRED = "台账居中"
DATE = "台账日期"
PERCENT = "台账百分比"
SECTION = "台账小标题"


def status_style(status: str) -> str:
    return f"完成状态·{Status(status).label}"


def light_style(light: str) -> str:
    return f"预警·{Light(light).label}"


def register_styles(workbook: Workbook) -> None:
    """Add every named style the ledger uses to ``workbook`` (once)."""
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=FONT_NAME, size=10)
    wrapped = Alignment(wrap_text=True, vertical="center")
    centred = Alignment(wrap_text=True, vertical="center", horizontal="center")
    styles = [
        NamedStyle(TITLE, font=Font(name=FONT_NAME, size=16, bold=True), alignment=centred),
        NamedStyle(SUBTITLE, font=Font(name=FONT_NAME, size=11), alignment=Alignment(vertical="center")),
        NamedStyle(
            SUBTITLE_RIGHT,
            font=Font(name=FONT_NAME, size=11),
            alignment=Alignment(vertical="center", horizontal="right"),
        ),
        NamedStyle(
            HEADER,
            font=Font(name=FONT_NAME, size=11, bold=True),
            fill=PatternFill("solid", fgColor="D9D9D9"),
            border=border,
            alignment=centred,
        ),
        NamedStyle(SECTION, font=Font(name=FONT_NAME, size=12, bold=True), alignment=Alignment(vertical="center")),
        NamedStyle(TEXT, font=body, border=border, alignment=wrapped),
        NamedStyle(CENTRED, font=body, border=border, alignment=centred),
        NamedStyle(DATE, font=body, border=border, alignment=centred, number_format=DATE_FORMAT),
        NamedStyle(PERCENT, font=body, border=border, alignment=centred, number_format=PERCENT_FORMAT),
    ]
    styles += [
        NamedStyle(status_style(status), font=body, border=border, alignment=centred, fill=_fill(colour))
        for status, colour in STATUS_FILLS.items()
    ]
    styles += [
        NamedStyle(light_style(light), font=body, border=border, alignment=centred, fill=_fill(colour))
        for light, colour in LIGHT_FILLS.items()
    ]
    for style in styles:
        workbook.add_named_style(style)


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


def clean_text(text: str) -> str:
    """Drop the control characters Excel refuses, and cut texts Excel cannot hold."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_CELL_TEXT]


_TIMES = (datetime.date, datetime.time, datetime.timedelta)  # datetime.datetime is a date

# RowWriter relies on four openpyxl internals, checked against this version (pinned in
# requirements.txt; tests/reports/test_openpyxl_internals.py fails when the version or the
# behaviour changes). Kept because together they are worth more than 20 %: with openpyxl's public
# API alone (WriteOnlyCell values through ``append``, the ``value`` setter, ``style_id`` looked
# up per cell) the items export of 10,000 items took 1.8x the CPU time (bench/RESULTS.md,
# "Private APIs and the bulk writer"):
# - ``WriteOnlyWorksheet._values_to_row`` is replaced (``RowWriter._cells_to_row``);
# - the writer reads ``Cell.style_id`` for each styled cell: ``_TemplateCell`` answers it from
#   an index looked up once;
# - text is put in ``Cell._value`` with its ``data_type``, which the writer reads, not through
#   the ``value`` setter;
# - a row's height is given as the attributes the writer reads from ``row_dimensions`` (a plain
#   dict), not as a ``RowDimension`` built for each row (about 9 µs a row; +8 % on the items
#   export at 10,000 items).
OPENPYXL_VERSION = "3.1.5"


class _TemplateCell(Cell):
    """A styled cell reused for every row of its column (see ``RowWriter``). openpyxl looks its
    style up in the workbook's style list for every cell it writes; the style of a template never
    changes, so the index is looked up once."""

    __slots__ = ("_style_index",)

    def __init__(self, worksheet, style: str):
        super().__init__(worksheet, row=1, column=1)
        self.style = style
        self.refresh_style_index()

    @property
    def style_id(self) -> int:
        return self._style_index

    def refresh_style_index(self) -> None:
        """After a value that may change the style: openpyxl gives a date, time or duration put
        in a cell without a date format a number format of its own."""
        self._style_index = super().style_id


class RowWriter:
    """Appends styled rows to a write-only worksheet.

    A write-only sheet serialises each row as it is appended, so one styled cell per
    (column, style) is kept and only its value changes from row to row: no style object is
    built per cell. ``style=None`` writes a bare value.
    """

    def __init__(self, worksheet, *, buffered: bool = False):
        self.worksheet = worksheet
        self.row = 0
        self._cells: dict[tuple[int, str, bool], _TemplateCell] = {}
        self._buffer: list | None = [] if buffered else None
        worksheet._values_to_row = self._cells_to_row

    def _cells_to_row(self, values, row_idx):
        """Replaces openpyxl's ``WriteOnlyWorksheet._values_to_row`` (openpyxl 3.1.5), which
        turns an appended row into the cells it writes. That one first assigns every value to a
        plain cell and, for one of our styled cells, falls back on the ValueError this raises
        (formatting the cell's repr into the message), then makes a new cell for the next value:
        alone, it made the items export take 1.3x the CPU time. Our cells are used as they are;
        a bare value (rare: ``style=None``) gets a cell of its own."""
        for column, value in enumerate(values, 1):
            if value is None:
                continue
            cell = value if isinstance(value, Cell) else WriteOnlyCell(self.worksheet, value)
            cell.column = column
            cell.row = row_idx
            yield cell

    def close(self) -> None:
        """Write the rows a buffered writer kept."""
        rows, self._buffer = self._buffer or [], None
        self.row = 0
        for row in rows:
            self.append(row)

    def append(self, cells: list[tuple[str | None, object]], *, height: float | None = None) -> int:
        """Write one row of (style, value) pairs, ``height`` points high if given; returns its
        row number (1-based)."""
        if self._buffer is not None:
            if height is not None:
                raise ValueError("A buffered writer keeps no row heights.")
            self._buffer.append(cells)
            return len(self._buffer)
        row = []
        templates = self._cells
        for column, (style, value) in enumerate(cells):
            if style is None:
                row.append(value)
                continue
            # A date gives its cell a date format: dates get template cells of their own.
            key = (column, style, isinstance(value, _TIMES))
            cell = templates.get(key)
            if cell is None:
                cell = templates[key] = _TemplateCell(self.worksheet, style)
            if isinstance(value, str):
                # Text stays text, even when it starts with "=" (no formula injection). Set
                # directly: the ``value`` setter would find out the type all over again.
                if value:
                    cell._value, cell.data_type = clean_text(value), "s"
                else:
                    cell._value, cell.data_type = None, "n"
            else:
                cell.value = value
                if isinstance(value, _TIMES):
                    cell.refresh_style_index()
            row.append(cell)
        self.row += 1
        if height is None:
            self.worksheet.append(row)
            return self.row
        # The attributes openpyxl writes for a RowDimension with this height (it reads them when
        # it writes the row, at once in a write-only sheet), without building one per row;
        # removed once the row is written.
        dimensions = self.worksheet.row_dimensions
        dimensions[self.row] = {"ht": f"{height:g}", "customHeight": "1"}
        self.worksheet.append(row)
        del dimensions[self.row]
        return self.row


def print_setup(sheet, *, landscape: bool, title_rows: str | None = None) -> None:
    """A4, fit to one page wide (as many pages down as it takes), centred, the title rows on every
    page, page numbers in the footer: how each sheet of the ledger prints."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
