"""A worksheet as a grid of plain values: which sheets to try in which order, the checks on the
sheet's XML before calamine builds it, and merged ranges filled with their top-left value."""

import zipfile
import zlib
from array import array
from dataclasses import dataclass
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from .errors import LedgerImportError
from .sheet_xml import SheetScan, SheetTooLarge, WorkbookLayout, scan_sheet, shared_string_lengths


@dataclass
class Grid:
    values: list[list]
    merges: list[tuple[int, int, int, int]]  # 0-based min_row, min_col, max_row, max_col


def reading_order(workbook: CalamineWorkbook, active: str | None = None) -> list[str]:
    """Worksheets (not chart or macro sheets): the active one, then visible, then hidden ones."""
    sheets = [sheet for sheet in workbook.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
    return [
        sheet.name
        for sheet in sorted(sheets, key=lambda sheet: (sheet.name != active, sheet.visible != SheetVisibleEnum.Visible))
    ]


def shared_strings(archive: zipfile.ZipFile, layout: WorkbookLayout) -> array:
    """The length of every shared string (for the sheets' text to be counted before calamine reads them)."""
    try:
        return shared_string_lengths(archive, layout)
    except SheetTooLarge as error:
        raise LedgerImportError([f"无法导入该 Excel 文件：工作簿{error.reason}"]) from None
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, OSError, EOFError):
        raise LedgerImportError(["无法读取该 Excel 文件：文件已损坏。"]) from None


def scan(archive: zipfile.ZipFile, layout: WorkbookLayout, name: str, shared: array) -> SheetScan:
    """The sheet's XML checked (extent, text) before calamine reads it; its error cells."""
    try:
        return scan_sheet(archive, layout.paths.get(name), shared)
    except SheetTooLarge as error:
        raise LedgerImportError([error.message(name)]) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise LedgerImportError(["无法读取该 Excel 文件：文件已损坏。"]) from None


def read_grid(
    workbook: CalamineWorkbook, name: str, scan: SheetScan, *, merges: list[tuple[int, int, int, int]] | None = None
) -> Grid:
    """The sheet's cell values from A1 (rows as Excel numbers them, less one), with every merged
    range filled with its top-left value. Values as openpyxl gives them: ``None`` for an empty
    cell, whole numbers as ``int``, an error cell as its code (#N/A), which no field accepts.
    ``merges`` when calamine does not report them (an .ods: ``ods_xml``)."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        if merges is None:
            merges = [(top, left, bottom, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or []]
    except Exception:
        raise LedgerImportError([f"无法读取工作表「{name}」：文件已损坏或格式不受支持。"]) from None
    values = [[_plain(value) for value in row] for row in rows]
    del rows
    for (row, column), code in scan.errors.items():
        if row < len(values) and column < len(values[row]):
            values[row][column] = code
    fill_merges(values, merges)
    return Grid(values, merges)


def fill_merges(values: list[list], merges: list[tuple[int, int, int, int]]) -> None:
    """Every merged range (0-based top, left, bottom, right) filled with its top-left value, in place."""
    for top, left, bottom, right in merges:
        if top >= len(values):
            continue
        value = values[top][left] if left < len(values[top]) else None
        for row in values[top : bottom + 1]:
            if len(row) <= right:
                row.extend([None] * (right + 1 - len(row)))
            row[left : right + 1] = [value] * (right + 1 - left)


def _plain(value):
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    return value
