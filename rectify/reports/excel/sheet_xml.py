"""What the workbook's XML says that calamine (the fast reader) does not: which sheet is active,
where each sheet's XML is, how far its cells reach, and its error cells (#N/A, #REF!, …), which
calamine reads as empty.

Reading a sheet makes calamine build the whole rectangle from A1 to its farthest cell, so a
small file with one cell in A1 and one in XFD1048576 would take hundreds of gigabytes: the
extent is checked here first, against ``MAX_COLUMNS`` and ``MAX_CELLS``.
"""

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from openpyxl.utils import column_index_from_string, get_column_letter

MAX_COLUMNS = 1000
MAX_CELLS = 5_000_000  # e.g. 100,000 rows of 50 columns

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

# Cells as Excel, WPS, LibreOffice and openpyxl write them (``r`` first, no prefix): a literal
# prefix the regex engine finds fast. Anything else takes the general patterns.
_PLAIN_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')
_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="e"[^>]*>')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")


class SheetTooLarge(Exception):
    def __init__(self, farthest: str, cells: int):
        super().__init__(farthest)
        self.farthest = farthest
        self.cells = cells


@dataclass
class SheetScan:
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based (row, column) → "#N/A"


@dataclass
class WorkbookLayout:
    paths: dict[str, str]  # sheet name → its XML in the archive
    active: str | None  # the sheet Excel opens on

    @classmethod
    def read(cls, archive: zipfile.ZipFile) -> "WorkbookLayout":
        """Sheet names and parts from xl/workbook.xml and its relationships; empty if unreadable."""
        try:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        except (KeyError, ElementTree.ParseError):
            return cls(paths={}, active=None)
        targets = {rel.get("Id"): rel.get("Target", "") for rel in relations.iter(f"{_RELS}Relationship")}
        names, paths = [], {}
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            name, target = sheet.get("name"), targets.get(sheet.get(_REL_ID))
            names.append(name)
            if name and target:
                paths[name] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        view = workbook.find(f"{_MAIN}bookViews/{_MAIN}workbookView")
        try:
            active = names[int(view.get("activeTab", "0"))] if view is not None else None
        except (ValueError, IndexError):
            active = None
        return cls(paths=paths, active=active)


def scan_sheet(archive: zipfile.ZipFile, path: str | None) -> SheetScan:
    """The extent and the error cells of the sheet at ``path`` (nothing known when it is missing).

    Raises ``SheetTooLarge`` when reading it would build more than ``MAX_CELLS`` cells."""
    if path is None:
        return SheetScan()
    try:
        data = archive.read(path)
    except KeyError:
        return SheetScan()
    rows, columns = _extent(data)
    if columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise SheetTooLarge(f"{get_column_letter(min(columns, 16384))}{rows}", rows * columns)
    scan = SheetScan()
    for match in _ERROR_CELL.finditer(data):
        ref = _REF.search(match[0])
        if ref is None:
            continue
        value = None
        if not match[0].endswith(b"/>"):
            end = _CELL_END.search(data, match.end())
            value = _VALUE.search(data, match.end(), end.start() if end else len(data))
        position = (int(ref[2]) - 1, column_index_from_string(ref[1].decode()) - 1)
        scan.errors[position] = (value[1].decode(errors="replace").strip() if value else "") or "#错误"
    return scan


def _extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) of the rectangle from A1 to the farthest cell. A cell or row without its
    ``r`` attribute (allowed, rare) follows the one before it: counted as reaching one further."""
    refs = _PLAIN_CELL_REF.findall(data)
    tags = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
    if tags != len(refs) or any(marker in data for marker in (b":c ", b":c>", b":c/>")):
        refs = _CELL_REF.findall(data)  # another writer's layout (or text that looks like one)
        tags = len(_CELL_TAG.findall(data))
    rows = max((int(row) for row in {row for _letters, row in refs}), default=0)
    letters = max({letters for letters, _row in refs}, key=lambda column: (len(column), column), default=b"")
    columns = column_index_from_string(letters.decode()) if letters else 0
    if tags > len(refs):
        unreferenced_rows = len(_ROW_TAG.findall(data)) - len(_ROW_REF.findall(data))
        rows, columns = rows + max(unreferenced_rows, 0), columns + tags - len(refs)
    return rows, columns
