"""An OpenDocument spreadsheet's ``content.xml`` bounded before calamine reads it, and its merged cells.

An .ods repeats a row or a cell with one attribute (``table:number-rows-repeated="1000000"``): a
few bytes that a reader expands into a million rows. So the XML is streamed here (expat, no tree)
and the extent calamine would build is counted, repeats included, against the limits of an .xlsx
sheet (``sheet_xml``); empty repeats at the end, which LibreOffice always writes, cost nothing.
The merged ranges (``table:number-columns-spanned`` / ``number-rows-spanned``) are collected on
the way, since calamine does not report them for .ods.
"""

import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from .errors import LedgerImportError
from .sheet_xml import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES

CONTENT = "content.xml"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")
_CHUNK = 1024 * 1024


@dataclass
class _Sheet:
    name: str
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    row: int = 0  # rows so far, repeats included
    extent: int = 0  # rows up to the last one with content
    cells: int = 0


class _Scan:
    def __init__(self):
        self.sheets: list[_Sheet] = []
        self.text = 0
        self.row_repeat = 1
        self.column = 0
        self.row_cells = 0
        self.row_text = 0
        self.cell: tuple[int, bool] | None = None  # (columns repeated, has content)
        self.cell_text = 0

    def start(self, tag: str, attributes: dict) -> None:
        if tag == f"{_TABLE} table":
            self.sheets.append(_Sheet(attributes.get(f"{_TABLE} name", f"Sheet{len(self.sheets) + 1}")))
        elif tag == f"{_TABLE} table-row" and self.sheets:
            self.row_repeat = _count(attributes.get(f"{_TABLE} number-rows-repeated"))
            self.column = self.row_cells = self.row_text = 0
        elif tag in _CELLS and self.sheets:
            self.cell = (
                _count(attributes.get(f"{_TABLE} number-columns-repeated")),
                f"{_OFFICE} value-type" in attributes,
            )
            self.cell_text = 0
            rows = _count(attributes.get(f"{_TABLE} number-rows-spanned"))
            columns = _count(attributes.get(f"{_TABLE} number-columns-spanned"))
            if rows > 1 or columns > 1:
                sheet = self.sheets[-1]
                sheet.merges.append((sheet.row, self.column, sheet.row + rows - 1, self.column + columns - 1))
        elif tag == f"{_TEXT} p" and self.cell is not None:
            self.cell = (self.cell[0], True)

    def characters(self, data: str) -> None:
        if self.cell is not None:
            self.cell_text += len(data.encode())

    def end(self, tag: str) -> None:
        if tag in _CELLS and self.cell is not None:
            repeat, content = self.cell
            self.column += repeat
            if content:
                if self.column > MAX_COLUMNS:
                    raise _TooLarge(f"超过 {MAX_COLUMNS:,} 列")
                self.row_cells += repeat
                self.row_text += self.cell_text * repeat
            self.cell = None
        elif tag == f"{_TABLE} table-row" and self.sheets:
            sheet = self.sheets[-1]
            sheet.row += self.row_repeat
            if self.row_cells:
                sheet.extent = sheet.row
                sheet.cells += self.row_cells * self.row_repeat
                self.text += self.row_text * self.row_repeat
            if sheet.extent > MAX_ROWS:
                raise _TooLarge(f"超过 {MAX_ROWS:,} 行")
            if sheet.cells > MAX_CELLS:
                raise _TooLarge(f"的单元格超过 {MAX_CELLS:,} 个")
            if self.text > MAX_TEXT_BYTES:
                raise _TooLarge(f"的文字超过 {MAX_TEXT_BYTES // (1024 * 1024)} MB")


class _TooLarge(Exception):
    pass


def _count(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 1


def scan_content(archive: zipfile.ZipFile) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name → its merged ranges (0-based top, left, bottom, right); ``LedgerImportError``
    when a sheet would expand beyond the limits or the XML is damaged."""
    scan = _Scan()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.characters
    try:
        with archive.open(CONTENT) as content:
            while chunk := content.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _TooLarge as error:
        sheet = scan.sheets[-1].name if scan.sheets else ""
        raise LedgerImportError([f"无法导入该 ODS 表格：工作表「{sheet}」{error}，已拒绝读取。"]) from None
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise LedgerImportError(["无法读取该 ODS 表格：文件已损坏。"]) from None
    return {sheet.name: sheet.merges for sheet in scan.sheets}
