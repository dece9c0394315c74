"""Reading a ledger file someone else made into rows, before anything touches the database.

The jobs, each in its module: ``workbook`` tells what kind of file it is and refuses what we
cannot read (a zip bomb included), ``sheet_xml`` checks the shared strings and each sheet's XML
of an .xlsx before calamine reads them (``ods_xml`` an .ods's content), ``grid`` picks the sheets
and reads them, ``word_tables`` reads the tables of a Word document as grids, ``header`` finds
the header row and maps the columns by name, ``rows`` parses the rows under it.
"""

import zipfile
from xml.etree import ElementTree

from rectify.reports.notice.word_text import document_body

from .errors import LedgerImportError
from .grid import Grid, read_grid, reading_order, scan, shared_strings
from .header import HEADER_SEARCH_ROWS, find_header
from .ods_xml import scan_content
from .parsing import FIELD_HEADERS, cell_text
from .rows import ParsedLedger, SheetReader
from .sheet_xml import SheetScan, WorkbookLayout
from .word_tables import WordTable, word_tables
from .workbook import DOCX, ODS, XLSX, Source, check_workbook, open_archive, open_workbook, rewound


def read_ledger(source: Source) -> ParsedLedger:
    """Every row of the first worksheet that has a header row: the sheet Excel opens on first,
    then the other visible ones, then hidden ones, each in the workbook's order. A Word document:
    the rows of every table that has a header row (see ``read_word_ledger``)."""
    kind = check_workbook(source)
    if kind == DOCX:
        return read_word_ledger(source)
    if kind == XLSX:
        parsed = _read_xlsx(source)
    else:
        parsed = _read_other_workbook(source, kind)
    if parsed is not None:
        return parsed
    accepted = "、".join(FIELD_HEADERS["item"])
    raise LedgerImportError(
        [f"没有找到表头行：前{HEADER_SEARCH_ROWS}行中没有「具体问题」列（可用的列名：{accepted}）。"]
    )


def check_ledger_file(source: Source) -> None:
    """What the upload form checks before keeping the file: ``check_workbook``, and that an .xls
    or .ods opens and a Word document has tables (an .xlsx's sheets are checked at the preview)."""
    kind = check_workbook(source)
    if kind == DOCX:
        _tables(source)
    elif kind != XLSX:
        if kind == ODS:
            with open_archive(source) as archive:
                scan_content(archive)
        open_workbook(source, kind).close()
    rewound(source)


def _read_xlsx(source: Source) -> ParsedLedger | None:
    with open_archive(source) as archive:
        layout = WorkbookLayout.read(archive)
        shared = shared_strings(archive, layout)
        workbook = open_workbook(source)
        try:
            for name in reading_order(workbook, layout.active):
                grid = read_grid(workbook, name, scan(archive, layout, name, shared))
                header = find_header(grid.values)
                if header is not None:
                    return SheetReader(name, grid, *header).read()
        finally:
            workbook.close()
    return None


def _read_other_workbook(source: Source, kind: str) -> ParsedLedger | None:
    """An .xls (bounded by its size) or an .ods (its content bounded, its merged cells from ``ods_xml``)."""
    merges = {}
    if kind == ODS:
        with open_archive(source) as archive:
            merges = scan_content(archive)
    workbook = open_workbook(source, kind)
    try:
        for name in reading_order(workbook):
            grid = read_grid(workbook, name, SheetScan(), merges=merges.get(name))
            header = find_header(grid.values)
            if header is not None:
                return SheetReader(name, grid, *header).read()
    finally:
        workbook.close()
    return None


def read_word_ledger(source: Source) -> ParsedLedger:
    """The rows of every table of the document that has a header row with an item column, one
    ledger (a ledger split over several tables, one per section or page, is one ledger); their
    rows are named 表格N第M行, and a table whose first problem cells are empty continues the
    previous table's problem. Tables with the same columns only; the paragraphs before the first
    such table give the title when its rows above the header do not."""
    tables = _tables(source)
    ledgers: list[tuple[WordTable, ParsedLedger]] = []
    unrecognised: list[WordTable] = []
    problem = ""
    for table in tables:
        header = find_header(table.grid.values)
        if header is None:
            unrecognised.append(table)
            continue
        reader = SheetReader(
            table.name, table.grid, *header, place=table.name, preamble=table.preamble, problem=problem
        )
        ledgers.append((table, reader.read()))
        problem = reader.last_problem
    if not ledgers:
        accepted = "、".join(FIELD_HEADERS["item"])
        raise LedgerImportError(
            [
                f"{table.name}没有可识别的「具体问题」列（可用的列名：{accepted}），表格前几行的表头为："
                f"{_headers_seen(table.grid)}。"
                for table in unrecognised
            ]
        )
    return _one_ledger(ledgers)


def _tables(source: Source) -> list[WordTable]:
    try:
        with open_archive(source) as archive:
            body, numbering = document_body(archive)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError):
        raise LedgerImportError(["无法读取该 Word 文档：文件已损坏。"]) from None
    tables = word_tables(body, numbering)
    if not tables:
        raise LedgerImportError(
            ["这是 Word 文档（.docx），但其中没有表格：请导入填有整改台账表格的文档，或 Excel 台账。"]
        )
    return tables


def _headers_seen(grid: Grid) -> str:
    for row in grid.values[:HEADER_SEARCH_ROWS]:
        texts = list(dict.fromkeys(text for text in (cell_text(value) for value in row) if text))
        if len(texts) > 1:
            return "、".join(f"「{text[:20]}」" for text in texts[:15])
    return "（空）"


def _one_ledger(ledgers: list[tuple[WordTable, ParsedLedger]]) -> ParsedLedger:
    (first_table, first), *others = ledgers
    errors = list(first.errors)
    notes = list(first.notes)
    rows = list(first.rows)
    numbered = first.has("number")
    seen = {row.number: row for row in rows if row.number is not None}
    for table, parsed in others:
        if set(parsed.columns) != set(first.columns):
            errors.append(
                f"{table.name}的列（{'、'.join(parsed.columns.values())}）与{first_table.name}的列"
                f"（{'、'.join(first.columns.values())}）不同：同一份台账的表格请使用相同的列，或分成不同文件导入。"
            )
            continue
        errors += parsed.errors
        notes += [note for note in parsed.notes if note not in notes]
        for row in parsed.rows:
            if not numbered:
                row.number = len(rows) + 1
            elif row.number is not None and row.number in seen:
                row.errors.append(
                    f"{row.place_label}「{parsed.columns['number']}」与{seen[row.number].place_label}重复：{row.number}"
                )
            elif row.number is not None:
                seen[row.number] = row
            rows.append(row)
    title = first.title or next((line for line in reversed(first_table.preamble) if len(line) <= 200), "")
    return ParsedLedger(
        sheet="、".join(table.name for table, _parsed in ledgers),
        header_row=first.header_row,
        columns=first.columns,
        rows=rows,
        title=title,
        reporting_unit=first.reporting_unit,
        errors=errors,
        notes=notes,
    )
