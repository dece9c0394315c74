"""What the workbook's XML says that calamine (the fast reader) does not: which sheet is active,
where each sheet's XML is, how far its cells reach and how much text they hold, and its error
cells (#N/A, #REF!, …), which calamine reads as empty.

Reading a sheet makes calamine build the whole rectangle from A1 to its farthest cell, each cell
with its own copy of its text, so a small file with one cell in A1 and one in XFD1048576, or a
million cells all pointing at one long shared string, would take gigabytes: the sheet's XML is
streamed here first (a chunk at a time, never whole) and checked against ``MAX_COLUMNS``,
``MAX_ROWS``, ``MAX_CELLS``, ``MAX_TEXT_BYTES`` and ``MAX_CELL_CHARS``.
"""

import posixpath
import re
import zipfile
from array import array
from dataclasses import dataclass, field
from xml.etree import ElementTree

from openpyxl.utils import column_index_from_string, get_column_letter

MAX_COLUMNS = 1000
MAX_ROWS = 20_000
MAX_CELLS = 1_000_000  # e.g. 20,000 rows of 50 columns
# All the text of a sheet, each cell counted with its own copy, in bytes: of the XML for text in
# the sheet (an entity such as &#38271; never decodes to more bytes than it takes), of UTF-8 for
# shared strings. calamine holds it as UTF-8, Python as str: neither takes more than this.
MAX_TEXT_BYTES = 64 * 1024 * 1024
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
_TEXT_LIMIT = f"{MAX_TEXT_BYTES // (1024 * 1024)} MB"

CHUNK = 1024 * 1024
# A piece is cut before a cell or row tag; a single cell this long is no cell Excel writes.
MAX_CARRY = 4 * 1024 * 1024

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHARED_STRINGS_TYPE = "/sharedStrings"

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
_BOUNDARY = re.compile(rb"<(?:\w+:)?(?:c|row)[\s/>]")
# The text a cell holds itself (inline strings, formula results, values) and shared-string cells.
_TEXT = re.compile(rb"<(?:\w+:)?[tv](?:\s[^>]*)?>([^<]+)</")
_ENTITY = re.compile(rb"&(?:#[0-9]{1,8}|#x[0-9a-fA-F]{1,8}|[A-Za-z]{1,8});")
_SHARED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\st="s"[^>]*>\s*<(?:\w+:)?v>\s*([0-9]{1,10})\s*</')


class SheetTooLarge(Exception):
    """Reading the sheet would take more than the import may; ``message(sheet)`` says so in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def message(self, sheet: str) -> str:
        return f"工作表「{sheet}」{self.reason}"


@dataclass
class SheetScan:
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based (row, column) → "#N/A"


@dataclass
class WorkbookLayout:
    paths: dict[str, str]  # sheet name → its XML in the archive
    active: str | None  # the sheet Excel opens on
    shared_strings: str | None = None  # the shared-strings part, if any

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
                paths[name] = _part(target)
        view = workbook.find(f"{_MAIN}bookViews/{_MAIN}workbookView")
        try:
            active = names[int(view.get("activeTab", "0"))] if view is not None else None
        except (ValueError, IndexError):
            active = None
        return cls(paths=paths, active=active, shared_strings=_shared_strings_part(archive, relations))


def _shared_strings_part(archive: zipfile.ZipFile, relations: ElementTree.Element) -> str | None:
    """calamine reads xl/sharedStrings.xml whatever the relationships say; else the related part."""
    names = set(archive.namelist())
    if "xl/sharedStrings.xml" in names:
        return "xl/sharedStrings.xml"
    related = [
        _part(rel.get("Target", ""))
        for rel in relations.iter(f"{_RELS}Relationship")
        if rel.get("Type", "").endswith(_SHARED_STRINGS_TYPE)
    ]
    return next((part for part in related if part in names), None)


def _part(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def shared_string_lengths(archive: zipfile.ZipFile, layout: WorkbookLayout) -> array:
    """The length in UTF-8 bytes of every shared string, in order (streamed, never whole).

    Raises ``SheetTooLarge`` when there are more strings than cells could use, when they hold
    more text than a sheet may, or when one is longer than a cell may hold."""
    lengths = array("L")
    total = 0
    if layout.shared_strings is None:
        return lengths
    try:
        stream = archive.open(layout.shared_strings)
    except KeyError:
        return lengths
    with stream:
        events = iter(ElementTree.iterparse(stream, events=("start", "end")))
        _event, root = next(events)
        for event, element in events:
            # By local name, as calamine reads them (a namespace is not required).
            if event != "end" or _local(element.tag) != "si":
                continue
            text = "".join(part.text or "" for part in element.iter() if _local(part.tag) == "t")
            if len(text) > MAX_CELL_CHARS:
                raise SheetTooLarge(_cell_too_long())
            length = len(text.encode())
            lengths.append(length)
            total += length
            if total > MAX_TEXT_BYTES:
                raise SheetTooLarge(f"的共享字符串超过 {_TEXT_LIMIT} 的上限，无法导入。请拆分为多个文件分批导入。")
            if len(lengths) > MAX_CELLS:
                raise SheetTooLarge(f"的共享字符串超过 {MAX_CELLS:,} 个，无法导入。")
            root.clear()
    return lengths


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def scan_sheet(archive: zipfile.ZipFile, path: str | None, shared: array | None = None) -> SheetScan:
    """The error cells of the sheet at ``path`` (nothing known when it is missing), its extent
    and text checked on the way. ``shared``: the shared strings' lengths.

    Raises ``SheetTooLarge`` when reading it would build more than ``MAX_ROWS`` rows,
    ``MAX_COLUMNS`` columns or ``MAX_CELLS`` cells, or hold more than ``MAX_TEXT_BYTES`` of
    text (or one cell more than ``MAX_CELL_CHARS`` characters)."""
    if path is None:
        return SheetScan()
    try:
        stream = archive.open(path)
    except KeyError:
        return SheetScan()
    tally = _Tally(shared if shared is not None else array("L"))
    with stream:
        for piece in _pieces(stream):
            tally.add(piece)
            tally.check(final=False)
    tally.check(final=True)
    return SheetScan(errors=tally.errors)


def _pieces(stream):
    """The sheet's XML in pieces of about ``CHUNK`` bytes, each cut just before a cell or row tag,
    so that no cell is split between two pieces."""
    carry = b""
    while chunk := stream.read(CHUNK):
        buffer = carry + chunk
        cut = None
        for match in _BOUNDARY.finditer(buffer, max(0, len(buffer) - 65536)):
            cut = match.start()
        if cut is None:
            cut = max((match.start() for match in _BOUNDARY.finditer(buffer)), default=0)
        if cut == 0:
            if len(buffer) > MAX_CARRY:
                raise SheetTooLarge(_cell_too_long())
            carry = buffer
            continue
        yield buffer[:cut]
        carry = buffer[cut:]
    if carry:
        yield carry


def _cell_too_long() -> str:
    return f"中有单元格的文字超过 {MAX_CELL_CHARS:,} 个字符（Excel 单元格的上限），无法导入。"


class _Tally:
    """What the pieces of one sheet add up to."""

    def __init__(self, shared: array):
        self.shared = shared
        self.rows = 0
        self.letters = b""
        self.unreferenced_cells = 0
        self.unreferenced_rows = 0
        self.text = 0
        self.errors: dict[tuple[int, int], str] = {}

    def add(self, piece: bytes) -> None:
        refs, tags = _cell_refs(piece)
        if refs:
            self.rows = max(self.rows, max(int(row) for row in {row for _letters, row in refs}))
            letters = max({letters for letters, _row in refs}, key=_column_order)
            self.letters = max(self.letters, letters, key=_column_order)
        if tags > len(refs):
            self.unreferenced_cells += tags - len(refs)
            self.unreferenced_rows += max(len(_ROW_TAG.findall(piece)) - len(_ROW_REF.findall(piece)), 0)
        self._add_text(piece)
        self._add_errors(piece)

    def extent(self) -> tuple[int, int]:
        """(rows, columns) of the rectangle from A1 to the farthest cell. A cell or row without its
        ``r`` attribute (allowed, rare) follows the one before it: counted as reaching one further."""
        columns = column_index_from_string(self.letters.decode()) if self.letters else 0
        if self.unreferenced_cells:
            return self.rows + self.unreferenced_rows, columns + self.unreferenced_cells
        return self.rows, columns

    def check(self, *, final: bool) -> None:
        rows, columns = self.extent()
        if columns > MAX_COLUMNS or (final and rows <= MAX_ROWS and rows * columns > MAX_CELLS):
            raise SheetTooLarge(
                f"的已用区域过大（最远的单元格在 {get_column_letter(min(columns, 16384))}{rows}，"
                f"约 {rows * columns:,} 个单元格），无法导入。请删除表格右侧和下方多余的单元格（或只保留台账工作表）后再试。"
            )
        if rows > MAX_ROWS:
            counted = f"有 {rows:,} 行，" if final else ""
            raise SheetTooLarge(
                f"{counted}超过导入的上限 {MAX_ROWS:,} 行，无法导入。请删除表格下方多余的行，或拆分为多个文件分批导入。"
            )
        if self.text > MAX_TEXT_BYTES:
            raise SheetTooLarge(f"的文字内容超过 {_TEXT_LIMIT} 的上限，无法导入。请拆分为多个文件分批导入。")

    def _add_text(self, piece: bytes) -> None:
        texts = _TEXT.findall(piece)
        for text in texts:  # a character takes at least one byte: only long texts need counting
            if len(text) > MAX_CELL_CHARS and _characters(text) > MAX_CELL_CHARS:
                raise SheetTooLarge(_cell_too_long())
        self.text += sum(map(len, texts))
        shared = self.shared
        for index in _SHARED_CELL.findall(piece):
            number = int(index)
            if number < len(shared):
                self.text += shared[number]

    def _add_errors(self, piece: bytes) -> None:
        for match in _ERROR_CELL.finditer(piece):
            ref = _REF.search(match[0])
            if ref is None:
                continue
            value = None
            if not match[0].endswith(b"/>"):
                end = _CELL_END.search(piece, match.end())
                value = _VALUE.search(piece, match.end(), end.start() if end else len(piece))
            position = (int(ref[2]) - 1, column_index_from_string(ref[1].decode()) - 1)
            self.errors[position] = (value[1].decode(errors="replace").strip() if value else "") or "#错误"


def _characters(text: bytes) -> int:
    """Characters of XML text: &#26576; and &amp; are one each (openpyxl writes 长 as &#38271;)."""
    if b"&" in text:
        text = _ENTITY.sub(b"_", text)
    return len(text.decode("utf-8", "ignore"))


def _column_order(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


def _cell_refs(data: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    """The (letters, row) of every cell that names its place, and how many cells there are."""
    refs = _PLAIN_CELL_REF.findall(data)
    tags = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
    if tags != len(refs) or any(marker in data for marker in (b":c ", b":c>", b":c/>")):
        refs = _CELL_REF.findall(data)  # another writer's layout (or text that looks like one)
        tags = len(_CELL_TAG.findall(data))
    return refs, tags


def _extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) of the rectangle from A1 to the farthest cell of a sheet's whole XML."""
    tally = _Tally(array("L"))
    tally.add(data)
    return tally.extent()
